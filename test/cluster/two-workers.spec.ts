import { Client, Connection } from '@temporalio/client';
import { msToNumber } from '@temporalio/common/lib/time';
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
    try {
      const client = new Client({ connection });
      for (let i = 0; i < result.deliveries.length; i += 8) {
        const histories = await Promise.all(
          result.deliveries.slice(i, i + 8).map((d) => client.workflow.getHandle(d.workflowId).fetchHistory()),
        );
        for (const event of histories.flatMap((h) => h.events ?? [])) {
          const identity = event.activityTaskStartedEventAttributes?.identity;
          if (!identity) continue;
          const pid = Number(identity.split('@')[0]);
          activitiesByPid.set(pid, (activitiesByPid.get(pid) ?? 0) + 1);
        }
      }
    } finally {
      await connection.close();
    }

    // Lateness: from each reminder's due time to its e-mail's first arrival. Reminders delivered before the kill show
    // what the machine takes without a fault; a reminder caught by the kill may take that plus the recovery timeouts.
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
      },
    });
    process.stdout.write(
      `activities per worker pid: ${JSON.stringify(Object.fromEntries(activitiesByPid))}; killed ${JSON.stringify(result.killed)}; ` +
        `lateness worst ${worstMs} ms (before the kill ${baselineMs} ms, allowed ${allowedMs} ms); ` +
        `duplicates traced to the kill: ${result.duplicates.length}\n`,
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
    // And nothing waited past its timeouts.
    expect(beforeKill.length).toBeGreaterThan(0);
    expect(tooLate).toEqual([]);
  });
});
