import { recordFaultFigures } from '../support/fault-figures';
import { runReminderBurst } from '../support/reminder-burst';

// The short case of `npm run test:faults`' worker scenario (test/faults/worker-sigkill.spec.ts): 40 reminders, two
// worker processes polling, one of them killed with SIGKILL once 10 e-mails have arrived (an event, not a moment);
// the survivor takes over the killed one's sends once their attempts time out.
const KILL_AT_RECEIVED = 10;

jest.setTimeout(240_000);

describe('a worker killed with SIGKILL in the middle of a burst of reminders', () => {
  it('loses no e-mail, and every duplicate is a send in flight at the kill, traced to its outbox row', async () => {
    const result = await runReminderBurst({
      scenario: '1-worker-sigkill-short',
      fault: `one of two worker processes SIGKILLed at ${KILL_AT_RECEIVED} e-mails received`,
      count: 40,
      leadSeconds: 5,
      spreadSeconds: 8,
      workers: 2,
      restartKilled: false,
      shouldKill: ({ distinct, kills }) => kills === 0 && distinct >= KILL_AT_RECEIVED,
      timeoutMs: 200_000,
    });
    recordFaultFigures(result.figures);

    expect(result.figures.faultsInjected).toBe(1);
    expect(result.lostIds).toEqual([]);
    expect(result.unexplainedDuplicates).toEqual([]);
    expect(result.strayReceipts).toBe(0);
    expect(result.unsentRows).toEqual([]);
    expect(result.wrongTasks).toEqual([]);
  });
});
