import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { temporalPayloadKeys, type AppConfig } from '../../../libs/config';
import { temporalClientInterceptors } from '../../../libs/observability';
import { AesGcmPayloadCodec, fetchDecodedHistory, FAILURE_CONVERTER_PATH } from '../../../libs/temporal-codec';

/** The API's only door to Temporal. A lazy connection lets the API boot (and report health) while Temporal is down. */
@Injectable()
export class TemporalGateway implements OnApplicationShutdown {
  readonly connection: Connection;
  readonly client: Client;
  /** Encrypts every payload the client sends and decrypts what it reads; the codec endpoint for the Web UI uses it too. */
  readonly payloadCodec: AesGcmPayloadCodec;

  constructor(readonly config: AppConfig) {
    this.connection = Connection.lazy({ address: config.temporal.address });
    this.payloadCodec = new AesGcmPayloadCodec(temporalPayloadKeys(config));
    this.client = new Client({
      connection: this.connection,
      namespace: config.temporal.namespace,
      dataConverter: { payloadCodecs: [this.payloadCodec], failureConverterPath: FAILURE_CONVERTER_PATH },
      // The request id of the API request (and its trace, when tracing) travels with every start, signal and Update.
      interceptors: { workflow: temporalClientInterceptors() },
    });
  }

  /** A run's history with its payloads decrypted (Temporal hands them out as stored: encrypted). */
  fetchHistory(handle: WorkflowHandle): Promise<temporal.api.history.v1.IHistory> {
    return fetchDecodedHistory(this.client, handle);
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
