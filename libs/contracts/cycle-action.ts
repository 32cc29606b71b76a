/**
 * The four-eyes request's mail workflow, shared by the API (which starts and signals it) and the worker: it sends
 * the request's e-mails from their outbox (libs/persistence, table cycle_action_mails) and closes the request as
 * expired when nobody decided it in time. Sandbox-safe: no Node modules.
 */
import { defineSignal } from '@temporalio/workflow';

export const CYCLE_ACTION_MAIL_WORKFLOW = 'cycleActionMailWorkflow';

/** One per request: a business key, never reused. */
export function cycleActionMailWorkflowId(requestId: string): string {
  return `cycle-action:${requestId}`;
}

export interface CycleActionMailInput {
  requestId: string;
  /** ISO instant after which the request, still pending, expires. */
  expiresAt: string;
}

/** The API decided the request (confirmed, refused, withdrawn): its outcome's e-mail waits in the outbox. */
export const cycleActionDecidedSignal = defineSignal('cycleActionDecided');

/** What one relay pass found: whether the request is still waiting for a decision. */
export interface CycleActionRelayResult {
  sent: number;
  open: boolean;
}
