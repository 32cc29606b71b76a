/**
 * The cycle dashboard's lateness ranking over HTTP, against the real stack (Temporal, PostgreSQL, SMTP): cycle tasks
 * started as the cycle starts them, on a compressed calendar, some completed at once, some left to run past their
 * deadline and be escalated (by the real workflow and outbox), one completed after its escalations. The late
 * municipality comes first with its reasons; the punctual one after it; one with a single task is flagged as too
 * little data. Who sees what, and bad input in Russian. The test owns its region, so no other file's rows count.
 */
import 'reflect-metadata';
import type { WorkflowHandle } from '@temporalio/client';
import {
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { insertCycle, insertOtherRegion, type InsertedCycle } from '../support/cycle-rows';
import { ApiClient, expectRussianError } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const suffix = uniqueSuffix();
const taskQueue = `lateness-risk-e2e-${suffix}`;
/** Seconds from issue to deadline; the escalations follow at the deadline (the head) and 2 s later (the supervisor). */
const LEAD_SECONDS = 6;

let stack: ApiStack;
let region: TestRegion;
let cycle: InsertedCycle;
let anonymous: ApiClient;
let admin: ApiClient;
let seq = 0;

/**
 * A task of the cycle for `assigneeId`, started as the cycle starts its tasks (with its context), due LEAD_SECONDS
 * after issue at the earliest (`minimumLeadSeconds`, however late the workflow gets going), or `leadSeconds` ahead.
 */
async function startCycleTask(assigneeId: string, supervisorId: string, leadSeconds = LEAD_SECONDS): Promise<WorkflowHandle> {
  seq += 1;
  const taskId = `${cycle.id}.perform.${assigneeId}.${seq}`;
  const input: DeadlineTaskInput = {
    taskId,
    title: `Задача цикла № ${seq}`,
    assigneeOrganizationId: assigneeId,
    supervisorOrganizationId: supervisorId,
    deadline: { localDateTime: localDateTimeIn(ZONE, leadSeconds), timeZone: ZONE, calendar: 'calendar-days' },
    policy: {
      reminders: [],
      escalations: [
        { secondsAfter: 0, notify: 'assignee_head' },
        { secondsAfter: 2, notify: 'supervisor' },
      ],
      minimumLeadSeconds: leadSeconds,
    },
    createdBy: region.admin.email,
    context: { cycleId: cycle.id, stageId: 'work', stepKey: 'work', action: 'perform', subjectOrganizationId: assigneeId },
  };
  const handle: WorkflowHandle = await stack.harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
    taskQueue,
    workflowId: deadlineTaskWorkflowId(taskId),
    args: [input],
  });
  // Answers once the task is projected to PostgreSQL, as POST /api/tasks waits for it.
  await handle.executeUpdate(taskReadyUpdate);
  return handle;
}

const taskIdOf = (handle: WorkflowHandle) => handle.workflowId.replace(/^task:/, '');

async function complete(handle: WorkflowHandle): Promise<{ late: boolean }> {
  return handle.executeUpdate(completeTaskUpdate, { args: [{ completedBy: region.admin.email, result: { comment: 'Выполнено' } }] });
}

/** Waits for the workflows' own record — both escalations of each task in the audit log — not for time to pass. */
async function escalationsRecorded(handles: WorkflowHandle[], perTask = 2, timeoutMs = 60_000): Promise<void> {
  const ids = handles.map(taskIdOf);
  for (const until = Date.now() + timeoutMs; ; ) {
    const rows: { subject_id: string; n: string }[] = await stack.harness.dataSource.query(
      `SELECT subject_id, count(*) AS n FROM audit_events
        WHERE subject_type = 'task' AND type = 'escalation_sent' AND subject_id = ANY($1::varchar[]) GROUP BY subject_id`,
      [ids],
    );
    if (rows.length === ids.length && rows.every((r) => Number(r.n) >= perTask)) return;
    if (Date.now() > until) throw new Error(`escalations not recorded within ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const riskPath = (query = '') => `/api/cycles/${cycle.id}/lateness-risk${query}`;
type Row = { municipalityId: string; rank: number; score: number; level: string; insufficientData: boolean; reasons: string[]; counts: Record<string, number> };

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  const ds = stack.harness.dataSource;
  region = await createTestRegion(ds, { code: `lr${suffix}`.slice(0, 20), timeZone: ZONE, municipalities: 3, schoolsPerMunicipality: 2 });
  cycle = await insertCycle(ds, suffix, {
    regionCode: region.code,
    ministryId: region.ministryId,
    participants: region.schools.map((s) => ({ schoolId: s.id, municipalityId: s.municipalityId })),
  });
  anonymous = new ApiClient(stack.baseUrl);
  admin = await anonymous.as(region.admin.email, REGION_PASSWORD);

  const [late, punctual, small] = region.municipalities;
  const schoolsOf = (m: { id: string }) => region.schools.filter((s) => s.municipalityId === m.id);
  // The late municipality: its own task and a school's left open past the deadline, another school's completed
  // only after both escalations.
  const lateOpen = [await startCycleTask(late.id, region.ministryId), await startCycleTask(schoolsOf(late)[0].id, late.id)];
  const lateDone = await startCycleTask(schoolsOf(late)[1].id, late.id);
  // The punctual one: three tasks completed at once, and one due in an hour (not yet due: outside the score).
  const onTime = [
    await startCycleTask(punctual.id, region.ministryId),
    await startCycleTask(schoolsOf(punctual)[0].id, punctual.id),
    await startCycleTask(schoolsOf(punctual)[1].id, punctual.id),
  ];
  await startCycleTask(schoolsOf(punctual)[0].id, punctual.id, 3600);
  // The small one: a single task, on time.
  onTime.push(await startCycleTask(small.id, region.ministryId));
  // The ministry's own overdue task is on no municipality's record.
  const ministryTask = await startCycleTask(region.ministryId, region.ministryId);
  for (const handle of onTime) expect((await complete(handle)).late).toBe(false);

  await escalationsRecorded([...lateOpen, lateDone]);
  expect((await complete(lateDone)).late).toBe(true);
  await escalationsRecorded([ministryTask], 1);
});

afterAll(() => stack?.close());

describe('GET /api/cycles/:cycleId/lateness-risk', () => {
  it('ranks the late municipality first, with its score and reasons; the punctual one next; too little data last', async () => {
    const response = await admin.get(riskPath());
    expect(response.status).toBe(200);
    const body = response.body as { scope: string; ranked: number; asOf: string; method: Record<string, unknown>; items: Row[] };
    const [late, punctual, small] = region.municipalities;
    expect(body).toMatchObject({
      cycleId: cycle.id,
      scope: 'region',
      ranked: 3,
      method: { weights: { overdue: 0.5, escalations: 0.25, lateness: 0.25 }, caps: { escalationsPerTask: 2, averageLatenessWorkingDays: 10 }, minAssessedTasks: 3 },
    });
    expect(Date.parse(body.asOf)).not.toBeNaN();
    expect(body.items.map((r) => [r.rank, r.municipalityId])).toEqual([
      [1, late.id],
      [2, punctual.id],
      [3, small.id],
    ]);

    // 3 of 3 late, 6 escalations (2 per task: full), each 1 working day late (a deadline missed the same day):
    // 0.5 × 1 + 0.25 × 1 + 0.25 × 0.1.
    expect(body.items[0]).toMatchObject({
      municipalityName: late.name,
      score: 0.775,
      level: 'high',
      insufficientData: false,
      counts: { tasks: 3, assessed: 3, late: 3, openOverdue: 2, completedLate: 1, notYetDue: 0, escalations: 6, maxOverdueWorkingDays: 1 },
      components: { overdueShare: 1, escalationsPerTask: 2, averageLatenessWorkingDays: 1 },
      reasons: [
        'просрочено 3 задачи из 3 (100\u00a0%)',
        'ещё не выполнены 2 просроченные задачи, самая давняя — 1 рабочий день после срока',
        'с опозданием выполнена 1 задача',
        'эскалаций: 6',
        'средняя просрочка 1 рабочий день',
      ],
    });
    expect(body.items[1]).toMatchObject({
      score: 0,
      level: 'low',
      counts: { tasks: 4, assessed: 3, late: 0, notYetDue: 1, escalations: 0 },
      reasons: ['просроченных задач нет: в срок 3 из 3'],
    });
    expect(body.items[2]).toMatchObject({
      insufficientData: true,
      level: 'insufficient_data',
      counts: { tasks: 1, assessed: 1 },
      reasons: ['мало данных для оценки: срок наступил у 1 задачи из 1, нужно не меньше 3', 'просроченных задач нет: в срок 1 из 1'],
    });
  });

  it('takes a lower threshold for enough data, and then orders equal scores by municipality id', async () => {
    const response = await admin.get(riskPath('?minTasks=1'));
    expect(response.status).toBe(200);
    const items = response.body.items as Row[];
    expect(items.every((r) => !r.insufficientData)).toBe(true);
    expect(items.map((r) => r.municipalityId)).toEqual(region.municipalities.map((m) => m.id));
    expect(response.body.method.minAssessedTasks).toBe(1);
  });

  it('shows the whole ranking to the ministry, the institute and the auditor; a municipality only its own row', async () => {
    for (const email of [region.reviewer.email, region.curator.email, region.auditor.email]) {
      const reader = await anonymous.as(email, REGION_PASSWORD);
      const response = await reader.get(riskPath());
      expect(response.status).toBe(200);
      expect(response.body.scope).toBe('region');
      expect((response.body.items as Row[]).map((r) => r.municipalityId)).toEqual(region.municipalities.map((m) => m.id));
    }
    const [late, punctual] = region.municipalities;
    const coordinator = await anonymous.as(punctual.coordinator.email, REGION_PASSWORD);
    const own = await coordinator.get(riskPath());
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ scope: 'own_municipality', ranked: 3 });
    expect((own.body.items as Row[]).map((r) => [r.municipalityId, r.rank])).toEqual([[punctual.id, 2]]);
    expect(JSON.stringify(own.body)).not.toContain(late.id);
  });

  it('refuses schools and other regions, and answers bad input in Russian', async () => {
    const school = await anonymous.as(region.schools[0].director.email, REGION_PASSWORD);
    expectRussianError(await school.get(riskPath()), 403, ['Действие доступно только для ролей']);
    const other = await insertOtherRegion(stack.harness.dataSource, suffix, REGION_PASSWORD);
    const stranger = await anonymous.as(other.adminEmail, REGION_PASSWORD);
    expectRussianError(await stranger.get(riskPath()), 403, ['другого региона']);
    expectRussianError(await admin.get(`/api/cycles/no-such-cycle-${suffix}/lateness-risk`), 404, ['не найден']);
    expectRussianError(await admin.get(riskPath('?minTasks=0')), 400, [], ['minTasks']);
    expectRussianError(await admin.get(riskPath('?minTasks=много')), 400, [], ['minTasks']);
    expectRussianError(await admin.get(riskPath('?colour=red')), 400, [], ['colour']);
    expectRussianError(await anonymous.get(riskPath()), 401);
  });
});
