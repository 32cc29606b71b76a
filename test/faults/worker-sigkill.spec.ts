import { recordFaultFigures } from '../support/fault-figures';
import { runReminderBurst } from '../support/reminder-burst';

// `npm run test:faults`: 1,000 reminders spread over four minutes, the worker process killed with SIGKILL every
// 30 s of its life (and started again at once). Overridable to explore: FAULTS_REMINDERS, FAULTS_KILL_EVERY_SECONDS.
const COUNT = Number(process.env.FAULTS_REMINDERS ?? 1000);
const KILL_EVERY_SECONDS = Number(process.env.FAULTS_KILL_EVERY_SECONDS ?? 30);

jest.setTimeout(30 * 60_000);

describe('the worker killed with SIGKILL every 30 s through a burst of 1,000 reminders', () => {
  it('loses no e-mail, and every duplicate is a send in flight at a kill, traced to its outbox row', async () => {
    const result = await runReminderBurst({
      scenario: `1-worker-sigkill-${COUNT}`,
      fault: `worker process SIGKILLed every ${KILL_EVERY_SECONDS} s of uptime, restarted at once`,
      count: COUNT,
      leadSeconds: 30 + COUNT * 0.05,
      spreadSeconds: Math.max(60, COUNT * 0.24),
      shouldKill: ({ workerReadyAt }) => Date.now() - workerReadyAt >= KILL_EVERY_SECONDS * 1000,
      timeoutMs: Number(process.env.FAULTS_BURST_TIMEOUT_MINUTES ?? 25) * 60_000,
      log: (line) => process.stdout.write(`[faults] ${line}\n`),
    });
    recordFaultFigures(result.figures);
    process.stdout.write(`duplicates traced: ${JSON.stringify(result.duplicates.slice(0, 20), null, 1)}\n`);

    expect(result.figures.faultsInjected).toBeGreaterThanOrEqual(3);
    expect(result.lostIds).toEqual([]);
    expect(result.unexplainedDuplicates).toEqual([]);
    expect(result.strayReceipts).toBe(0);
    expect(result.unsentRows).toEqual([]);
    expect(result.wrongTasks).toEqual([]);
  });
});
