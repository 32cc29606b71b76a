/** The reads behind the audit and directory screens (all GET: nothing here changes anything). */
import { useQuery } from '@tanstack/react-query';
import { api, ApiError, unwrap } from '../../api/client';
import type { ScopeKind } from './labels';

export function useCycles() {
  return useQuery({ queryKey: ['cycles', 'list'], queryFn: () => unwrap(api.GET('/api/cycles')), staleTime: 60_000 });
}

export function useOrganizations() {
  return useQuery({
    queryKey: ['organizations', 'list'],
    queryFn: () => unwrap(api.GET('/api/organizations')),
    staleTime: 5 * 60_000,
  });
}

export function useOrganization(id: string | undefined) {
  return useQuery({
    queryKey: ['organizations', 'one', id],
    queryFn: () => unwrap(api.GET('/api/organizations/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
    staleTime: 5 * 60_000,
  });
}

/** The latest tasks to choose from (the API gives at most 200 a page), optionally of one cycle. */
export function useTaskChoices(cycleId: string | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['tasks', 'audit-choices', cycleId ?? null],
    queryFn: () => unwrap(api.GET('/api/tasks', { params: { query: { limit: 200, order: 'desc', cycleId } } })),
    enabled,
    staleTime: 60_000,
  });
}

export function useTask(id: string | undefined) {
  return useQuery({
    queryKey: ['tasks', 'one', id],
    queryFn: () => unwrap(api.GET('/api/tasks/{id}', { params: { path: { id: id ?? '' } } })),
    enabled: Boolean(id),
    retry: false,
  });
}

export function useAuditExport(scope: ScopeKind | undefined, id: string | undefined) {
  return useQuery({
    queryKey: ['audit', 'export', scope, id],
    queryFn: async () => {
      const data = await unwrap(api.GET('/api/audit/export', { params: { query: { scope: scope ?? 'cycle', id: id ?? '', format: 'json' } } }));
      // The operation also documents its CSV form (text/csv, a string); with format=json the answer is the JSON object.
      if (typeof data === 'string') throw new ApiError(0, 'Сервер ответил не в формате JSON. Повторите попытку позже');
      return data;
    },
    enabled: Boolean(scope && id),
    staleTime: 30_000,
  });
}

/**
 * The zone the region's times are shown in: the scope's own (the cycle's, the organisation's, the task's) when known,
 * else that of the user's organisation.
 */
export function useScopeZone(scope: ScopeKind | undefined, id: string | undefined, ownOrganizationId: string | undefined): string | undefined {
  const cycles = useCycles();
  const organizations = useOrganizations();
  const task = useTask(scope === 'task' ? id : undefined);
  const loading = cycles.isLoading || organizations.isLoading || task.isLoading;
  const own = organizations.data?.find((o) => o.id === ownOrganizationId)?.timeZone;
  const found =
    scope === 'cycle'
      ? cycles.data?.find((c) => c.id === id)?.timeZone
      : scope === 'organization'
        ? organizations.data?.find((o) => o.id === id)?.timeZone
        : scope === 'task'
          ? task.data?.timeZone
          : undefined;
  // Nothing said which zone: the times are shown in UTC, and named so.
  return found ?? own ?? (loading ? undefined : 'UTC');
}
