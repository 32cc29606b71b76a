import { storage } from 'nestjs-pino/storage';

/**
 * The request id of the API request being served: nestjs-pino keeps each request's logger (bound to its
 * `requestId`) in its async-local store for the whole request.
 */
export function apiRequestId(): string | undefined {
  const bindings = storage.getStore()?.logger.bindings() as { requestId?: unknown } | undefined;
  return typeof bindings?.requestId === 'string' ? bindings.requestId : undefined;
}
