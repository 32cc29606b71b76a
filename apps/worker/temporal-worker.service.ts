import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createTaskActivities } from '../../activities';
import type { AppConfig } from '../../libs/config';
import { Mailer } from '../../libs/mail';
import { DirectoryRepository, NotificationOutboxRepository, TaskRepository } from '../../libs/persistence';
import { InjectConfig } from '../../libs/platform';

/** Runs the Temporal worker for the life of the Nest application context. */
@Injectable()
export class TemporalWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('TemporalWorker');
  private connection?: NativeConnection;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly tasks: TaskRepository,
    private readonly directory: DirectoryRepository,
    private readonly outbox: NotificationOutboxRepository,
    private readonly mailer: Mailer,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.connection = await NativeConnection.connect({ address: this.config.temporal.address });
    this.worker = await Worker.create({
      connection: this.connection,
      namespace: this.config.temporal.namespace,
      taskQueue: this.config.temporal.taskQueue,
      maxCachedWorkflows: this.config.temporal.maxCachedWorkflows,
      workflowsPath: require.resolve('../../workflows'),
      activities: createTaskActivities({
        tasks: this.tasks,
        directory: this.directory,
        outbox: this.outbox,
        mailer: this.mailer,
        publicUrl: this.config.publicUrl,
        messageIdDomain: this.config.mail.messageIdDomain,
      }),
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
  }
}
