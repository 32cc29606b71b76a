import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { archiveClosedWorkflows } from '../../libs/audit/workflow-history-archive';
import { HISTORY_ARCHIVE_INTERVAL_MS_DEFAULT, temporalPayloadKeys, type AppConfig } from '../../libs/config/config';
import { WorkflowHistoryRepository } from '../../libs/persistence';
import { InjectConfig } from '../../libs/platform';
import { upliftDataConverter } from '../../libs/temporal-codec';

export { archiveClosedWorkflows };

/**
 * Copies closed workflow histories into PostgreSQL on a timer, so they outlive Temporal's retention. Failures are
 * logged and retried on the next pass; they never stop the worker. Several worker processes may run it at once:
 * saving is idempotent.
 */
@Injectable()
export class HistoryArchiverService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HistoryArchiver');
  private readonly intervalMs: number;
  private connection?: Connection;
  private client?: Client;
  private since?: Date;
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;
  private stopped = false;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly histories: WorkflowHistoryRepository,
  ) {
    this.intervalMs = config.temporal.historyArchiveIntervalMs ?? HISTORY_ARCHIVE_INTERVAL_MS_DEFAULT;
  }

  onApplicationBootstrap(): void {
    if (this.intervalMs === 0) {
      this.logger.log('history archiving is off (HISTORY_ARCHIVE_INTERVAL_MS=0)');
      return;
    }
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
    await this.connection?.close();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.pass = this.runPass().finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async runPass(): Promise<void> {
    try {
      if (!this.client) {
        this.connection = await Connection.connect({ address: this.config.temporal.address });
        // Its codec decrypts the histories before they are stored: the archive keeps them readable in clear (see
        // archiveClosedWorkflows), so that retiring a key never makes an auditor's history unreadable.
        this.client = new Client({
          connection: this.connection,
          namespace: this.config.temporal.namespace,
          dataConverter: upliftDataConverter(temporalPayloadKeys(this.config)),
        });
      }
      this.since ??= (await this.histories.latestCloseTime()) ?? new Date(0);
      const pass = await archiveClosedWorkflows(this.client, this.histories, this.since, {
        onError: (run, error) => this.logger.warn(`could not archive ${run.workflowId} (${run.runId}): ${String(error)}`),
      });
      // After a failure, start from the same point again so that the failed run is listed once more.
      if (pass.failed === 0 && pass.latestCloseTime && pass.latestCloseTime > this.since) this.since = pass.latestCloseTime;
      if (pass.archived > 0) this.logger.log(`archived ${pass.archived} closed workflow histories`);
    } catch (error) {
      this.logger.warn(`history archiving pass failed, retrying in ${this.intervalMs} ms: ${String(error)}`);
    }
  }
}
