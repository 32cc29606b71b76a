import type { Context as ActivityContext } from '@temporalio/activity';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { ActivityInterceptors } from '@temporalio/worker';
import { REQUEST_ID_TEMPORAL_HEADER } from './headers';
import { activityFailures, activityRetries } from './metrics';
import { currentRequestId, wellFormedRequestId, withRequestId } from './request-id';
import { apiRequestId } from './request-scope';

/** `headers` with the current request id added (the caller's own header, if any, is kept). */
export function withRequestIdHeader(headers: Headers, requestId = currentRequestId() ?? apiRequestId()): Headers {
  if (!requestId || headers[REQUEST_ID_TEMPORAL_HEADER]) return headers;
  return { ...headers, [REQUEST_ID_TEMPORAL_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

/** The request id a Temporal header carries, if it is one. */
export function requestIdFromHeaders(headers: Headers | undefined): string | undefined {
  const payload = headers?.[REQUEST_ID_TEMPORAL_HEADER];
  if (!payload) return undefined;
  try {
    return wellFormedRequestId(defaultPayloadConverter.fromPayload(payload));
  } catch {
    return undefined;
  }
}

/**
 * Puts the request id of the HTTP request (or of the activity) the call is made for into the headers of every
 * workflow start, signal and Update, where the workflow interceptors pick it up.
 */
export function requestIdClientInterceptor(): WorkflowClientInterceptor {
  return {
    start: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
    startWithDetails: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
    signal: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
    signalWithStart: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
    startUpdate: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
    startUpdateWithStart: (input, next) =>
      next({
        ...input,
        workflowStartHeaders: withRequestIdHeader(input.workflowStartHeaders),
        updateHeaders: withRequestIdHeader(input.updateHeaders),
      }),
  };
}

/**
 * Per activity: runs it under the request id its workflow passed on (so Temporal calls it makes carry it further),
 * adds `requestId` to its log lines, and counts retried attempts and failed ones per activity type.
 */
export function activityObservabilityInterceptors(ctx: ActivityContext): ActivityInterceptors {
  let requestId: string | undefined;
  return {
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info;
        requestId = requestIdFromHeaders(input.headers);
        if (attempt > 1) activityRetries.inc({ activity_type: activityType });
        try {
          return await (requestId ? withRequestId(requestId, () => next(input)) : next(input));
        } catch (err) {
          activityFailures.inc({ activity_type: activityType });
          throw err;
        }
      },
    },
    outbound: {
      getLogAttributes: (attributes, next) => next(requestId ? { ...attributes, requestId } : attributes),
    },
  };
}
