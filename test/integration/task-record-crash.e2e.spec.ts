/**
 * Writes that span Temporal and PostgreSQL converge after a crash in the gap between the two sides.
 *
 * A cycle task's record travels in its completion Update, and a granted extension request in the extension's Update;
 * the task's projection stores either with the task's change and both audit entries in one transaction
 * (libs/contracts/task-record.ts). Here the worker (the project's real entry point, in a child process) kills itself
 * with SIGKILL after the record's rows are written and before their transaction commits: Temporal has accepted the
 * Update, PostgreSQL holds nothing of it. A worker started afterwards retries the projection, and both sides end in
 * the same state: the task completed (or extended), the record stored once, each audit entry once. A projection
 * retried after it committed writes nothing twice, and a review round trip shows every kind of row a completion
 * carries (versions, remarks with the ids the API chose, answers, acceptance, the published practice).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type Worker } from '@temporalio/worker';
import { createApiApp } from '../../apps/api/api-app';
import {
  DEADLINE_TASK_WORKFLOW,
  DEFAULT_NOTIFICATION_POLICY,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
  type TaskSnapshot,
} from '../../libs/contracts/deadline-task';
import { KILL_BEFORE_RECORD_COMMIT_ENV } from '../../libs/contracts/task-record';
import { addWorkingDays } from '../../libs/domain/calendar';
import { resolveDeadline } from '../../libs/domain/deadline';
import { DEMO_ZONE, insertCycle, type InsertedCycle } from '../support/cycle-rows';
import { ApiClient, type ApiResponse } from '../support/http';
import { pollUntil } from '../support/poll';
import { recordHistory } from '../support/record-history';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, requireTestEnv, testConfig, uniqueSuffix } from '../support/test-config';
import { buildTaskActivities } from '../support/task-activities';
import { openHarness, workflowBundle, type Harness } from '../support/worker-harness';

const root = path.resolve(__dirname, '../..');
const suffix = uniqueSuffix();
/** The API's queue: tasks it creates (the extension's) run here. */
const apiQueue = `record-crash-api-${suffix}`;
/** The cycle task's queue: the test starts that workflow itself, as a cycle's step would. */
const cycleQueue = `record-crash-cycle-${suffix}`;
const SCHOOL = 'demo-school-severny-1';

let sink: SmtpSink;
let harness: Harness;
let app: NestFastifyApplication;
let anonymous: ApiClient;
let cycle: InsertedCycle;
const children: ChildProcess[] = [];
/** One primed worker per scenario, started together: a worker process takes a while to bundle the workflows. */
let crashingOnCycleQueue: Crashing;
let crashingOnApiQueue: Crashing;
const replacements: { worker: Worker; running: Promise<void> }[] = [];

interface Crashing {
  child: ChildProcess;
  /** Resolves with the signal that ended the process. */
  exited: Promise<NodeJS.Signals | null>;
}

/** The real worker entry point, primed to kill itself in the gap; resolves once it polls `taskQueue`. */
function startCrashingWorker(taskQueue: string): Promise<Crashing> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'apps/worker/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      TEMPORAL_ADDRESS: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      SMTP_URL: sink.url,
      MAIL_MESSAGE_ID_DOMAIN: 'uplift.test',
      PUBLIC_URL: 'http://uplift.test',
      AUDIT_CHECKPOINT_INTERVAL: '0',
      [KILL_BEFORE_RECORD_COMMIT_ENV]: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes('polling task queue')) resolve({ child, exited });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((signal) => reject(new Error(`worker exited before polling (${signal}):\n${output.slice(-4000)}`)));
  });
}

/** Another worker on the same queue, as after a restart: the project's activities without the fault. */
async function startReplacement(taskQueue: string): Promise<void> {
  const worker = await harness.createWorker(taskQueue);
  replacements.push({ worker, running: worker.run() });
}

/** Whether Temporal has accepted an Update of the workflow (it is durable from then on). */
async function updateAccepted(workflowId: string): Promise<boolean> {
  const history = await harness.env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).some((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
}

async function auditTypes(taskId: string): Promise<string[]> {
  const rows: { type: string }[] = await harness.dataSource.query(
    `SELECT type FROM audit_events WHERE subject_type = 'task' AND subject_id = $1 ORDER BY chain_seq`,
    [taskId],
  );
  return rows.map((r) => r.type);
}

beforeAll(async () => {
  sink = await SmtpSink.start();
  harness = await openHarness(sink.url);
  cycle = await insertCycle(harness.dataSource, suffix);
  app = await createApiApp(testConfig({ taskQueue: apiQueue, smtpUrl: sink.url }));
  await app.listen(0, '127.0.0.1');
  anonymous = new ApiClient(await app.getUrl());
  [crashingOnCycleQueue, crashingOnApiQueue] = await Promise.all([
    startCrashingWorker(cycleQueue),
    startCrashingWorker(apiQueue),
    // The replacements' bundle, built meanwhile.
    workflowBundle(),
  ]);
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await app?.close();
  for (const r of replacements) r.worker.shutdown();
  await Promise.all(replacements.map((r) => r.running));
  await harness?.close();
  await sink?.stop();
});

describe('a worker killed between a carried record and its commit', () => {
  it('stores a cycle task’s report with the completion once another worker takes over', async () => {
    const crashing = crashingOnCycleQueue;
    const taskId = `${cycle.id}.monitoring.${SCHOOL}.q1.report-${suffix}`;
    const input: DeadlineTaskInput = {
      taskId,
      title: 'Мониторинговый отчёт за I четверть',
      assigneeOrganizationId: SCHOOL,
      supervisorOrganizationId: 'demo-mun-severny',
      deadline: { localDateTime: `${addWorkingDays(new Date().toISOString().slice(0, 10), 10)}T18:00`, timeZone: DEMO_ZONE, calendar: 'working-days' },
      policy: DEFAULT_NOTIFICATION_POLICY,
      createdBy: 'system',
      context: {
        cycleId: cycle.id,
        stageId: 'monitoring',
        stepKey: 'monitoring',
        action: 'report',
        subjectOrganizationId: SCHOOL,
        periodId: 'q1',
        formId: 'indicators',
      },
    };
    const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue: cycleQueue,
      workflowId: deadlineTaskWorkflowId(taskId),
      args: [input],
    });
    await handle.executeUpdate(taskReadyUpdate);

    const school = await anonymous.as('director@school1.severny.demo-region.example', DEMO_PASSWORD);
    // The API waits for the Update's answer at most 15 s (testConfig), less than the killed attempt's timeout.
    const submitted: Promise<ApiResponse> = school.post(
      `/api/tasks/${encodeURIComponent(taskId)}/submission`,
      { form: { vprMath: 42, failures: 18, note: 'после сбоя' } },
      { allowServerErrors: [503] },
    );

    // The gap: the worker died inside the projection's transaction.
    expect(await crashing.exited).toBe('SIGKILL');
    expect(await updateAccepted(handle.workflowId)).toBe(true);
    const [taskRow]: { status: string }[] = await harness.dataSource.query(`SELECT status FROM tasks WHERE id = $1`, [taskId]);
    expect(taskRow.status).toBe('open');
    expect(await harness.dataSource.query(`SELECT id FROM submissions WHERE task_id = $1`, [taskId])).toEqual([]);
    expect(await auditTypes(taskId)).toEqual(['created']);

    await startReplacement(cycleQueue);
    const stored = await pollUntil(
      'the report stored with the completion',
      async () => {
        const rows: { id: string; version: number; form: Record<string, unknown> }[] = await harness.dataSource.query(
          `SELECT id, version, form FROM submissions WHERE task_id = $1`,
          [taskId],
        );
        return rows.length > 0 ? rows : undefined;
      },
      120_000,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ version: 1, form: { vprMath: 42, failures: 18, note: 'после сбоя' } });
    const [completed]: { status: string; snapshot: { result?: { submissionId?: string } } }[] = await harness.dataSource.query(
      `SELECT status, snapshot FROM tasks WHERE id = $1`,
      [taskId],
    );
    expect(completed.status).toBe('completed');
    // The workflow's answer names the very row the projection stored.
    expect(completed.snapshot.result?.submissionId).toBe(stored[0].id);
    expect((await handle.query('taskSnapshot')) as { status: string }).toMatchObject({ status: 'completed' });
    expect(await auditTypes(taskId)).toEqual(['created', 'completed', 'submission_made']);
    const [audit]: { data: Record<string, unknown> }[] = await harness.dataSource.query(
      `SELECT data FROM audit_events WHERE subject_id = $1 AND type = 'submission_made'`,
      [taskId],
    );
    expect(audit.data).toMatchObject({ submissionId: stored[0].id, version: 1, periodId: 'q1' });

    // The API gave up waiting (a Russian 503 asking to check before repeating) or saw the retried projection finish.
    const answer = await submitted;
    expect([200, 503]).toContain(answer.status);
    if (answer.status === 503) expect(answer.body.message).toMatch(/проверьте состояние задачи/);
    // A replay fixture of a completion that carries its record (test/integration/replay.spec.ts).
    await handle.result();
    recordHistory('cycle-report-record-after-worker-crash', handle.workflowId);
  });

  it('marks a granted extension request with the task’s new deadline once another worker takes over', async () => {
    const crashing = crashingOnApiQueue;
    const ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
    const reviewer = await anonymous.as('reviewer@demo-region.example', DEMO_PASSWORD);
    const severny = await anonymous.as('coordinator@severny.demo-region.example', DEMO_PASSWORD);
    const today = new Date().toISOString().slice(0, 10);
    const dueDate = addWorkingDays(today, 8);
    const laterDate = addWorkingDays(dueDate, 5);
    const taskId = `record-crash-ext-${suffix}`;
    const created = await ministry.post('/api/tasks', {
      id: taskId,
      title: 'Представить муниципальный план поддержки школ',
      assigneeOrganizationId: 'demo-mun-severny',
      dueAt: `${dueDate}T18:00`,
    });
    expect(created.status).toBe(201);
    const asked = await severny.post(`/api/tasks/${encodeURIComponent(taskId)}/extension-requests`, {
      dueAt: laterDate,
      reason: 'Приказ о рабочей группе подписан с опозданием',
    });
    expect(asked.status).toBe(201);
    const requestId = asked.body.id as string;
    const granted: Promise<ApiResponse> = reviewer.post(
      `/api/extension-requests/${requestId}/decision`,
      { decision: 'granted', basis: 'Письмо управления образования' },
      { allowServerErrors: [503] },
    );

    expect(await crashing.exited).toBe('SIGKILL');
    expect(await updateAccepted(deadlineTaskWorkflowId(taskId))).toBe(true);
    const requestStatus = async (): Promise<string> =>
      ((await harness.dataSource.query(`SELECT status FROM extension_requests WHERE id = $1`, [requestId])) as { status: string }[])[0].status;
    expect(await requestStatus()).toBe('pending');
    const dueAt = async (): Promise<string> =>
      ((await harness.dataSource.query(`SELECT due_at FROM tasks WHERE id = $1`, [taskId])) as { due_at: Date }[])[0].due_at.toISOString();
    const dueBefore = await dueAt();
    expect(await auditTypes(taskId)).toEqual(['created', 'extension_requested']);

    await startReplacement(apiQueue);
    await pollUntil('the request granted with the extension', async () => ((await requestStatus()) === 'granted' ? true : undefined), 120_000);
    const expectedDue = resolveDeadline({ localDateTime: `${laterDate}T18:00`, timeZone: DEMO_ZONE, calendar: 'working-days' }).dueAt;
    expect(dueBefore).not.toBe(new Date(expectedDue).toISOString());
    expect(await dueAt()).toBe(new Date(expectedDue).toISOString());
    expect(await auditTypes(taskId)).toEqual(['created', 'extension_requested', 'extended', 'extension_granted']);
    const view = await reviewer.get(`/api/extension-requests?status=granted`);
    expect(view.status).toBe(200);
    const shown = (view.body as { id: string; decidedBy: string; currentDueAt: string }[]).find((r) => r.id === requestId);
    expect(shown?.decidedBy).toBe('reviewer@demo-region.example');
    expect(Date.parse(shown?.currentDueAt ?? '')).toBe(Date.parse(expectedDue));

    const answer = await granted;
    expect([200, 503]).toContain(answer.status);
  });

  it('writes a record once when its projection is retried after it committed (a worker killed before reporting)', async () => {
    const act = buildTaskActivities(harness.dataSource, harness.mailer);
    const inActivity = (input: Parameters<typeof act.projectTaskEvent>[0]) =>
      new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(act.projectTaskEvent, input);
    const taskId = `${cycle.id}.monitoring.${SCHOOL}.q2.report-${suffix}`;
    const open: TaskSnapshot = {
      taskId,
      workflowId: deadlineTaskWorkflowId(taskId),
      title: 'Мониторинговый отчёт за II четверть',
      status: 'open',
      assigneeOrganizationId: SCHOOL,
      supervisorOrganizationId: 'demo-mun-severny',
      deadline: resolveDeadline({ localDateTime: '2026-12-25T18:00', timeZone: DEMO_ZONE, calendar: 'working-days' }),
      deadlineRevision: 1,
      policy: DEFAULT_NOTIFICATION_POLICY,
      schedule: [],
      sentSteps: [],
      createdBy: 'system',
      createdAt: '2026-11-23T10:00:00.000Z',
      version: 1,
      context: { cycleId: cycle.id, stageId: 'monitoring', stepKey: 'monitoring', action: 'report', subjectOrganizationId: SCHOOL, periodId: 'q2' },
    };
    await inActivity({ snapshot: open, event: { seq: 1, type: 'created', actor: 'system', occurredAt: open.createdAt, data: {} } });
    const submissionId = randomUUID();
    const completed: TaskSnapshot = { ...open, status: 'completed', completedAt: '2026-11-24T10:00:00.000Z', result: { submissionId }, version: 2 };
    const input = {
      snapshot: completed,
      event: { seq: 2, type: 'completed' as const, actor: 'director@school1.severny.demo-region.example', occurredAt: '2026-11-24T10:00:00.000Z', data: {} },
      record: {
        kind: 'cycle_record' as const,
        writes: [
          {
            kind: 'submission' as const,
            submission: {
              id: submissionId,
              cycleId: cycle.id,
              taskId,
              stageId: 'monitoring',
              stepKey: 'monitoring',
              action: 'report',
              organizationId: SCHOOL,
              subjectOrganizationId: SCHOOL,
              periodId: 'q2',
              round: 1,
              documentId: null,
              form: { vprMath: 50 },
              comment: null,
              submittedBy: 'director@school1.severny.demo-region.example',
            },
          },
        ],
        audit: { type: 'submission_made', actor: 'director@school1.severny.demo-region.example', data: { submissionId }, cycleId: cycle.id, organizationIds: [SCHOOL] },
      },
    };
    await inActivity(input);
    await inActivity(input);
    expect(await harness.dataSource.query(`SELECT id, version FROM submissions WHERE task_id = $1`, [taskId])).toEqual([{ id: submissionId, version: 1 }]);
    expect(await auditTypes(taskId)).toEqual(['created', 'completed', 'submission_made']);
  });

  it('stores the record when a later event of the task was projected first (a reminder sent while the completion was being stored)', async () => {
    const act = buildTaskActivities(harness.dataSource, harness.mailer);
    const inActivity = (input: Parameters<typeof act.projectTaskEvent>[0]) =>
      new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') }).run(act.projectTaskEvent, input);
    const taskId = `${cycle.id}.monitoring.${SCHOOL}.q3.report-${suffix}`;
    const open: TaskSnapshot = {
      taskId,
      workflowId: deadlineTaskWorkflowId(taskId),
      title: 'Мониторинговый отчёт за II четверть',
      status: 'open',
      assigneeOrganizationId: SCHOOL,
      supervisorOrganizationId: 'demo-mun-severny',
      deadline: resolveDeadline({ localDateTime: '2026-12-25T18:00', timeZone: DEMO_ZONE, calendar: 'working-days' }),
      deadlineRevision: 1,
      policy: DEFAULT_NOTIFICATION_POLICY,
      schedule: [],
      sentSteps: [],
      createdBy: 'system',
      createdAt: '2026-11-23T10:00:00.000Z',
      version: 1,
      context: { cycleId: cycle.id, stageId: 'monitoring', stepKey: 'monitoring', action: 'report', subjectOrganizationId: SCHOOL, periodId: 'q3' },
    };
    await inActivity({ snapshot: open, event: { seq: 1, type: 'created', actor: 'system', occurredAt: open.createdAt, data: {} } });
    const submissionId = randomUUID();
    const completed: TaskSnapshot = { ...open, status: 'completed', completedAt: '2026-11-24T10:00:00.000Z', result: { submissionId }, version: 2 };
    const input = {
      snapshot: completed,
      event: { seq: 2, type: 'completed' as const, actor: 'director@school1.severny.demo-region.example', occurredAt: '2026-11-24T10:00:00.000Z', data: {} },
      record: {
        kind: 'cycle_record' as const,
        writes: [
          {
            kind: 'submission' as const,
            submission: {
              id: submissionId,
              cycleId: cycle.id,
              taskId,
              stageId: 'monitoring',
              stepKey: 'monitoring',
              action: 'report',
              organizationId: SCHOOL,
              subjectOrganizationId: SCHOOL,
              periodId: 'q3',
              round: 1,
              documentId: null,
              form: { vprMath: 50 },
              comment: null,
              submittedBy: 'director@school1.severny.demo-region.example',
            },
          },
        ],
        audit: { type: 'submission_made', actor: 'director@school1.severny.demo-region.example', data: { submissionId }, cycleId: cycle.id, organizationIds: [SCHOOL] },
      },
    };
    // The workflow's main loop recorded a reminder (version 3, the snapshot already completed) while the completion's
    // projection (version 2, with the record) was still on its way; the reminder's landed first.
    const reminded: TaskSnapshot = { ...completed, sentSteps: ['r1-reminder-1'], version: 3 };
    await inActivity({
      snapshot: reminded,
      event: { seq: 3, type: 'reminder_sent', actor: 'system', occurredAt: '2026-11-24T10:00:01.000Z', data: { stepKey: 'r1-reminder-1' } },
    });
    await inActivity(input);
    await inActivity(input);
    expect(await harness.dataSource.query(`SELECT id, version FROM submissions WHERE task_id = $1`, [taskId])).toEqual([{ id: submissionId, version: 1 }]);
    expect((await auditTypes(taskId)).sort()).toEqual(['completed', 'created', 'reminder_sent', 'submission_made']);
    const [row] = await harness.dataSource.query(`SELECT status, version FROM tasks WHERE id = $1`, [taskId]);
    expect(row).toEqual({ status: 'completed', version: 3 });
  });

  it('stores a practice’s versions, a review’s remarks and their answers, and the published practice, each with its task', async () => {
    // The cycle queue's replacement worker (started above) runs these tasks.
    const school = await anonymous.as('director@school1.severny.demo-region.example', DEMO_PASSWORD);
    const reviewer = await anonymous.as('reviewer@demo-region.example', DEMO_PASSWORD);
    const issue = async (name: string, action: 'describe_practice' | 'review', round: number): Promise<string> => {
      const taskId = `${cycle.id}.best-practice.${SCHOOL}.r${round}.${name}-${suffix}`;
      const handle = await harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
        taskQueue: cycleQueue,
        workflowId: deadlineTaskWorkflowId(taskId),
        args: [
          {
            taskId,
            title: action === 'review' ? 'Рассмотрение описания практики' : 'Описание лучшей практики',
            assigneeOrganizationId: action === 'review' ? 'demo-ministry' : SCHOOL,
            supervisorOrganizationId: action === 'review' ? 'demo-ministry' : 'demo-mun-severny',
            deadline: { localDateTime: `${addWorkingDays(new Date().toISOString().slice(0, 10), 10)}T18:00`, timeZone: DEMO_ZONE, calendar: 'working-days' },
            policy: DEFAULT_NOTIFICATION_POLICY,
            createdBy: 'system',
            context: {
              cycleId: cycle.id,
              stageId: 'practices',
              stepKey: 'best-practice',
              action,
              subjectOrganizationId: SCHOOL,
              round,
              ...(action === 'describe_practice' ? { formId: 'practice' } : {}),
            },
          } satisfies DeadlineTaskInput,
        ],
      });
      await handle.executeUpdate(taskReadyUpdate);
      return taskId;
    };
    const url = (taskId: string, what: string) => `/api/tasks/${encodeURIComponent(taskId)}/${what}`;

    const first = await school.post(url(await issue('describe', 'describe_practice', 1), 'submission'), { form: { title: 'Наставничество' } });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(1);

    const returnedTask = await issue('review', 'review', 1);
    const returned = await reviewer.post(url(returnedTask, 'review'), { decision: 'returned', remarks: ['Опишите результаты', 'Добавьте сроки'] });
    expect(returned.status).toBe(200);
    const remarks = returned.body.remarks as { id: string; text: string; status: string }[];
    expect(remarks.map((r) => [r.text, r.status])).toEqual([
      ['Опишите результаты', 'open'],
      ['Добавьте сроки', 'open'],
    ]);
    const [returnedAudit]: { data: { remarks: { id: string }[] } }[] = await harness.dataSource.query(
      `SELECT data FROM audit_events WHERE subject_id = $1 AND type = 'review_returned'`,
      [returnedTask],
    );
    expect(returnedAudit.data.remarks.map((r) => r.id)).toEqual(remarks.map((r) => r.id));

    const second = await school.post(url(await issue('describe', 'describe_practice', 2), 'submission'), {
      form: { title: 'Наставничество педагогов' },
      remarkAnswers: remarks.map((r) => ({ remarkId: r.id, answer: 'Сделано' })),
    });
    expect(second.status).toBe(200);
    expect(second.body.version).toBe(2);

    const approvedTask = await issue('review', 'review', 2);
    const approved = await reviewer.post(url(approvedTask, 'review'), { decision: 'approved', comment: 'Утверждено' });
    expect(approved.status).toBe(200);
    const stored: { status: string; answered_in_submission_id: string }[] = await harness.dataSource.query(
      `SELECT status, answered_in_submission_id FROM remarks WHERE id = ANY($1) ORDER BY created_at`,
      [remarks.map((r) => r.id)],
    );
    expect(stored).toEqual(remarks.map(() => ({ status: 'accepted', answered_in_submission_id: second.body.submissionId })));
    const practices: { title: string; submission_id: string }[] = await harness.dataSource.query(
      `SELECT title, submission_id FROM best_practices WHERE cycle_id = $1 AND school_id = $2`,
      [cycle.id, SCHOOL],
    );
    expect(practices).toEqual([{ title: 'Наставничество педагогов', submission_id: second.body.submissionId }]);
    expect(await auditTypes(approvedTask)).toEqual(['created', 'completed', 'review_approved']);
  });
});
