import 'reflect-metadata';
import { Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../../libs/config';
import { createLogger, installTracing, installWorkerRuntime, PinoNestLogger, WorkerObservabilityModule } from '../../libs/observability';
import { WorkerModule } from './worker.module';

/** The worker's own module with its observability (metrics endpoint) beside it. */
@Module({})
class WorkerProcessModule {
  static forRoot(...imports: DynamicModule[]): DynamicModule {
    return { module: WorkerProcessModule, imports };
  }
}

// Before the configuration is read: a bad environment is reported as JSON too.
const bootLogger = createLogger('uplift-worker', 'info');

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('uplift-worker', config.observability?.logLevel ?? 'info');
  // Before any connection: the Runtime's logger and metrics exporter are set once per process.
  const temporalSdkMetricsUrl = installWorkerRuntime(config, logger);
  await installTracing('uplift-worker', config.observability?.otlpEndpoint);
  const app = await NestFactory.createApplicationContext(
    WorkerProcessModule.forRoot(WorkerModule.forRoot(config), WorkerObservabilityModule.forRoot(config, logger, temporalSdkMetricsUrl)),
    { logger: new PinoNestLogger(logger) },
  );
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((err: unknown) => {
  bootLogger.fatal({ context: 'Worker', err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
