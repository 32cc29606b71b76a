import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { Sinks } from '@temporalio/workflow';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { ServiceName } from './logger';

/**
 * The workflow interceptor modules a traced worker's bundle carries (spans of workflow code, sent out through the
 * sink below); apps/worker/workflow-bundles.ts puts them in the bundle.
 */
export const TRACING_WORKFLOW_MODULES: readonly string[] = [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];

/** What a process adds to its Temporal client and worker to trace API → workflow → activities. */
export interface Tracing {
  clientInterceptor: WorkflowClientInterceptor;
  activityInterceptors: ActivityInterceptorsFactory;
  sinks: InjectedSinks<Sinks>;
  /** Flushes the spans still buffered. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing with an OTLP/HTTP exporter when a collector is configured; without one nothing is
 * loaded or installed (undefined), so untraced processes pay nothing per call.
 */
export async function startTracing(service: ServiceName, otlpEndpoint: string | undefined): Promise<Tracing | undefined> {
  if (!otlpEndpoint) return undefined;
  const [{ Resource }, { BatchSpanProcessor }, { NodeTracerProvider }, { OTLPTraceExporter }, otel] = await Promise.all([
    import('@opentelemetry/resources'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@temporalio/interceptors-opentelemetry'),
  ]);
  const resource = new Resource({ 'service.name': service });
  const spanProcessor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Global, so that the interceptors' default tracer (trace.getTracer) and the propagation context use it.
  provider.register();
  return {
    clientInterceptor: new otel.OpenTelemetryWorkflowClientInterceptor(),
    activityInterceptors: (ctx) => ({
      inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
      outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
    }),
    sinks: { exporter: otel.makeWorkflowExporter(spanProcessor, resource) } as InjectedSinks<Sinks>,
    shutdown: () => provider.shutdown(),
  };
}
