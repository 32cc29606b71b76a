import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createCycleActionActivities, createCycleActivities, createTaskActivities } from '../../activities';
import { temporalPayloadKeys, type AppConfig } from '../../libs/config';
import { Mailer } from '../../libs/mail';
import {
  AgreementRepository,
  CycleActionRequestRepository,
  CycleJournalRepository,
  CycleParticipantRepository,
  CycleRepository,
  DirectoryRepository,
  NotificationOutboxRepository,
  TaskRecordRepository,
  SubmissionRepository,
  TaskRepository,
} from '../../libs/persistence';
import { activeTracing, activityObservabilityInterceptors, temporalClientInterceptors } from '../../libs/observability';
import { InjectConfig } from '../../libs/platform';
import { upliftDataConverter } from '../../libs/temporal-codec';
import { prebuiltWorkflowBundle, workflowBundleOptions } from './workflow-bundles';

/** Runs the Temporal worker for the life of the Nest application context. */
@Injectable()
export class TemporalWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TemporalWorker');
  private connection?: NativeConnection;
  /** Cycle activities extend and cancel tasks through their workflows' Updates. */
  private clientConnection?: Connection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly tasks: TaskRepository,
    private readonly directory: DirectoryRepository,
    private readonly outbox: NotificationOutboxRepository,
    private readonly mailer: Mailer,
    private readonly cycles: CycleRepository,
    private readonly participants: CycleParticipantRepository,
    private readonly agreements: AgreementRepository,
    private readonly submissions: SubmissionRepository,
    private readonly records: TaskRecordRepository,
    private readonly journal: CycleJournalRepository,
    private readonly cycleActions: CycleActionRequestRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = await NativeConnection.connect({ address: this.config.temporal.address });
    this.clientConnection = await Connection.connect({ address: this.config.temporal.address });
    // Payloads (inputs, results, signals, Updates, failures' messages) are encrypted before they reach Temporal.
    const dataConverter = upliftDataConverter(temporalPayloadKeys(this.config));
    const client = new Client({
      connection: this.clientConnection,
      namespace: this.config.temporal.namespace,
      dataConverter,
      interceptors: { workflow: temporalClientInterceptors() },
    });
    const tracing = activeTracing();
    const bundleOptions = workflowBundleOptions(tracing !== undefined);
    this.worker = await Worker.create({
      dataConverter,
      connection: this.connection,
      namespace: this.config.temporal.namespace,
      taskQueue: this.config.temporal.taskQueue,
      maxCachedWorkflows: this.config.temporal.maxCachedWorkflows,
      // Request ids (and spans, when tracing) from the API through workflows to activities and their logs: the
      // workflow side is in the bundle, prebuilt or built here.
      ...(this.config.temporal.workflowBundleDir
        ? { workflowBundle: prebuiltWorkflowBundle(this.config.temporal.workflowBundleDir, tracing !== undefined) }
        : { workflowsPath: bundleOptions.workflowsPath }),
      interceptors: {
        ...(this.config.temporal.workflowBundleDir ? {} : { workflowModules: bundleOptions.workflowInterceptorModules }),
        activity: [activityObservabilityInterceptors, ...(tracing ? [tracing.activityInterceptors] : [])],
      },
      sinks: tracing?.sinks,
      activities: {
        ...createTaskActivities({
          tasks: this.tasks,
          records: this.records,
          directory: this.directory,
          outbox: this.outbox,
          mailer: this.mailer,
          publicUrl: this.config.publicUrl,
          messageIdDomain: this.config.mail.messageIdDomain,
        }),
        ...createCycleActivities({
          cycles: this.cycles,
          participants: this.participants,
          agreements: this.agreements,
          submissions: this.submissions,
          journal: this.journal,
          temporal: client,
        }),
        ...createCycleActionActivities({
          requests: this.cycleActions,
          directory: this.directory,
          mailer: this.mailer,
          publicUrl: this.config.publicUrl,
          messageIdDomain: this.config.mail.messageIdDomain,
        }),
      },
    });
    this.running = this.worker.run();
    // A worker that dies on its own must take the process down, not leave a zombie that polls nothing.
    this.running.catch((err: unknown) => {
      this.logger.error(`worker stopped with an error: ${String(err)}`);
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    });
    this.logger.log(`polling task queue '${this.config.temporal.taskQueue}' on ${this.config.temporal.address}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running?.catch(() => undefined);
    await this.connection?.close();
    await this.clientConnection?.close();
    await activeTracing()?.shutdown();
  }
}
