/**
 * Fault scenario «the worker killed with SIGKILL through a burst of reminders»: the project's real worker runs as a
 * child process, `count` deadline tasks each send one reminder spread over `spreadSeconds`, and the worker is killed
 * whenever `shouldKill` says so and started again at once. The result counts what the SMTP server received against
 * the outbox: no e-mail may be lost, and a duplicate is allowed only for a send in flight at a kill (received before
 * the kill, its outbox row marked sent only after it, by the retry).
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { DEADLINE_TASK_WORKFLOW, deadlineTaskWorkflowId, type DeadlineTaskInput } from '../../libs/contracts/deadline-task';
import type { FaultFigures } from './fault-figures';
import { pollUntil } from './poll';
import { SmtpSink } from './smtp-sink';
import { localDateTimeIn, requireTestEnv, uniqueSuffix } from './test-config';
import { openHarness, type Harness } from './worker-harness';
import { startWorkerProcess, writeWorkflowBundle, type WorkerProcess } from './worker-process';

const ZONE = 'Europe/Moscow';
/** The reminder goes this long before the deadline; a task issued late is due this long plus 3 s after issue. */
const REMINDER_SECONDS_BEFORE = 2;

export interface BurstState {
  /** Distinct Message-IDs received so far. */
  distinct: number;
  kills: number;
  /** When the oldest running worker began polling. */
  workerReadyAt: number;
}

export interface ReminderBurstOptions {
  scenario: string;
  fault: string;
  count: number;
  /** The first reminder is due this long after the tasks start being created. */
  leadSeconds: number;
  /** Reminders are spread evenly over this window. */
  spreadSeconds: number;
  /** Asked every 100 ms while e-mails are outstanding: kill the oldest running worker now? */
  shouldKill(state: BurstState): boolean;
  /** Worker processes polling at once (default 1); a kill hits the oldest. */
  workers?: number;
  /** Start a new worker process for each one killed (default true); false leaves the survivors to take over. */
  restartKilled?: boolean;
  /** 'project': apps/worker/main.ts (bundles the workflows at each start); 'bundled' (default): test/support/run-worker.ts. */
  workerEntry?: 'project' | 'bundled';
  /** The whole burst must be delivered within this. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface DuplicateTrace {
  messageId: string;
  receipts: number;
  /** The kill that cut the first send short: its outbox row was still pending then. */
  killAt: string;
  firstReceivedAt: string;
  rowSentAt: string;
}

export interface ReminderBurstResult {
  figures: FaultFigures;
  /** Message-IDs never received. */
  lostIds: string[];
  duplicates: DuplicateTrace[];
  /** Duplicates that no kill explains (must be empty). */
  unexplainedDuplicates: string[];
  /** Outbox rows not `sent` after the burst (must be empty). */
  unsentRows: string[];
  /** Tasks not `open` in the projection, or without exactly one `reminder_sent` audit entry (must be empty). */
  wrongTasks: string[];
  /** Receipts whose Message-ID has no outbox row (must be 0). */
  strayReceipts: number;
  /** Per task: its workflow, its reminder's Message-ID, when the reminder was due and first received (ms since epoch). */
  deliveries: { taskId: string; workflowId: string; messageId: string; dueAt: number; firstReceivedAt?: number }[];
  /** Every worker process started, in start order, and those killed with the time of each kill. */
  workerPids: number[];
  killed: { pid: number; at: number }[];
}

/** Runs the burst against the shared test components; the caller asserts on the result. */
export async function runReminderBurst(options: ReminderBurstOptions): Promise<ReminderBurstResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const taskQueue = `fault-burst-${uniqueSuffix()}`;
  const sink = await SmtpSink.start();
  let harness: Harness | undefined;
  const running: WorkerProcess[] = [];
  const taskIds = Array.from({ length: options.count }, (_, i) => `burst-${uniqueSuffix()}-${i}`);
  const expectedIds = new Set(taskIds.map((id) => `<task.${id}.r1-reminder-1@uplift.test>`));
  const receivedAt: number[] = [];
  const kills: number[] = [];
  const recoverSeconds: number[] = [];
  const dueAt = new Map<string, number>();
  const workerPids: number[] = [];
  const killed: { pid: number; at: number }[] = [];

  const bundlePath = options.workerEntry === 'project' ? undefined : await writeWorkflowBundle();
  const spawnWorker = async () => {
    const worker = await startWorkerProcess({
      workflowBundlePath: bundlePath,
      taskQueue,
      temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
      databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
      smtpUrl: sink.url,
    });
    if (worker.child.pid !== undefined) workerPids.push(worker.child.pid);
    return worker;
  };

  try {
    harness = await openHarness(sink.url);
    running.push(...(await Promise.all(Array.from({ length: options.workers ?? 1 }, spawnWorker))));
    log(`${running.length} worker process(es) up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    // The tasks, created by the client as the API would, their reminders spread over the window.
    const createStart = Date.now();
    const client = harness.env.client;
    let next = 0;
    const startOne = async (i: number): Promise<void> => {
      const offset = options.leadSeconds + (options.spreadSeconds * i) / options.count - (Date.now() - createStart) / 1000;
      const localDateTime = localDateTimeIn(ZONE, Math.ceil(offset) + REMINDER_SECONDS_BEFORE);
      dueAt.set(taskIds[i], DateTime.fromISO(localDateTime, { zone: ZONE }).toMillis() - REMINDER_SECONDS_BEFORE * 1000);
      const input: DeadlineTaskInput = {
        taskId: taskIds[i],
        title: `Отчёт о сбоях ${i + 1}`,
        assigneeOrganizationId: 'demo-mun-yuzhny',
        supervisorOrganizationId: 'demo-ministry',
        deadline: {
          localDateTime,
          timeZone: ZONE,
          calendar: 'calendar-days',
        },
        policy: { reminders: [{ secondsBefore: REMINDER_SECONDS_BEFORE }], escalations: [], minimumLeadSeconds: REMINDER_SECONDS_BEFORE + 3 },
        createdBy: 'programme@demo-region.example',
      };
      try {
        await client.workflow.start(DEADLINE_TASK_WORKFLOW, { taskQueue, workflowId: deadlineTaskWorkflowId(taskIds[i]), args: [input] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    };
    const creating = Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < options.count) await startOne(next++);
      }),
    );

    // Watch receipts and kill the worker when told, until every reminder has arrived.
    const distinctIds = new Set<string>();
    let seen = 0;
    let creationDone = false;
    let timedOut = false;
    let creationError: unknown;
    creating.then(
      () => {
        creationDone = true;
        log(`${options.count} tasks started in ${((Date.now() - createStart) / 1000).toFixed(1)} s`);
      },
      (err: unknown) => (creationError = err),
    );
    const deadline = startedAt + options.timeoutMs;
    while (distinctIds.size < options.count || !creationDone) {
      if (creationError) throw creationError;
      const now = Date.now();
      for (; seen < sink.messages.length; seen++) {
        receivedAt.push(now);
        distinctIds.add(sink.messages[seen].messageId);
      }
      if (distinctIds.size >= options.count) {
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (now > deadline) {
        // Counted and reported all the same: what had not arrived by then is lost as far as the figures go.
        log(`burst not delivered within ${options.timeoutMs} ms: ${distinctIds.size} of ${options.count} received, ${kills.length} kills`);
        timedOut = true;
        break;
      }
      if (running.length > 0 && options.shouldKill({ distinct: distinctIds.size, kills: kills.length, workerReadyAt: running[0].readyAt })) {
        const victim = running.shift()!;
        await victim.kill();
        const killedAt = Date.now();
        if (victim.child.pid !== undefined) killed.push({ pid: victim.child.pid, at: killedAt });
        kills.push(killedAt);
        log(`kill ${kills.length} at ${distinctIds.size} received`);
        if (options.restartKilled ?? true) {
          running.push(await spawnWorker());
          log(`  worker back in ${((Date.now() - killedAt) / 1000).toFixed(1)} s`);
        }
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const deliveredAt = Date.now();

    // The last worker finishes the bookkeeping (outbox rows marked, audit entries written) of the final sends.
    const dataSource = harness.dataSource;
    type Row = { message_id: string; task_id: string; status: string; attempts: number; created_at: Date; sent_at: Date | null };
    const rows = await pollUntil(
      'every outbox row of the burst sent',
      async () => {
        const found: Row[] = await dataSource.query(
          `SELECT message_id, task_id, status, attempts, created_at, sent_at FROM notifications WHERE task_id = ANY($1)`,
          [taskIds],
        );
        return found.length === options.count && found.every((r) => r.status === 'sent') ? found : undefined;
      },
      timedOut ? 1_000 : 120_000,
      async () => {
        const counts: { status: string; n: string }[] = await dataSource.query(
          `SELECT status, count(*) AS n FROM notifications WHERE task_id = ANY($1) GROUP BY status`,
          [taskIds],
        );
        return JSON.stringify(counts);
      },
    ).catch(async () =>
      (await dataSource.query(`SELECT message_id, task_id, status, attempts, created_at, sent_at FROM notifications WHERE task_id = ANY($1)`, [taskIds])) as Row[],
    );
    await pollUntil(
      'a reminder_sent audit entry for every task',
      async () => {
        const [{ n }]: { n: string }[] = await dataSource.query(
          `SELECT count(*) AS n FROM audit_events WHERE subject_id = ANY($1) AND type = 'reminder_sent'`,
          [taskIds],
        );
        return Number(n) >= options.count ? true : undefined;
      },
      timedOut ? 1_000 : 120_000,
    ).catch(() => undefined);

    // The count.
    const receipts = new Map<string, number[]>();
    sink.messages.forEach((m, i) => receipts.set(m.messageId, [...(receipts.get(m.messageId) ?? []), receivedAt[i] ?? deliveredAt]));
    const rowById = new Map(rows.map((r) => [r.message_id, r]));
    const lostIds = [...expectedIds].filter((id) => !receipts.has(id));
    const strayReceipts = sink.messages.filter((m) => !rowById.has(m.messageId)).length;
    const duplicates: DuplicateTrace[] = [];
    const unexplainedDuplicates: string[] = [];
    // The sink's receipt times are sampled every 100 ms, so a receipt up to a second before the kill counts as before.
    for (const [messageId, times] of receipts) {
      if (times.length < 2) continue;
      const row = rowById.get(messageId);
      const sentAt = row?.sent_at ? new Date(row.sent_at).getTime() : undefined;
      const kill = kills.find((k) => times[0] <= k + 1_000 && sentAt !== undefined && sentAt >= k - 1_000);
      if (row && kill !== undefined && sentAt !== undefined) {
        duplicates.push({
          messageId,
          receipts: times.length,
          killAt: new Date(kill).toISOString(),
          firstReceivedAt: new Date(times[0]).toISOString(),
          rowSentAt: new Date(sentAt).toISOString(),
        });
      } else {
        const nearest = kills.length ? Math.min(...kills.map((k) => Math.abs(k - times[0]))) / 1000 : undefined;
        unexplainedDuplicates.push(
          `${messageId}: received at ${times.map((t) => new Date(t).toISOString()).join(', ')}; row ${row?.status ?? 'missing'}, ` +
            `${row?.attempts ?? 0} attempts recorded, sent_at ${sentAt ? new Date(sentAt).toISOString() : '—'}; nearest kill ${nearest ?? '—'} s away`,
        );
      }
    }
    // Per kill: from the kill until the last send that was under way then (its row written before the kill, marked
    // sent after it) was done, by the restarted or a surviving worker.
    for (const kill of kills) {
      const inFlight = rows.filter((r) => new Date(r.created_at).getTime() <= kill && r.sent_at && new Date(r.sent_at).getTime() > kill);
      const done = Math.max(kill, ...inFlight.map((r) => new Date(r.sent_at!).getTime()));
      recoverSeconds.push((done - kill) / 1000);
    }
    const unsentRows = rows.filter((r) => r.status !== 'sent').map((r) => r.message_id);
    const taskRows: { id: string; status: string; reminders: string }[] = await dataSource.query(
      `SELECT t.id, t.status,
              (SELECT count(*) FROM audit_events a WHERE a.subject_id = t.id AND a.type = 'reminder_sent') AS reminders
         FROM tasks t WHERE t.id = ANY($1)`,
      [taskIds],
    );
    const wrongTasks = [
      ...taskIds.filter((id) => !taskRows.some((t) => t.id === id)).map((id) => `${id}: no row`),
      ...taskRows.filter((t) => t.status !== 'open' || Number(t.reminders) !== 1).map((t) => `${t.id}: ${t.status}, ${t.reminders} reminder_sent`),
    ];

    // The tasks have nothing left to do but wait for a deadline nobody will meet: end them.
    await Promise.all(
      Array.from({ length: 8 }, async (_, lane) => {
        for (let i = lane; i < taskIds.length; i += 8) {
          await client.workflow.getHandle(deadlineTaskWorkflowId(taskIds[i])).terminate('fault test finished').catch(() => undefined);
        }
      }),
    );

    const figures: FaultFigures = {
      scenario: options.scenario,
      fault: options.fault,
      faultsInjected: kills.length,
      emailsExpected: options.count,
      delivered: [...expectedIds].filter((id) => receipts.has(id)).length,
      lost: lostIds.length,
      duplicated: sink.messages.length - receipts.size,
      recoverSeconds,
      extra: {
        'duplicates traced to a kill': duplicates.length,
        'sends cut off before acceptance': sink.abandoned,
        'burst seconds': Math.round((deliveredAt - createStart) / 1000),
        ...(timedOut ? { 'timed out after (s)': Math.round(options.timeoutMs / 1000) } : {}),
      },
      startedAt: new Date(startedAt).toISOString(),
      durationSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
    const deliveries = taskIds.map((taskId) => {
      const messageId = `<task.${taskId}.r1-reminder-1@uplift.test>`;
      return { taskId, workflowId: deadlineTaskWorkflowId(taskId), messageId, dueAt: dueAt.get(taskId)!, firstReceivedAt: receipts.get(messageId)?.[0] };
    });
    return { figures, lostIds, duplicates, unexplainedDuplicates, unsentRows, wrongTasks, strayReceipts, deliveries, workerPids, killed };
  } finally {
    await Promise.all(running.map((w) => w.kill()));
    await harness?.close();
    await sink.stop();
  }
}
