import { Client, Connection } from '@temporalio/client';
import { msToNumber, tsToMs } from '@temporalio/common/lib/time';
import { recordFaultFigures } from '../support/fault-figures';
import { runReminderBurst } from '../support/reminder-burst';
import { requireTestEnv } from '../support/test-config';
import { MAIL_OPTIONS } from '../../workflows/activity-failures';

// `npm run test:cluster`: the Temporal cluster on PostgreSQL (test/cluster/cluster-global-setup.ts), two worker
// processes on one task queue, a burst of deadline tasks each sending one reminder, and one worker SIGKILLed once a
// third of the reminders has arrived, not restarted. Overridable: CLUSTER_REMINDERS.
const COUNT = Number(process.env.CLUSTER_REMINDERS ?? 300);

/**
 * The longest a lost piece of work waits before the survivor gets it: a reminder's e-mail activity held by the killed
 * worker is given up after its start-to-close timeout and retried after the first retry interval. (A workflow task
 * held by it times out sooner: 10 s, or 5 s on the killed worker's sticky queue.)
 */
const RECOVERY_MS = msToNumber(MAIL_OPTIONS.startToCloseTimeout!) + msToNumber(MAIL_OPTIONS.retry!.initialInterval!);
const SEND_ACTIVITY = 'sendTaskNotification';

/** One reminder's e-mail activity as its history tells it: when scheduled, when its last attempt started, by whom. */
interface SendAttempt {
  workflowId: string;
  scheduledAt: number;
  startedAt: number;
  attempt: number;
  /** Set when an earlier attempt timed out (start-to-close): the attempt the kill cut short. */
  afterTimeout: boolean;
}

jest.setTimeout(30 * 60_000);

describe('two worker processes on a Temporal cluster on PostgreSQL', () => {
  it('share the reminders, and when one is SIGKILLed the other delivers every e-mail once, none later than its timeouts allow', async () => {
    const result = await runReminderBurst({
      scenario: `cluster-2-workers-1-sigkill-${COUNT}`,
      fault: 'one of two worker processes SIGKILLed once a third of the reminders arrived, not restarted',
      count: COUNT,
      workers: 2,
      restartKilled: false,
      leadSeconds: 20 + COUNT * 0.05,
      spreadSeconds: Math.max(60, COUNT * 0.3),
      shouldKill: ({ distinct, kills }) => kills === 0 && distinct >= COUNT / 3,
      timeoutMs: 20 * 60_000,
      log: (line) => process.stdout.write(`[cluster] ${line}\n`),
    });

    // Who ran what: each activity's start in the workflow's history names the worker that took it (pid@host).
    const connection = await Connection.connect({ address: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS') });
    const activitiesByPid = new Map<number, number>(result.workerPids.map((pid) => [pid, 0]));
    const sends: SendAttempt[] = [];
    let workflowTaskTimeouts = 0;
    try {
      const client = new Client({ connection });
      for (let i = 0; i < result.deliveries.length; i += 8) {
        const batch = result.deliveries.slice(i, i + 8);
        const histories = await Promise.all(batch.map((d) => client.workflow.getHandle(d.workflowId).fetchHistory()));
        histories.forEach((history, j) => {
          const scheduled = new Map<string, { at: number; type: string }>();
          for (const event of history.events ?? []) {
            const at = tsToMs(event.eventTime);
            if (event.workflowTaskTimedOutEventAttributes) workflowTaskTimeouts++;
            const scheduledAttrs = event.activityTaskScheduledEventAttributes;
            if (scheduledAttrs) scheduled.set(String(event.eventId), { at, type: scheduledAttrs.activityType?.name ?? '' });
            const started = event.activityTaskStartedEventAttributes;
            if (!started?.identity) continue;
            const pid = Number(started.identity.split('@')[0]);
            activitiesByPid.set(pid, (activitiesByPid.get(pid) ?? 0) + 1);
            const of = scheduled.get(String(started.scheduledEventId));
            if (of?.type === SEND_ACTIVITY) {
              sends.push({
                workflowId: batch[j].workflowId,
                scheduledAt: of.at,
                startedAt: at,
                attempt: started.attempt ?? 1,
                afterTimeout: started.lastFailure?.timeoutFailureInfo !== undefined && started.lastFailure?.timeoutFailureInfo !== null,
              });
            }
          }
        });
      }
    } finally {
      await connection.close();
    }

    // The kill's cost, from the histories: an e-mail activity the killed worker held is started again (attempt 2)
    // after its start-to-close timeout and first retry interval, plus the time a worker takes to pick up a scheduled
    // activity on this machine, measured on the attempts that went through at once.
    const firstTries = sends.filter((a) => a.attempt === 1);
    const pickUpMs = Math.max(1_000, ...firstTries.map((a) => a.startedAt - a.scheduledAt));
    const retried = sends.filter((a) => a.attempt > 1);
    const retryAllowedMs = RECOVERY_MS + 2 * pickUpMs;
    const retriedLate = retried
      .filter((a) => !a.afterTimeout || a.attempt !== 2 || a.startedAt - a.scheduledAt > retryAllowedMs)
      .map((a) => `${a.workflowId}: attempt ${a.attempt} started ${a.startedAt - a.scheduledAt} ms after scheduling${a.afterTimeout ? '' : ', not after a timeout'}`);

    // Lateness end to end: from each reminder's due time to its e-mail's first arrival. Reminders delivered before the
    // kill show what the loaded machine takes without a fault; one caught by the kill may take that plus the timeouts.
    const kill = result.killed[0];
    const lateness = result.deliveries
      .filter((d) => d.firstReceivedAt !== undefined)
      .map((d) => ({ ...d, lateMs: d.firstReceivedAt! - d.dueAt }));
    const beforeKill = lateness.filter((d) => kill !== undefined && d.firstReceivedAt! < kill.at);
    const baselineMs = Math.max(1_000, ...beforeKill.map((d) => d.lateMs));
    const allowedMs = RECOVERY_MS + 2 * baselineMs;
    const tooLate = lateness.filter((d) => d.lateMs > allowedMs).map((d) => `${d.messageId}: ${d.lateMs} ms after due`);
    const worstMs = Math.max(...lateness.map((d) => d.lateMs));

    recordFaultFigures({
      ...result.figures,
      extra: {
        ...result.figures.extra,
        'activities per worker': [...activitiesByPid.values()].join(' / '),
        'worst lateness before kill (s)': baselineMs / 1000,
        'worst lateness (s)': worstMs / 1000,
        'allowed lateness (s)': allowedMs / 1000,
        'e-mail activities retried after the kill': retried.length,
        'their worst wait from scheduling (s)': Math.max(0, ...retried.map((a) => a.startedAt - a.scheduledAt)) / 1000,
        'worst pick-up of a first attempt (s)': pickUpMs / 1000,
        'workflow tasks timed out': workflowTaskTimeouts,
      },
    });
    process.stdout.write(
      `activities per worker pid: ${JSON.stringify(Object.fromEntries(activitiesByPid))}; killed ${JSON.stringify(result.killed)}; ` +
        `lateness worst ${worstMs} ms (before the kill ${baselineMs} ms, allowed ${allowedMs} ms); ` +
        `duplicates traced to the kill: ${result.duplicates.length}; e-mail activities retried: ${retried.length} ` +
        `(${retried.map((a) => `${a.startedAt - a.scheduledAt} ms`).join(', ')}; allowed ${retryAllowedMs} ms); ` +
        `workflow tasks timed out: ${workflowTaskTimeouts}\n` +
        `lateness by due time (15 s buckets from the first due, median / max s): ${latenessProfile(lateness)}\n`,
    );

    // Both workers took work, each a fair part of it (matching hands each task to whichever poller asks first).
    expect(result.workerPids).toHaveLength(2);
    expect(result.killed).toHaveLength(1);
    const perWorker = result.workerPids.map((pid) => activitiesByPid.get(pid) ?? 0);
    const total = [...activitiesByPid.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(COUNT * 2);
    for (const count of perWorker) expect(count).toBeGreaterThanOrEqual(total / 10);
    // No activity ran anywhere but on these two workers.
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(total);

    // Nothing lost, nothing doubled: one outbox row sent and one reminder_sent entry per task, every Message-ID
    // received, and a second receipt only for a send the kill cut short after the server accepted it.
    expect(result.lostIds).toEqual([]);
    expect(result.unsentRows).toEqual([]);
    expect(result.wrongTasks).toEqual([]);
    expect(result.strayReceipts).toBe(0);
    expect(result.unexplainedDuplicates).toEqual([]);
    // And nothing waited past its timeouts: each e-mail the kill cut short was sent again by the survivor once its
    // start-to-close timeout and first retry interval had passed, and no reminder arrived later than that allows.
    expect(sends).toHaveLength(COUNT);
    expect(retriedLate).toEqual([]);
    expect(beforeKill.length).toBeGreaterThan(0);
    expect(tooLate).toEqual([]);
  });
});

function latenessProfile(lateness: { dueAt: number; lateMs: number }[]): string {
  const first = Math.min(...lateness.map((d) => d.dueAt));
  const buckets = new Map<number, number[]>();
  for (const d of lateness) {
    const bucket = Math.floor((d.dueAt - first) / 15_000);
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), d.lateMs]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([bucket, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${bucket * 15}s: ${(sorted[Math.floor(sorted.length / 2)] / 1000).toFixed(1)}/${(sorted[sorted.length - 1] / 1000).toFixed(1)}`;
    })
    .join(', ');
}
