/** Reads the task page's work needs, each a TanStack Query over the typed client. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { formFromTemplate, stepFromTemplate, type FormDef, type StepSpec } from './form-definition';

export type TaskDetail = Schemas['TaskDetailView'];
export type TaskContext = NonNullable<TaskDetail['cycle']>;
export type SubmissionView = Schemas['SubmissionView'];
export type RemarkView = Schemas['RemarkView'];
export type VersionsView = Schemas['VersionsView'];
export type ExtensionRequest = Schemas['ExtensionRequestView'];
export type Substitution = Schemas['SubstitutionView'];
export type Agreement = Schemas['AgreementView'];

export const workKeys = {
  // The same keys as the ministry's screens use for the same requests, so the cache is shared.
  cycle: (id: string) => ['cycles', id] as const,
  template: (id: string, version: number) => ['templates', 'detail', id, version] as const,
  versions: (cycleId: string, stepKey: string, subjectId: string) => ['work', 'versions', cycleId, stepKey, subjectId] as const,
  compare: (cycleId: string, stepKey: string, subjectId: string, from: number, to: number) =>
    ['work', 'compare', cycleId, stepKey, subjectId, from, to] as const,
  extensionRequests: (status?: string) => ['work', 'extension-requests', status ?? 'all'] as const,
  substitutions: ['work', 'substitutions'] as const,
  document: (id: string) => ['documents', id] as const,
};

/**
 * The template document the cycle was launched from: the cycle names the template and version, which are immutable,
 * so the forms read from it are the cycle's own.
 */
export function useCycleTemplate(cycleId: string) {
  const cycle = useQuery({
    queryKey: workKeys.cycle(cycleId),
    queryFn: () => unwrap(api.GET('/api/cycles/{id}', { params: { path: { id: cycleId } } })),
    staleTime: 60_000,
  });
  const templateId = cycle.data?.templateId;
  const version = cycle.data?.templateVersion;
  const template = useQuery({
    queryKey: workKeys.template(templateId ?? '', version ?? 0),
    queryFn: () => unwrap(api.GET('/api/templates/{id}', { params: { path: { id: templateId! }, query: { version } } })),
    enabled: Boolean(templateId && version),
    // A template version never changes.
    staleTime: Infinity,
  });
  return { cycle, template };
}

export interface StepForm {
  isPending: boolean;
  error: unknown;
  form?: FormDef;
  step?: StepSpec;
  refetch: () => void;
}

/** The form to fill or to read for a step: the task's own `formId`, or the one the template's step names. */
export function useStepForm(context: TaskContext): StepForm {
  const { cycle, template } = useCycleTemplate(context.cycleId);
  const refetch = () => {
    void cycle.refetch();
    void template.refetch();
  };
  const failed = cycle.error ?? template.error;
  if (failed) return { isPending: false, error: failed, refetch };
  if (!template.data) return { isPending: true, error: null, refetch };
  const document = template.data.document;
  try {
    const step = stepFromTemplate(document, context.stepKey);
    const formId = context.formId ?? step?.formId;
    return { isPending: false, error: null, step, form: formId ? formFromTemplate(document, formId) : undefined, refetch };
  } catch (error) {
    return { isPending: false, error, refetch };
  }
}

/** Every version of the subject's submission for the step, with every remark (oldest first). */
export function useVersions(context: TaskContext) {
  return useQuery({
    queryKey: workKeys.versions(context.cycleId, context.stepKey, context.subjectOrganizationId),
    queryFn: () =>
      unwrap(
        api.GET('/api/cycles/{cycleId}/steps/{stepKey}/subjects/{organizationId}/versions', {
          params: { path: { cycleId: context.cycleId, stepKey: context.stepKey, organizationId: context.subjectOrganizationId } },
        }),
      ),
  });
}

/** A document's metadata (name, size) for its link. */
export function useDocument(id: string | null | undefined) {
  return useQuery({
    queryKey: workKeys.document(id ?? ''),
    queryFn: () => unwrap(api.GET('/api/documents/{id}', { params: { path: { id: id! } } })),
    enabled: Boolean(id),
    staleTime: Infinity,
  });
}

/** After an action on a task: its page, the inbox and the work lists read again. */
export function useAfterTaskAction(taskId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['tasks', 'detail', taskId] }),
      queryClient.invalidateQueries({ queryKey: ['tasks', 'list'] }),
      queryClient.invalidateQueries({ queryKey: ['work'] }),
    ]);
}
