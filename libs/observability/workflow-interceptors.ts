/**
 * Workflow interceptors (run in the workflow sandbox: deterministic, no I/O, imports from @temporalio/workflow and
 * ./headers only). They pass the request id of the request that reached the workflow (its start, a signal, an
 * Update) on to the activities and child workflows that work sets off. Headers of commands are not part of
 * Temporal's determinism checks, so histories recorded without these interceptors replay unchanged.
 */
import type { Headers, Payload, WorkflowInterceptors } from '@temporalio/workflow';
import { REQUEST_ID_TEMPORAL_HEADER } from './headers';

/** An activation that only fires timers: the workflow woke on its own schedule, not for any request. */
function wokeOnItsOwn(jobs: readonly { fireTimer?: unknown; doUpdate?: unknown; signalWorkflow?: unknown; initializeWorkflow?: unknown }[]): boolean {
  return jobs.some((job) => job.fireTimer) && !jobs.some((job) => job.doUpdate || job.signalWorkflow || job.initializeWorkflow);
}

export function interceptors(): WorkflowInterceptors {
  // One closure per workflow run: the id of the latest request whose work is still going on.
  let requestId: Payload | undefined;
  const remember = (headers: Headers): void => {
    const id = headers[REQUEST_ID_TEMPORAL_HEADER];
    if (id) requestId = id;
  };
  const passOn = (headers: Headers): Headers =>
    requestId && !headers[REQUEST_ID_TEMPORAL_HEADER] ? { ...headers, [REQUEST_ID_TEMPORAL_HEADER]: requestId } : headers;
  return {
    internals: [
      {
        activate(input, next) {
          // A reminder a timer sends days later belongs to no request; an activity's result continues the request.
          if (wokeOnItsOwn(input.activation.jobs ?? [])) requestId = undefined;
          next(input);
        },
      },
    ],
    inbound: [
      {
        execute(input, next) {
          remember(input.headers);
          return next(input);
        },
        handleSignal(input, next) {
          remember(input.headers);
          return next(input);
        },
        handleUpdate(input, next) {
          remember(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next({ ...input, headers: passOn(input.headers) }),
        scheduleLocalActivity: (input, next) => next({ ...input, headers: passOn(input.headers) }),
        startChildWorkflowExecution: (input, next) => next({ ...input, headers: passOn(input.headers) }),
        signalWorkflow: (input, next) => next({ ...input, headers: passOn(input.headers) }),
        continueAsNew: (input, next) => next({ ...input, headers: passOn(input.headers) }),
      },
    ],
  };
}
