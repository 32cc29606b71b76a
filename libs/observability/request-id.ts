import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { WELL_FORMED_REQUEST_ID } from './headers';

/** The caller's X-Request-Id when it is well-formed (one value, safe characters), otherwise a fresh UUID. */
export function acceptRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
  return value !== undefined && WELL_FORMED_REQUEST_ID.test(value) ? value : randomUUID();
}

/** A header value from elsewhere (a Temporal header) that is a well-formed request id, or undefined. */
export function wellFormedRequestId(value: unknown): string | undefined {
  return typeof value === 'string' && WELL_FORMED_REQUEST_ID.test(value) ? value : undefined;
}

interface RequestScope {
  requestId: string;
}

const scope = new AsyncLocalStorage<RequestScope>();

/** Runs `fn` with `requestId` as the current request id of everything it awaits (Temporal calls, log lines). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return scope.run({ requestId }, fn);
}

/** The request id of the HTTP request or activity this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore()?.requestId;
}
