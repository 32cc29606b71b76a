import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { ServiceName } from './logger';
import { requestIdClientInterceptor } from './temporal-request-id';
import { startTracing, type Tracing } from './tracing';

let active: Tracing | undefined;

/**
 * Starts tracing for this process (once, before its Temporal clients and worker are built; main.ts does it) when a
 * collector is configured. Afterwards `temporalClientInterceptors()` and the worker's options include its interceptors.
 */
export async function installTracing(service: ServiceName, otlpEndpoint: string | undefined): Promise<Tracing | undefined> {
  active ??= await startTracing(service, otlpEndpoint);
  return active;
}

/** This process's tracing, if installTracing started it. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/** Every Temporal client's interceptors: the request id always, OpenTelemetry when tracing is on. */
export function temporalClientInterceptors(): WorkflowClientInterceptor[] {
  return active ? [requestIdClientInterceptor(), active.clientInterceptor] : [requestIdClientInterceptor()];
}
