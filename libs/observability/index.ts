/** Logs, metrics and traces of the API and the worker. Never imported by workflow code (see workflow-interceptors). */
export { activeTracing, installTracing, temporalClientInterceptors } from './active-tracing';
export { API_METRICS_PORT_DEFAULT, ApiObservabilityModule, registerRequestIdHeader, requestIdOf } from './api-observability.module';
export { REQUEST_ID_HTTP_HEADER, REQUEST_ID_TEMPORAL_HEADER } from './headers';
export { ApiNestLogger, createLogger, PinoNestLogger, temporalRuntimeLogger, type ServiceName } from './logger';
export {
  activityFailures,
  activityRetries,
  auditExportDuration,
  httpRequestDuration,
  identificationImportDuration,
  metricsRegistry,
  registerReadModelGauges,
  timed,
  type ReadModelCounts,
} from './metrics';
export { startMetricsServer, type MetricsServer } from './metrics-server';
export { acceptRequestId, currentRequestId, withRequestId } from './request-id';
export { apiRequestId } from './request-scope';
export { activityObservabilityInterceptors, requestIdClientInterceptor, requestIdFromHeaders, withRequestIdHeader } from './temporal-request-id';
export { startTracing, TRACING_WORKFLOW_MODULES, type Tracing } from './tracing';
export { installWorkerRuntime, WORKER_METRICS_PORT_DEFAULT, WorkerObservabilityModule } from './worker-observability';

/** The workflow interceptor modules every worker bundles (request ids through workflows to their activities). */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('./workflow-interceptors')];
