import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import type { AppConfig } from '../../../libs/config';

/** The API's only door to Temporal. A lazy connection lets the API boot (and report health) while Temporal is down. */
@Injectable()
export class TemporalGateway implements OnApplicationShutdown {
  readonly connection: Connection;
  readonly client: Client;

  constructor(readonly config: AppConfig) {
    this.connection = Connection.lazy({ address: config.temporal.address });
    this.client = new Client({ connection: this.connection, namespace: config.temporal.namespace });
  }

  get taskQueue(): string {
    return this.config.temporal.taskQueue;
  }

  /** Runs Update calls under a deadline: with no worker polling, Temporal would otherwise keep the caller waiting. */
  async withinUpdateDeadline<T>(fn: () => Promise<T>): Promise<T> {
    return this.connection.withDeadline(Date.now() + this.config.temporal.updateTimeoutMs, fn);
  }

  async ping(timeoutMs: number): Promise<void> {
    await this.connection.withDeadline(Date.now() + timeoutMs, () =>
      this.connection.workflowService.getSystemInfo({}),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
