import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CycleActionActivities } from '../activities/cycle-action-activities';
import { cycleActionDecidedSignal, type CycleActionMailInput } from '../libs/contracts/cycle-action';
import { MAIL_OPTIONS } from './activity-failures';

const { relayCycleActionMails, expireCycleAction } = proxyActivities<CycleActionActivities>(MAIL_OPTIONS);

/** How long a request confirmed just before its expiry may run before the workflow stops waiting for its outcome. */
const OUTCOME_WAIT = '7 days';

/**
 * One four-eyes request's e-mails: the confirmers are told when it is made, the requester when it is confirmed,
 * refused or expires. The API writes each e-mail's outbox row with the request's change and signals; this workflow
 * relays them, and at the request's expiry closes it as expired (which writes the requester's e-mail) if nobody
 * decided it. A lost signal only delays an e-mail to the expiry, when the outbox is relayed again.
 */
export async function cycleActionMailWorkflow(input: CycleActionMailInput): Promise<void> {
  let signals = 0;
  setHandler(cycleActionDecidedSignal, () => {
    signals += 1;
  });
  for (;;) {
    const seen = signals;
    if (!(await relayCycleActionMails(input.requestId)).open) return;
    const remaining = Date.parse(input.expiresAt) - Date.now();
    if (remaining > 0) {
      await condition(() => signals > seen, remaining);
      continue;
    }
    await expireCycleAction(input.requestId);
    if (!(await relayCycleActionMails(input.requestId)).open) return;
    // Confirmed at its expiry and still running: its outcome is told once recorded.
    if (!(await condition(() => signals > seen, OUTCOME_WAIT))) return;
  }
}
