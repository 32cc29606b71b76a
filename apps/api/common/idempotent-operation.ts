import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The business operation a write request with an `Idempotency-Key` carries out, as the idempotency interceptor hands
 * it to the handler. `id` is the same for every attempt of the request (the first, and a retry that took over the
 * claim of an attempt whose API process died), so an operation that is idempotent by an id of its own — a Temporal
 * Update — is sent under it and runs once whatever the attempts. `resumed` says an earlier attempt may have carried it
 * out already: a handler then must not refuse the request merely because its effect is already there.
 */
export interface IdempotentOperation {
  readonly id: string;
  readonly resumed: boolean;
}

const current = new AsyncLocalStorage<IdempotentOperation>();

/** Runs `work` (and everything it starts) as `operation`. */
export function runAsIdempotentOperation<T>(operation: IdempotentOperation, work: () => T): T {
  return current.run(operation, work);
}

/** The operation of the request being handled; undefined without an `Idempotency-Key` (or outside a request). */
export function currentIdempotentOperation(): IdempotentOperation | undefined {
  return current.getStore();
}
