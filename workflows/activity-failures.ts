/**
 * Bounded activities and what a workflow does when one fails for good. Runs in workflow context: deterministic,
 * no I/O, nothing but @temporalio/workflow and sandbox-safe contracts.
 *
 * Every activity is retried within bounds (attempts and a schedule-to-close timeout), and the activities throw a
 * non-retryable failure for data PostgreSQL refuses (activities/failures.ts), so no input can make an activity
 * retry for ever. When one finally fails, the workflow neither dies nor loops: a task is flagged (`attention`,
 * workflows/deadline-task.workflow.ts) and a cycle's workflows raise an operator alert, then go on with what they
 * can. Histories recorded before this behaviour replay unchanged: the new path is taken only under
 * patched(ACTIVITY_FAILURES_HANDLED), asked for at the moment of the failure.
 */
import type { Duration } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle-activities';
import { DATA_REFUSED, MAIL_REFUSED } from '../libs/contracts/activity-failures';

export const ACTIVITY_FAILURES_HANDLED = 'activity-failures-handled';

/**
 * The projection of a task's change (and a cycle's event) to PostgreSQL. An Update waits for it, so refused data
 * must fail at once (non-retryable) and an outage gives up after about four minutes of backed-off attempts.
 */
export const PROJECTION_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
};

/**
 * The same projection run as a local activity, inside the workflow task that made the change: a task's event then
 * costs the worker no activity task and no second workflow task on the server. The bounds are PROJECTION_OPTIONS';
 * a backed-off attempt a minute or more away waits on a timer (the SDK's local retry threshold), not in the task.
 */
export const PROJECTION_LOCAL_OPTIONS: LocalActivityOptions = {
  startToCloseTimeout: PROJECTION_OPTIONS.startToCloseTimeout,
  scheduleToCloseTimeout: PROJECTION_OPTIONS.scheduleToCloseTimeout,
  retry: PROJECTION_OPTIONS.retry,
};

/**
 * One e-mail. Short attempts, so that a worker killed mid-send is noticed quickly (an SMTP exchange takes well under
 * a second); a mail server that is down is waited for up to a day, after which the reminder is given up and flagged.
 */
export const MAIL_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '15 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 400 },
};

/**
 * A cycle's reads and its stage-wide Updates. At least RECORD_COMMIT_ATTEMPTS (10, activities/cycle-activities.ts)
 * attempts are needed, since a read waits that long for a record the API commits a moment after the task.
 */
export const CYCLE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
};

/** Reads of the agreements a step or a track waits for (see CYCLE_ACTIVITY_OPTIONS for the attempts). */
export const AGREEMENT_READ_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 hour',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
};

export interface FailureSummary {
  /** PostgreSQL or the mail server refused the input: retrying it later will not help either. */
  refused: boolean;
  /** For the operator: the failure's type and words, single line, bounded, no control characters (English). */
  detail: string;
}

/**
 * The failure, if it is an activity's final failure and this execution handles such failures; undefined means
 * «rethrow», the behaviour the workflow had before (and has when replaying a history recorded then).
 */
export function handledActivityFailure(err: unknown): FailureSummary | undefined {
  if (!(err instanceof ActivityFailure) || !patched(ACTIVITY_FAILURES_HANDLED)) return undefined;
  const cause = err.cause;
  // A timeout's cause is a TimeoutFailure (its name says so); an activity's own failure is an ApplicationFailure.
  const type = cause instanceof ApplicationFailure ? (cause.type ?? 'ApplicationFailure') : (cause?.name ?? 'Error');
  const refused = cause instanceof ApplicationFailure && (cause.type === DATA_REFUSED || cause.type === MAIL_REFUSED);
  return { refused, detail: clean(`${err.activityType ?? 'activity'}: ${type}: ${cause?.message ?? err.message}`, 500) };
}

/** Single line, without control or bidi characters, at most `max` characters: safe to store anywhere. */
export function clean(text: string, max: number): string {
  const line = text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface SettleOptions<T> {
  /** What the workflow goes on with when the activity has failed for good. */
  fallback: T;
  /** Records the alert (an activity itself, bounded); `final` says the workflow now goes on with the fallback. */
  alert: (failure: FailureSummary, final: boolean, round: number) => Promise<void>;
  /**
   * For reads whose absence would derail what follows (the approved list): after a failure, wait this long and try
   * again, at most `rounds` times in all, alerting each time; `stop` ends the waiting early (a cancelled cycle).
   */
  retry?: { every: Duration; rounds: number; stop: () => boolean };
}

/** The activity's result, or, once it has failed for good, the fallback after an operator alert. */
export async function settle<T>(run: () => Promise<T>, options: SettleOptions<T>): Promise<T> {
  for (let round = 1; ; round++) {
    try {
      return await run();
    } catch (err) {
      const failure = handledActivityFailure(err);
      if (!failure) throw err;
      const retry = options.retry;
      const final = !retry || failure.refused || round >= retry.rounds || retry.stop();
      await options.alert(failure, final, round);
      if (final) return options.fallback;
      await condition(retry.stop, retry.every);
      if (retry.stop()) return options.fallback;
    }
  }
}

export type AlertOperator = (activity: string, failure: FailureSummary, message: string) => Promise<void>;

/**
 * Raises operator alerts for one cycle from the calling workflow: in the worker's log and the cycle's audit trail,
 * each once (keyed by the run and a counter); if even recording fails, in the worker's log only.
 */
export function cycleOperatorAlerts(cycleId: string): AlertOperator {
  const { raiseOperatorAlert } = proxyActivities<CycleActivities>(PROJECTION_OPTIONS);
  let count = 0;
  return async (activity, failure, message) => {
    count += 1;
    const { workflowId, runId } = workflowInfo();
    try {
      await raiseOperatorAlert({ cycleId, workflowId, key: `${runId}/${count}`, activity, message, failure: failure.detail });
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      log.error('operator alert could not be recorded', { cycleId, workflowId, activity, message, failure: failure.detail });
    }
  };
}
