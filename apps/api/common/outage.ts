/**
 * Errors that mean a component is down rather than a bug: the API answers them with a Russian 503 (and
 * `Retry-After`), never a 500, and recovers by itself once the component is back (the pool reconnects).
 */

type ErrorLike = Error & { cause?: unknown; code?: unknown; driverError?: unknown };

export const DATABASE_UNAVAILABLE_MESSAGE = 'База данных временно недоступна; повторите попытку позже';
/** What the 503 of an outage asks the client to wait, in seconds. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

// Duck-typed: errors made by Node itself (a refused connection) come from another realm under jest.
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
}

/** The error, TypeORM's driverError and every cause, outermost first. */
function* chain(err: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!isErrorLike(e) || seen.has(e)) continue;
    seen.add(e);
    yield e;
    queue.push(e.driverError, e.cause);
    if (e instanceof AggregateError) queue.push(...(e.errors as unknown[]));
  }
}

// SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now),
// 53300 (too many connections).
const UNAVAILABLE_SQLSTATES = /^(08\d{3}|57P0[1-3]|53300)$/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);
// node-postgres' own wording when the server goes away or the pool cannot hand out a connection.
const UNAVAILABLE_MESSAGES =
  /Connection terminated|terminating connection|the database system is (starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly|connect ECONNREFUSED/i;

/** True when PostgreSQL could not be reached or dropped the connection (not when it refused the query itself). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of chain(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (UNAVAILABLE_SQLSTATES.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
    if (UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}
