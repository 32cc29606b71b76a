import { ServiceUnavailableException } from '@nestjs/common';
import {
  isGrpcServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { TypeORMError } from 'typeorm';

// gRPC status codes (@grpc/grpc-js `status`), named here: @grpc/grpc-js is @temporalio's dependency, not ours.
export const GRPC_CANCELLED = 1;
export const GRPC_DEADLINE_EXCEEDED = 4;

export const TEMPORAL_UNREACHABLE_MESSAGE = 'Сервис процессов временно недоступен; повторите попытку позже';

type ErrorLike = Error & { cause?: unknown };

// Duck-typed as the Temporal client does: errors made by Node itself (a refused connection) come from another realm
// under jest, where `instanceof Error` fails.
function isErrorLike(value: unknown): value is ErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as Error).message === 'string';
}

/**
 * The error and its causes, outermost first. The client wraps gRPC errors (ServiceError,
 * WorkflowUpdateRPCTimeoutOrCancelledError), so the reason is often a cause or two down.
 */
function* causeChain(err: unknown): Generator<ErrorLike> {
  const seen = new Set<unknown>();
  while (isErrorLike(err) && !seen.has(err)) {
    seen.add(err);
    yield err;
    err = err.cause;
  }
}

/** Temporal (and the workflow) did answer; what it said is the caller's to map, whatever lies beneath. */
function isTemporalAnswer(err: ErrorLike): boolean {
  return (
    err instanceof WorkflowUpdateFailedError ||
    err instanceof WorkflowNotFoundError ||
    err instanceof WorkflowExecutionAlreadyStartedError
  );
}

/**
 * True when an Update (or another Temporal call made under a deadline) got no answer in time: with no worker polling
 * the queue, Temporal holds the call until its deadline passes. Depending on when the deadline strikes, the 1.24
 * client reports it as a bare gRPC DEADLINE_EXCEEDED or CANCELLED error, as a ServiceError around one, or as
 * WorkflowUpdateRPCTimeoutOrCancelledError whatever its cause (a gRPC error or a CancelledFailure).
 */
export function isUpdateUnanswered(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (isTemporalAnswer(e)) return false;
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
    if (isGrpcServiceError(e) && (e.code === GRPC_DEADLINE_EXCEEDED || e.code === GRPC_CANCELLED)) return true;
  }
  return false;
}

/** True when Temporal itself could not be reached or failed at the RPC level: any gRPC error, UNAVAILABLE, connect. */
export function isTemporalUnreachable(err: unknown): boolean {
  for (const e of causeChain(err)) {
    if (isTemporalAnswer(e)) return false;
    if (e instanceof TypeORMError) return false;
    // Words a connection failure uses, not any mention of one: TypeORM's "… in connection options" is no outage.
    if (isGrpcServiceError(e) || /\bUNAVAILABLE\b|\bDEADLINE_EXCEEDED\b|failed to connect|\bconnect E[A-Z]+\b/i.test(e.message)) return true;
  }
  return false;
}

/**
 * A Russian 503 when Temporal or its worker failed to answer, `unanswered` telling the person what became of their
 * action; any other error is returned as it is, for the caller's own mapping or the 500 it deserves. The original
 * error rides along as the cause, so the log says which it was.
 */
export function temporalOutageOr(
  err: unknown,
  unanswered: string,
  unreachable: string = TEMPORAL_UNREACHABLE_MESSAGE,
): unknown {
  const options = { cause: err, description: 'Service Unavailable' };
  if (isUpdateUnanswered(err)) return new ServiceUnavailableException(unanswered, options);
  if (isTemporalUnreachable(err)) return new ServiceUnavailableException(unreachable, options);
  return err;
}
