/**
 * Fault scenario 3: PostgreSQL stopped for 30 s and started again on the same cluster while activities write
 * (reminders and escalations going out, projected and audited) and users submit (task completions through the API).
 * Activities retry until it is back; the API answers a Russian 503, never a 500, meanwhile and recovers by itself;
 * every submission is stored once, with its audit entry, and no e-mail is lost.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/api-app';
import { dataSourceOptions, runMigrations } from '../../libs/persistence';
import { recordFaultFigures } from '../support/fault-figures';
import { ApiClient, isRussianText, type ApiResponse } from '../support/http';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, localDateTimeIn, requireTestEnv, testConfig, uniqueSuffix } from '../support/test-config';
import { startPostgresProcess, type PostgresProcess } from '../support/postgres-process';
import { startWorkerProcess, writeWorkflowBundle, type WorkerProcess } from '../support/worker-process';

const POSTGRES_PORT = Number(process.env.UPLIFT_FAULTS_POSTGRES_PORT ?? 15841);
const NOTIFIED_TASKS = Number(process.env.FAULTS_PG_TASKS ?? 20);
const SUBMITTED_TASKS = Number(process.env.FAULTS_PG_SUBMISSIONS ?? 10);
const OUTAGE_SECONDS = Number(process.env.FAULTS_PG_OUTAGE_SECONDS ?? 30);
const STOP_AT_RECEIVED = Math.ceil(NOTIFIED_TASKS / 2);
const ZONE = 'Europe/Moscow';
const suffix = uniqueSuffix();
const taskQueue = `fault-postgres-${suffix}`;

jest.setTimeout(15 * 60_000);

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
let dataDir: string;
let postgres: PostgresProcess | undefined;
let sink: SmtpSink;
let worker: WorkerProcess | undefined;
let app: NestFastifyApplication | undefined;

function startPostgres(): Promise<PostgresProcess> {
  // A cluster of its own that survives its stop (the folder is removed after the test), in a process of its own.
  return startPostgresProcess(dataDir, POSTGRES_PORT, 'uplift_faults');
}

async function withDatabase<T>(url: string, run: (ds: DataSource) => Promise<T>): Promise<T> {
  const ds = await new DataSource(dataSourceOptions(url)).initialize();
  try {
    return await run(ds);
  } finally {
    await ds.destroy();
  }
}

beforeAll(async () => {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'uplift-fault-pg-'));
  // Run as root, PostgreSQL runs as the postgres OS user, which must reach the cluster's folder.
  await fs.chmod(base, 0o755);
  dataDir = path.join(base, 'cluster');
  postgres = await startPostgres();
  await withDatabase(postgres.url, runMigrations);
  sink = await SmtpSink.start();
  app = await createApiApp({ ...testConfig({ taskQueue, smtpUrl: sink.url }), databaseUrl: postgres.url });
  await app.listen(0, '127.0.0.1');
});

afterAll(async () => {
  await worker?.kill();
  await app?.close();
  await postgres?.stop();
  await sink?.stop();
  await fs.rm(path.dirname(dataDir), { recursive: true, force: true });
});

describe('PostgreSQL stopped and restarted while activities write and users submit', () => {
  it('retries the activities, stores every submission once, and the API answers 503 meanwhile and recovers', async () => {
    const startedAt = Date.now();
    const databaseUrl = postgres!.url;
    worker = await startWorkerProcess({
        workflowBundlePath: await writeWorkflowBundle(),
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl,
      smtpUrl: sink.url,
    });
    const anonymous = new ApiClient(await app!.getUrl());
    const ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
    const coordinator = await anonymous.as('coordinator@yuzhny.demo-region.example', DEMO_PASSWORD);

    const create = async (id: string, body: Record<string, unknown>) => {
      const response = await ministry.post('/api/tasks', { id, assigneeOrganizationId: 'demo-mun-yuzhny', ...body });
      if (response.status !== 201) throw new Error(`creating ${id}: ${response.status} ${response.text}`);
    };
    // Tasks whose e-mails go out around the outage: a reminder and an escalation each, over about 40 s.
    const notified = Array.from({ length: NOTIFIED_TASKS }, (_, i) => `fault-pg-${suffix}-n${i}`);
    for (const [i, id] of notified.entries()) {
      await create(id, {
        title: `Сведения о кадрах ${i + 1}`,
        dueAt: localDateTimeIn(ZONE, 25 + Math.round((40 * i) / NOTIFIED_TASKS)),
        timeZone: ZONE,
        calendar: 'calendar-days',
        policy: { reminders: [{ secondsBefore: 12 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 13 },
      });
    }
    // Tasks the coordinator completes: one before the outage, the rest tried during it and retried afterwards.
    const submitted = Array.from({ length: SUBMITTED_TASKS }, (_, i) => `fault-pg-${suffix}-s${i}`);
    for (const [i, id] of submitted.entries()) {
      await create(id, { title: `План мероприятий ${i + 1}`, dueAt: localDateTimeIn(ZONE, 30 * 86_400) });
    }
    const expectedIds = notified.flatMap((id) => [`<task.${id}.r1-reminder-1@uplift.test>`, `<task.${id}.r1-escalation-1@uplift.test>`]);
    const ours = () => sink.messages.filter((m) => expectedIds.includes(m.messageId));
    const complete = (id: string): Promise<ApiResponse> =>
      coordinator.post(`/api/tasks/${id}/complete`, { comment: `Выполнено: ${id}` }, { allowServerErrors: [503], headers: { 'idempotency-key': `complete-${id}` } });
    const before = await complete(submitted[0]);
    expect(before.status).toBe(200);

    await sink.waitFor(() => ours().length >= STOP_AT_RECEIVED, 120_000);
    await postgres!.stop();
    const stoppedAt = Date.now();
    const receivedAtStop = ours().length;
    log(`PostgreSQL stopped at ${receivedAtStop} e-mails received`);

    const during: Record<string, number> = {};
    const count = (key: string) => (during[key] = (during[key] ?? 0) + 1);
    const pending = submitted.slice(1);
    let next = 0;
    while (Date.now() - stoppedAt < OUTAGE_SECONDS * 1000) {
      const health = await anonymous.get('/api/health', { allowServerErrors: [503] });
      count(`health ${health.status}`);
      expect(health.status).toBe(503);
      expect(health.body.down).toContain('database');
      const inbox = await coordinator.get('/api/tasks?limit=5', { allowServerErrors: [503] });
      count(`inbox ${inbox.status}`);
      expect(inbox.status).toBe(503);
      expect(isRussianText(inbox.body.message)).toBe(true);
      const submission = await complete(pending[next++ % pending.length]);
      count(`complete ${submission.status}`);
      expect(submission.status).toBe(503);
      expect(isRussianText(submission.body.message)).toBe(true);
      await new Promise((r) => setTimeout(r, 1_000));
    }

    postgres = await startPostgres();
    const restartedAt = Date.now();
    log(`PostgreSQL back after ${((restartedAt - stoppedAt) / 1000).toFixed(1)} s down`);

    // The API recovers by itself (its pool reconnects); each submission is retried with its key until it is stored.
    const apiBack = await pollUntil(
      'the API answering the inbox again',
      async () => ((await coordinator.get('/api/tasks?limit=5', { allowServerErrors: [503] })).status === 200 ? Date.now() : undefined),
      120_000,
    );
    const outcomes: Record<string, number> = {};
    for (const id of pending) {
      const response = await pollUntil(
        `completing ${id} after the outage`,
        async () => {
          const r = await complete(id);
          return r.status === 503 ? undefined : r;
        },
        120_000,
      );
      outcomes[response.status] = (outcomes[response.status] ?? 0) + 1;
      expect(response.status).toBe(200);
    }
    // The same key again replays the stored answer, nothing runs twice.
    const replay = await complete(pending[0]);
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const firstMailAfter = await pollUntil('an e-mail after the restart', async () => (ours().length > receivedAtStop ? Date.now() : undefined), 180_000);
    await sink.waitFor(() => new Set(ours().map((m) => m.messageId)).size >= expectedIds.length, 300_000);
    const deliveredAt = Date.now();

    const check = await withDatabase(databaseUrl, async (ds) => {
      const rows = await pollUntil(
        'every outbox row sent',
        async () => {
          const found: { status: string }[] = await ds.query(`SELECT status FROM notifications WHERE task_id = ANY($1)`, [notified]);
          return found.length === expectedIds.length && found.every((r) => r.status === 'sent') ? found : undefined;
        },
        120_000,
      );
      const audit = await pollUntil(
        'the audit log complete',
        async () => {
          const found: { type: string; n: string }[] = await ds.query(
            `SELECT type, count(*) AS n FROM audit_events WHERE subject_id = ANY($1) GROUP BY type`,
            [[...notified, ...submitted]],
          );
          const byType = Object.fromEntries(found.map((r) => [r.type, Number(r.n)]));
          return byType.reminder_sent === NOTIFIED_TASKS && byType.completed === SUBMITTED_TASKS ? byType : undefined;
        },
        120_000,
      );
      // No partial rows: each task's history has no gap (an event whose projection half-committed would leave one).
      const mismatched: { subject_id: string }[] = await ds.query(
        `SELECT subject_id FROM audit_events WHERE subject_id = ANY($1)
          GROUP BY subject_id HAVING count(DISTINCT seq) <> max(seq) - min(seq) + 1 OR count(*) <> count(DISTINCT seq)`,
        [[...notified, ...submitted]],
      );
      const statuses: { status: string; n: string }[] = await ds.query(
        `SELECT status, count(*) AS n FROM tasks WHERE id = ANY($1) GROUP BY status ORDER BY status`,
        [[...notified, ...submitted]],
      );
      return { rows, audit, mismatched, statuses };
    });

    const received = ours();
    const distinct = new Set(received.map((m) => m.messageId));
    recordFaultFigures({
      scenario: '3-postgres-restart',
      fault: `PostgreSQL stopped at ${receivedAtStop} e-mails received, down ${Math.round((restartedAt - stoppedAt) / 1000)} s, restarted on the same cluster`,
      faultsInjected: 1,
      emailsExpected: expectedIds.length,
      delivered: distinct.size,
      lost: expectedIds.length - distinct.size,
      duplicated: received.length - distinct.size,
      recoverSeconds: [(apiBack - restartedAt) / 1000],
      extra: {
        'first e-mail after restart (s)': Math.round((firstMailAfter - restartedAt) / 100) / 10,
        'all delivered after restart (s)': Math.round((deliveredAt - restartedAt) / 1000),
        'API answers while down': Object.entries(during)
          .map(([k, v]) => `${k} ×${v}`)
          .join(', '),
        'submissions stored': `${(check.audit.completed as number) ?? 0} of ${SUBMITTED_TASKS}`,
        'tasks with a gap in their history': check.mismatched.length,
      },
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    });

    expect(distinct.size).toBe(expectedIds.length);
    expect(check.audit).toMatchObject({ created: NOTIFIED_TASKS + SUBMITTED_TASKS, reminder_sent: NOTIFIED_TASKS, escalation_sent: NOTIFIED_TASKS, completed: SUBMITTED_TASKS });
    expect(check.mismatched).toEqual([]);
    expect(check.statuses).toEqual([
      { status: 'completed', n: String(SUBMITTED_TASKS) },
      { status: 'open', n: String(NOTIFIED_TASKS) },
    ]);
  });
});
