/**
 * Which activity failures are worth retrying. A retry helps when PostgreSQL or SMTP is briefly unavailable; it
 * never helps when PostgreSQL refuses the data itself (a NUL character, an invalid escape, a constraint), because
 * the same input fails the same way on every attempt and the workflow waiting on it is wedged. Such failures are
 * thrown as non-retryable, so the workflow learns at once and flags the task (workflows/activity-failures.ts).
 */
import { ApplicationFailure } from '@temporalio/common';
import { DATA_REFUSED } from '../libs/contracts/activity-failures';

export { DATA_REFUSED };

/**
 * SQLSTATE classes 22 (data exception: invalid text, NUL in jsonb, out-of-range values) and 23 (integrity
 * constraint violation). Every write the activities make is race-free (upserts, ON CONFLICT, the audit chain's
 * advisory lock, existence checks under it), so a class-23 error is not a lost race that a retry would win.
 */
const PERMANENT_SQLSTATE = /^2[23][0-9A-Z]{3}$/;

/** The SQLSTATE of a pg error, whether bare or wrapped by TypeORM (QueryFailedError.driverError) or as a cause. */
export function sqlStateOf(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    const next = (current as { driverError?: unknown }).driverError ?? (current as { cause?: unknown }).cause;
    current = next;
  }
  return undefined;
}

export function isPermanentDataError(err: unknown): boolean {
  const code = sqlStateOf(err);
  return code !== undefined && PERMANENT_SQLSTATE.test(code);
}

/**
 * The first line of the database's message, without control characters and bounded: it travels in the workflow's
 * history and, as the operator's detail, into the audit log, which must not be refused in turn.
 */
export function safeErrorText(err: unknown, max = 300): string {
  const text = err instanceof Error ? err.message : String(err);
  const line = (text.split('\n')[0] ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Rethrows a permanent data error as non-retryable; anything else as it was, for Temporal's retry policy. */
export function rethrowPermanent(err: unknown, activity: string): never {
  if (err instanceof ApplicationFailure) throw err;
  if (isPermanentDataError(err)) {
    const sqlState = sqlStateOf(err)!;
    throw ApplicationFailure.create({
      type: DATA_REFUSED,
      message: `${activity}: PostgreSQL refused the data (SQLSTATE ${sqlState}): ${safeErrorText(err)}`,
      nonRetryable: true,
      details: [{ sqlState }],
    });
  }
  throw err;
}

type AsyncFunctions<T> = { [K in keyof T]: T[K] extends (...args: infer A) => Promise<infer R> ? (...args: A) => Promise<R> : T[K] };

/**
 * Every activity of a factory, each failing fast on refused data. Applied to the factories' results so that a new
 * activity cannot be added without it.
 */
export function failFastOnRefusedData<T extends Record<string, unknown>>(activities: T): AsyncFunctions<T> {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(activities)) {
    if (typeof fn !== 'function') {
      wrapped[name] = fn;
      continue;
    }
    wrapped[name] = async (...args: unknown[]): Promise<unknown> => {
      try {
        return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
      } catch (err) {
        rethrowPermanent(err, name);
      }
    };
  }
  return wrapped as AsyncFunctions<T>;
}
