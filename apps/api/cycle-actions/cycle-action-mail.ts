import type { Logger } from '@nestjs/common';
import {
  CYCLE_ACTION_MAIL_WORKFLOW,
  cycleActionDecidedSignal,
  cycleActionMailWorkflowId,
  type CycleActionMailInput,
} from '../../../libs/contracts/cycle-action';
import type { CycleActionRequestEntity } from '../../../libs/persistence';
import type { TemporalGateway } from '../temporal/temporal-client.module';

/**
 * Starts the request's mail workflow once the request, its audit entry and its confirmers' e-mail are committed: the
 * worker relays the e-mail and closes the request at its expiry. The request stands if Temporal is away (the log says
 * so): it can still be confirmed, refused or withdrawn; only the e-mails wait for an operator.
 */
export async function startCycleActionMail(temporal: TemporalGateway, row: CycleActionRequestEntity, logger: Logger): Promise<void> {
  const input: CycleActionMailInput = { requestId: row.id, expiresAt: row.expiresAt.toISOString() };
  try {
    await temporal.client.workflow.start(CYCLE_ACTION_MAIL_WORKFLOW, {
      taskQueue: temporal.taskQueue,
      workflowId: cycleActionMailWorkflowId(row.id),
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    logger.error(`mail workflow of cycle action request ${row.id} not started; its e-mails wait in the outbox: ${String(err)}`);
  }
}

/**
 * Tells the request's mail workflow that its outcome's e-mail is in the outbox. Best effort: a lost signal delays the
 * e-mail to the request's expiry, when the workflow relays the outbox again.
 */
export async function signalCycleActionDecided(temporal: TemporalGateway, requestId: string, logger: Logger): Promise<void> {
  try {
    await temporal.client.workflow.getHandle(cycleActionMailWorkflowId(requestId)).signal(cycleActionDecidedSignal);
  } catch (err) {
    logger.warn(`mail workflow of cycle action request ${requestId} not signalled; the e-mail goes at its expiry: ${String(err)}`);
  }
}
