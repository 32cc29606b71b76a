/**
 * Fault scenario 2: the Temporal dev server (with its SQLite file) stopped mid-way through a batch of tasks and
 * started again on the same file. Timers that fell due meanwhile fire late, nothing is lost; the API answers a
 * Russian 503 while Temporal is away (health and every write that needs it) and recovers by itself.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/api-app';
import { startTemporalDevServer, type TemporalDevServerHandle } from '../../infra/temporal/dev-server';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { dataSourceOptions } from '../../libs/persistence';
import { recordFaultFigures } from '../support/fault-figures';
import { ApiClient, isRussianText } from '../support/http';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, localDateTimeIn, requireTestEnv, testConfig, uniqueSuffix } from '../support/test-config';
import { startWorkerProcess, writeWorkflowBundle, type WorkerProcess } from '../support/worker-process';

const TEMPORAL_PORT = Number(process.env.UPLIFT_FAULTS_TEMPORAL_PORT ?? 17641);
const TASKS = Number(process.env.FAULTS_TEMPORAL_TASKS ?? 40);
/** How long Temporal stays down. */
const OUTAGE_SECONDS = Number(process.env.FAULTS_TEMPORAL_OUTAGE_SECONDS ?? 30);
/** Temporal is stopped once this many e-mails of the batch have arrived. */
const STOP_AT_RECEIVED = Math.ceil(TASKS / 4);
const ZONE = 'Europe/Moscow';
const suffix = uniqueSuffix();
const taskQueue = `fault-temporal-${suffix}`;

jest.setTimeout(15 * 60_000);

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
let dir: string;
let temporal: TemporalDevServerHandle | undefined;
let sink: SmtpSink;
let worker: WorkerProcess | undefined;
let app: NestFastifyApplication | undefined;
let dataSource: DataSource;

function startTemporal(): Promise<TemporalDevServerHandle> {
  return startTemporalDevServer({
    cliPath: requireTestEnv('UPLIFT_TEST_TEMPORAL_CLI'),
    port: TEMPORAL_PORT,
    dbFile: path.join(dir, 'temporal.db'),
    searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
  });
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'uplift-fault-temporal-'));
  temporal = await startTemporal();
  sink = await SmtpSink.start();
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  const config = testConfig({ taskQueue, smtpUrl: sink.url });
  app = await createApiApp({ ...config, temporal: { ...config.temporal, address: temporal.address } });
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await worker?.kill();
  await app?.close();
  await temporal?.stop();
  await sink?.stop();
  await dataSource?.destroy();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the Temporal server stopped and restarted mid-way', () => {
  it('resumes timers and tasks with nothing lost, and the API answers 503 meanwhile and recovers by itself', async () => {
    const startedAt = Date.now();
    const workflowBundlePath = await writeWorkflowBundle();
    const spawnWorker = () =>
      startWorkerProcess({
        workflowBundlePath,
        taskQueue,
        temporalAddress: temporal!.address,
        databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
        smtpUrl: sink.url,
      });
    worker = await spawnWorker();
    const api = await new ApiClient(await app!.getUrl()).as('programme@demo-region.example', DEMO_PASSWORD);

    // Each task: a reminder and an escalation to the head, spread over about a minute.
    const taskIds: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const id = `fault-temporal-${suffix}-${i}`;
      const response = await api.post('/api/tasks', {
        id,
        title: `Отчёт о готовности ${i + 1}`,
        assigneeOrganizationId: 'demo-mun-yuzhny',
        dueAt: localDateTimeIn(ZONE, 30 + Math.round((40 * i) / TASKS)),
        timeZone: ZONE,
        calendar: 'calendar-days',
        policy: { reminders: [{ secondsBefore: 15 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 16 },
      });
      if (response.status !== 201) throw new Error(`creating ${id}: ${response.status} ${response.text}`);
      taskIds.push(id);
    }
    const expectedIds = taskIds.flatMap((id) => [`<task.${id}.r1-reminder-1@uplift.test>`, `<task.${id}.r1-escalation-1@uplift.test>`]);
    const ours = () => sink.messages.filter((m) => expectedIds.includes(m.messageId));
    log(`${TASKS} tasks created in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    await sink.waitFor(() => ours().length >= STOP_AT_RECEIVED, 120_000);
    await temporal!.stop();
    const stoppedAt = Date.now();
    const receivedAtStop = ours().length;
    log(`Temporal stopped at ${receivedAtStop} e-mails received`);

    // While it is down: health names it, a write that needs it is a Russian 503, reads from PostgreSQL still work.
    const during: Record<string, number> = {};
    const count = (key: string) => (during[key] = (during[key] ?? 0) + 1);
    let workerExits = 0;
    while (Date.now() - stoppedAt < OUTAGE_SECONDS * 1000) {
      const health = await api.get('/api/health', { allowServerErrors: [503] });
      count(`health ${health.status}`);
      expect(health.status).toBe(503);
      expect(health.body.down).toContain('temporal');
      const create = await api.post(
        '/api/tasks',
        { id: `fault-temporal-${suffix}-during-${Date.now()}`, title: 'Задача во время сбоя', assigneeOrganizationId: 'demo-mun-yuzhny', dueAt: localDateTimeIn(ZONE, 30 * 86_400) },
        { allowServerErrors: [503] },
      );
      count(`create ${create.status}`);
      expect(create.status).toBe(503);
      expect(isRussianText(create.body.message)).toBe(true);
      const read = await api.get(`/api/tasks/${taskIds[0]}`);
      count(`read ${read.status}`);
      expect(read.status).toBe(200);
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) workerExits += 1;
      await new Promise((r) => setTimeout(r, 1_000));
    }

    // Measured from the restart command: the dev server reopens its file and fires the overdue timers while it
    // starts, before its readiness probe answers.
    const restartedAt = Date.now();
    temporal = await startTemporal();
    log(`Temporal restarted after ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s down, ready ${((Date.now() - restartedAt) / 1000).toFixed(1)} s later`);
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) {
      // A supervisor (systemd, Kubernetes) restarts a worker that gave up; counted in the figures.
      log('the worker process exited while Temporal was down; starting it again');
      workerExits = Math.max(workerExits, 1);
      worker = await spawnWorker();
    }

    // The API recovers by itself: the next write succeeds without restarting anything.
    const apiBack = await pollUntil(
      'the API accepting a task again',
      async () => {
        const create = await api.post(
          '/api/tasks',
          { id: `fault-temporal-${suffix}-after`, title: 'Задача после сбоя', assigneeOrganizationId: 'demo-mun-yuzhny', dueAt: localDateTimeIn(ZONE, 30 * 86_400) },
          { allowServerErrors: [503], headers: { 'idempotency-key': `after-${suffix}` } },
        );
        count(`create after restart ${create.status}`);
        // Temporal answers again once the workflow starts: 201, or the Update that waits for the worker timed out
        // (503 «принята», the task exists) and a retry finds it (409); the worker's own recovery is the next e-mail.
        const reached = create.status === 201 || create.status === 409 || /принята/.test(String(create.body?.message));
        return reached ? Date.now() : undefined;
      },
      120_000,
    );
    const firstMailAfter = await pollUntil('an e-mail after the restart', async () => (ours().length > receivedAtStop ? Date.now() : undefined), 120_000);
    await sink.waitFor(() => new Set(ours().map((m) => m.messageId)).size >= expectedIds.length, 300_000);
    const deliveredAt = Date.now();

    const rows = await pollUntil(
      'every outbox row sent',
      async () => {
        const found: { message_id: string; status: string }[] = await dataSource.query(
          `SELECT message_id, status FROM notifications WHERE task_id = ANY($1)`,
          [taskIds],
        );
        return found.length === expectedIds.length && found.every((r) => r.status === 'sent') ? found : undefined;
      },
      60_000,
    );
    const audit = await pollUntil(
      'every reminder and escalation in the audit log',
      async () => {
        const found: { type: string; n: string }[] = await dataSource.query(
          `SELECT type, count(*) AS n FROM audit_events WHERE subject_id = ANY($1) GROUP BY type ORDER BY type`,
          [taskIds],
        );
        const byType = Object.fromEntries(found.map((r) => [r.type, Number(r.n)]));
        return byType.reminder_sent === TASKS && byType.escalation_sent === TASKS ? byType : undefined;
      },
      60_000,
    );
    const tasks: { status: string; n: string }[] = await dataSource.query(
      `SELECT status, count(*) AS n FROM tasks WHERE id = ANY($1) GROUP BY status`,
      [taskIds],
    );

    const received = ours();
    const distinct = new Set(received.map((m) => m.messageId));
    recordFaultFigures({
      scenario: '2-temporal-restart',
      fault: `Temporal dev server (SQLite file) stopped at ${receivedAtStop} e-mails received, down ${Math.round((restartedAt - stoppedAt) / 1000)} s, restarted on the same file`,
      faultsInjected: 1,
      emailsExpected: expectedIds.length,
      delivered: distinct.size,
      lost: expectedIds.length - distinct.size,
      duplicated: received.length - distinct.size,
      recoverSeconds: [(firstMailAfter - restartedAt) / 1000],
      extra: {
        'API reaching Temporal again after restart (s)': Math.round((apiBack - restartedAt) / 100) / 10,
        'API answers while down': Object.entries(during)
          .filter(([k]) => !k.includes('after'))
          .map(([k, v]) => `${k} ×${v}`)
          .join(', '),
        'worker process exits': workerExits,
        'all delivered after restart (s)': Math.round((deliveredAt - restartedAt) / 1000),
      },
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    });

    expect(distinct.size).toBe(expectedIds.length);
    expect(received.length).toBe(distinct.size);
    expect(rows).toHaveLength(expectedIds.length);
    expect(audit).toMatchObject({ created: TASKS, reminder_sent: TASKS, escalation_sent: TASKS });
    expect(tasks).toEqual([{ status: 'open', n: String(TASKS) }]);
  });
});
