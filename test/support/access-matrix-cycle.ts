/**
 * A launched cycle for the access matrix (test/integration/access-matrix.e2e.spec.ts), with the real resources its
 * routes take: the cycle (launched with four eyes: the administrator asks, the ministry's reviewer confirms), its
 * identification files and approved list (every school a participant), schools' transition programmes and
 * municipalities' plans submitted, some returned with a remark (versions, remarks, a second round to submit), some left
 * under review (a review task for the municipality or the ministry), a curator named for the first school, and one pending four-eyes request (a stage extension, which
 * is harmless if a cell confirms it).
 *
 * The calendar is compressed to an hour a day, so that nothing falls due while the matrix runs and every task stays
 * open for its cells.
 */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { cycleWorkflowId } from '../../libs/contracts/cycle';
import type { ResolvedCyclePlan } from '../../libs/contracts/cycle-template';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { sampleFormValues, uploadDocument } from './cycle-driver';
import type { TestRegion } from './cycle-region';
import { buildIdentificationFiles } from './fixtures/identification-files';
import { confirmedBy } from './four-eyes';
import type { ApiClient } from './http';
import { pollUntil } from './poll';

export const MATRIX_ACADEMIC_YEAR = 2026;
const WAIT_MS = 120_000;

/** What the cycle holds for one organisation of the region. */
export interface CycleResources {
  /** An open task asking the organisation to submit something (a second round, after its first was returned). */
  submitTaskId?: string;
  /** A valid submission for that task (its form, a document of the organisation, the answer to its open remark). */
  submitBody?: Record<string, unknown>;
  /** An open review task assigned to the organisation (a submission of one of its subordinates to review). */
  reviewTaskId?: string;
  /** The step of which the organisation is the subject with stored versions. */
  stepKey?: string;
  /** The remark on its first version, open. */
  remarkId?: string;
  /** Its submission's versions, for the comparison route. */
  versions?: number[];
}

export interface MatrixCycle {
  cycleId: string;
  regionCode: string;
  plan: ResolvedCyclePlan;
  /** Per organisation id. */
  resources: Map<string, CycleResources>;
  /** The first school's curatorship (the region's curator). */
  curatorshipId: string;
  /** A pending four-eyes request of the cycle: a stage extension. */
  pendingActionId: string;
  /** A stage the extension may name. */
  stageId: string;
  /** A step with a deadline, for the deadline route. */
  deadlineStepKey: string;
}

export interface RegionClients {
  admin: ApiClient;
  reviewer: ApiClient;
  /** Whoever acts for an organisation of the region (its coordinator, director). */
  forOrganization: (organizationId: string) => ApiClient;
}

async function putFile(client: ApiClient, path: string, fileName: string, body: Buffer, contentType: string): Promise<void> {
  const response = await fetch(`${client.baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${client.token!}`, 'content-type': contentType, 'x-file-name': encodeURIComponent(fileName) },
    body,
  });
  if (response.status >= 300) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
}

function openTask(ds: DataSource, cycleId: string, match: { action: string; assignee?: string; subject?: string; round?: number }): Promise<TaskSnapshot | undefined> {
  return ds
    .query(
      `SELECT snapshot FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1 AND snapshot->'context'->>'action' = $2
          AND ($3::text IS NULL OR assignee_organization_id = $3) AND ($4::text IS NULL OR snapshot->'context'->>'subjectOrganizationId' = $4)
          AND coalesce((snapshot->'context'->>'round')::int, 1) = $5
        ORDER BY created_at LIMIT 1`,
      [cycleId, match.action, match.assignee ?? null, match.subject ?? null, match.round ?? 1],
    )
    .then((rows: { snapshot: TaskSnapshot }[]) => rows[0]?.snapshot);
}

function expectOk(what: string, response: { status: number; text: string }): void {
  if (response.status >= 300) throw new Error(`${what}: ${response.status} ${response.text.slice(0, 500)}`);
}

/**
 * Launches the region's cycle and brings it to the plans stage: the schools and municipalities in `returned` have
 * their first version returned with a remark (their second round open), those in `pending` one under review (their
 * reviewer's task open). Every organisation acts through `clients`.
 */
export async function launchMatrixCycle(
  ds: DataSource,
  region: TestRegion,
  clients: RegionClients,
  options: { returned?: string[]; pending?: string[] },
): Promise<MatrixCycle> {
  const { admin, reviewer } = clients;
  const launched = await confirmedBy(
    reviewer,
    admin.post('/api/cycles', {
      templateId: 'default',
      academicYear: MATRIX_ACADEMIC_YEAR,
      adoptRegionTimeZone: true,
      compression: { secondsPerDay: 3600 },
    }),
  );
  expectOk('launch', launched);
  const cycleId = launched.body.id as string;
  // The plan the cycle runs (compressed), as stored at launch.
  const [{ plan }] = (await ds.query(`SELECT plan FROM cycles WHERE id = $1`, [cycleId])) as { plan: ResolvedCyclePlan }[];
  const steps = plan.stages.flatMap((s) => s.steps);

  // Identification: the files, then the list with every school (the ranking's and the added ones).
  const files = await buildIdentificationFiles({
    schools: region.schools.map((s) => ({ code: s.code, name: s.name, municipality: s.municipalityId })),
    years: [MATRIX_ACADEMIC_YEAR - 3, MATRIX_ACADEMIC_YEAR - 2, MATRIX_ACADEMIC_YEAR - 1],
    lowSchools: [region.schools[0].code],
  });
  const base = `/api/cycles/${encodeURIComponent(cycleId)}/identification`;
  await putFile(admin, `${base}/files/results`, 'Результаты ВПР.csv', files.resultsCsv, 'text/csv');
  await putFile(admin, `${base}/files/social`, 'Социальный паспорт.csv', files.socialCsv, 'text/csv');
  const ranking = await admin.get(`${base}/ranking`);
  expectOk('ranking', ranking);
  const listed = new Set(((ranking.body.items ?? ranking.body) as { schoolId: string; category: string | null }[]).filter((r) => r.category).map((r) => r.schoolId));
  const add = region.schools.filter((s) => !listed.has(s.id)).map((s) => ({ schoolId: s.id, reason: 'Заявка муниципалитета (матрица доступа)' }));
  await pollUntil('the list approval task', () => openTask(ds, cycleId, { action: 'approve_list' }), WAIT_MS);
  expectOk('approve', await admin.post(`${base}/approve`, { add, comment: 'Список утверждён (матрица доступа)' }));

  const resources = new Map<string, CycleResources>();
  const merge = (organizationId: string, more: CycleResources): void => {
    resources.set(organizationId, { ...resources.get(organizationId), ...more });
  };
  /**
   * The subject's first version: returned with a remark (its round 2 then waits for it) or left under review (its
   * reviewer then has a review task waiting).
   */
  const submit = async (subjectId: string, outcome: 'returned' | 'pending'): Promise<void> => {
    const isSchool = region.schools.some((s) => s.id === subjectId);
    const step = steps.find((s) => s.actor === (isSchool ? 'school' : 'municipality') && s.kind === 'submission' && s.review)!;
    const reviewerClient = isSchool ? clients.forOrganization(region.schools.find((s) => s.id === subjectId)!.municipalityId) : reviewer;
    const submitter = clients.forOrganization(subjectId);
    const first = await pollUntil(`${step.key} task of ${subjectId}`, () => openTask(ds, cycleId, { action: 'submit', subject: subjectId }), WAIT_MS);
    const c = first.context!;
    expectOk(
      `submit ${first.taskId}`,
      await submitter.post(`/api/tasks/${encodeURIComponent(first.taskId)}/submission`, {
        comment: 'Представлено (матрица доступа)',
        ...(c.formId ? { form: sampleFormValues(plan.forms[c.formId]) } : {}),
        ...(c.document === 'required' ? { documentId: await uploadDocument(submitter, `${first.title}.pdf`, first.taskId) } : {}),
      }),
    );
    const review = await pollUntil(`review of ${subjectId}`, () => openTask(ds, cycleId, { action: 'review', subject: subjectId }), WAIT_MS);
    if (outcome === 'pending') {
      merge(review.assigneeOrganizationId, { reviewTaskId: review.taskId });
    } else {
      expectOk(
        `return ${review.taskId}`,
        await reviewerClient.post(`/api/tasks/${encodeURIComponent(review.taskId)}/review`, { decision: 'returned', remarks: ['Не указаны сроки мероприятий'] }),
      );
      const second = await pollUntil(`second round of ${subjectId}`, () => openTask(ds, cycleId, { action: 'submit', subject: subjectId, round: 2 }), WAIT_MS);
      merge(subjectId, { submitTaskId: second.taskId });
    }
    const versions = await submitter.get(
      `/api/cycles/${encodeURIComponent(cycleId)}/steps/${encodeURIComponent(step.key)}/subjects/${encodeURIComponent(subjectId)}/versions`,
    );
    expectOk(`versions of ${subjectId}`, versions);
    const remarkId = ((versions.body.remarks ?? []) as { id: string; status: string }[]).find((r) => r.status === 'open')?.id;
    merge(subjectId, {
      stepKey: step.key,
      remarkId,
      versions: ((versions.body.versions ?? []) as { version: number }[]).map((v) => v.version),
    });
    if (outcome === 'returned') {
      // What the second round would take: a cell that gets past the access rule would store it.
      merge(subjectId, {
        submitBody: {
          comment: 'Исправлено (матрица доступа)',
          ...(c.formId ? { form: sampleFormValues(plan.forms[c.formId]) } : {}),
          ...(c.document === 'required' ? { documentId: await uploadDocument(submitter, 'Вторая редакция.pdf', first.taskId) } : {}),
          ...(remarkId ? { remarkAnswers: [{ remarkId, answer: 'Сроки указаны' }] } : {}),
        },
      });
    }
  };
  await Promise.all([
    ...(options.returned ?? []).map((id) => submit(id, 'returned')),
    ...(options.pending ?? []).map((id) => submit(id, 'pending')),
  ]);
  // The institute's own task of the identification stage, when it is still open.
  const instituteTask = await openTask(ds, cycleId, { action: 'perform', assignee: region.instituteId });
  if (instituteTask) merge(region.instituteId, { submitTaskId: instituteTask.taskId });

  // The region's curator for the first school.
  const [curator] = (await ds.query(`SELECT id FROM people WHERE email = $1`, [region.curator.email])) as { id: string }[];
  const named = await admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/curators`, {
    schoolId: region.schools[0].id,
    curatorPersonId: curator.id,
    basis: 'Распоряжение министерства (матрица доступа)',
  });
  expectOk('curator', named);

  // A pending four-eyes request: extending a later stage for everyone.
  const stageId = plan.stages.find((s) => s.id === 'monitoring')?.id ?? plan.stages[plan.stages.length - 1].id;
  const asked = await admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/stages/${encodeURIComponent(stageId)}/extend`, {
    dueAt: `${MATRIX_ACADEMIC_YEAR + 1}-12-25`,
    reason: 'Письмо министерства (матрица доступа)',
  });
  if (asked.status !== 202) throw new Error(`extension request: ${asked.status} ${asked.text.slice(0, 500)}`);
  const deadlineStepKey = steps.find((s) => s.key === 'best-practice-bank')?.key ?? steps[steps.length - 1].key;
  return {
    cycleId,
    regionCode: region.code,
    plan,
    resources,
    curatorshipId: named.body.id as string,
    pendingActionId: asked.body.id as string,
    stageId,
    deadlineStepKey,
  };
}

/**
 * Ends the cycle's workflows on the shared server (the cycle workflow terminated, its children with it by their
 * parent-close policy). Not a cancellation over HTTP: the matrix's own cells may have ended the administrator's session,
 * and four eyes would make the end of the test wait for the confirmed cancellation to reach every task.
 */
export async function endMatrixCycle(cycle: MatrixCycle | undefined, temporal: Client): Promise<void> {
  if (!cycle) return;
  await temporal.workflow
    .getHandle(cycleWorkflowId(cycle.cycleId))
    .terminate('the access matrix test is over')
    .catch(() => undefined);
}
