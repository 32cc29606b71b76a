import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Runtime } from '@temporalio/worker';
import type { Logger as PinoLogger } from 'pino';
import { metricsPort, type AppConfig } from '../config';
import { NotificationOutboxRepository, TaskRepository } from '../persistence';
import { temporalRuntimeLogger } from './logger';
import { registerReadModelGauges } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';

/** Where Kubernetes' scrape annotations and the Grafana dashboard expect the worker's /metrics. */
export const WORKER_METRICS_PORT_DEFAULT = 9464;

/**
 * Installs the Temporal Runtime of the worker process (before any connection is made): the SDK's log lines, workflow
 * and activity `log` calls and the native core's warnings go to pino as JSON; the SDK's metrics (temporal_*) are
 * served on loopback for the worker's /metrics to append. Returns that loopback URL when metrics are on.
 */
export function installWorkerRuntime(config: AppConfig, logger: PinoLogger): string | undefined {
  const sdkPort = metricsPort(config, WORKER_METRICS_PORT_DEFAULT) === undefined ? undefined : config.observability?.metrics?.temporalSdkPort;
  Runtime.install({
    logger: temporalRuntimeLogger(logger),
    telemetryOptions: {
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(sdkPort === undefined
        ? {}
        : {
            metrics: {
              prometheus: {
                bindAddress: `127.0.0.1:${sdkPort}`,
                // Prometheus' conventions: counters end in _total, durations in seconds with the unit in the name.
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                unitSuffix: true,
              },
            },
          }),
    },
  });
  return sdkPort === undefined ? undefined : `http://127.0.0.1:${sdkPort}/metrics`;
}

const WORKER_OBSERVABILITY_OPTIONS = Symbol('WORKER_OBSERVABILITY_OPTIONS');

interface WorkerObservabilityOptions {
  logger: PinoLogger;
  metrics?: { host: string; port: number; temporalSdkMetricsUrl?: string };
}

@Injectable()
class WorkerMetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: MetricsServer;

  constructor(
    @Inject(WORKER_OBSERVABILITY_OPTIONS) private readonly options: WorkerObservabilityOptions,
    private readonly tasks: TaskRepository,
    private readonly outbox: NotificationOutboxRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { metrics, logger } = this.options;
    if (!metrics) {
      new Logger('Metrics').debug('no metrics endpoint (METRICS_PORT=0, or a test)');
      return;
    }
    registerReadModelGauges({ tasksByRegion: () => this.tasks.openAndOverdueByRegion(), emailsByState: () => this.outbox.countsByState() });
    this.server = await startMetricsServer({ ...metrics, logger });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}

/**
 * The worker's /metrics (METRICS_PORT, default 9464): ours — activity failures and retries, open and overdue tasks
 * per region, the outbox by state — then the Temporal SDK's. Import it next to the worker's module.
 */
@Module({})
export class WorkerObservabilityModule {
  static forRoot(config: AppConfig, logger: PinoLogger, temporalSdkMetricsUrl: string | undefined): DynamicModule {
    const port = metricsPort(config, WORKER_METRICS_PORT_DEFAULT);
    const options: WorkerObservabilityOptions = {
      logger,
      metrics: port === undefined ? undefined : { host: config.observability?.metrics?.host ?? '0.0.0.0', port, temporalSdkMetricsUrl },
    };
    return { module: WorkerObservabilityModule, providers: [{ provide: WORKER_OBSERVABILITY_OPTIONS, useValue: options }, WorkerMetricsEndpoint] };
  }
}
