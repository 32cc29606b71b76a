import fs from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { assertPortFree } from '../support/ports';
import { formatDuration, type LogFn } from '../support/process';
import { SHARED_DYNAMIC_CONFIG } from './dynamic-config';
import { describeError, startSupervisedServer } from './supervised-server';

export type SearchAttributeTypeName = 'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList';

export interface TemporalDevServerOptions {
  cliPath: string;
  port: number;
  /** Omit to run without the Web UI (`--headless`). */
  uiPort?: number;
  /** The Web UI's codec server (`--ui-codec-endpoint`), which decrypts payloads for it. */
  uiCodecEndpoint?: string;
  /** Persistent SQLite file; omit to keep all state in memory. */
  dbFile?: string;
  /** Defaults to 'default'. */
  namespace?: string;
  searchAttributes?: Record<string, SearchAttributeTypeName>;
  log?: LogFn;
  /** How long to wait for the frontend to answer; defaults to 60 s. */
  startTimeoutMs?: number;
}

export interface TemporalDevServerHandle {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const DEFAULT_NAMESPACE = 'default';
const STOP_GRACE_MS = 10_000;

// Numeric values of temporal.api.enums.v1.IndexedValueType; spelled out so the runtime does not
// depend on @temporalio/proto, which is only a transitive dependency of @temporalio/client.
const INDEXED_VALUE_TYPES: Record<SearchAttributeTypeName, temporal.api.enums.v1.IndexedValueType> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServerHandle> {
  const log = opts.log ?? (() => undefined);
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const address = `${HOST}:${opts.port}`;
  const startedAt = Date.now();

  // A stale server on the port would answer the readiness probe and hide our own failed start.
  await assertPortFree(opts.port, 'the Temporal dev server');
  if (opts.uiPort !== undefined) {
    await assertPortFree(opts.uiPort, 'the Temporal Web UI');
  }

  const args = ['server', 'start-dev', '--ip', HOST, '--port', String(opts.port)];
  if (opts.uiPort !== undefined) {
    args.push('--ui-port', String(opts.uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  } else {
    args.push('--headless');
  }
  if (opts.dbFile !== undefined) {
    const dbFile = path.resolve(opts.dbFile);
    await fs.mkdir(path.dirname(dbFile), { recursive: true });
    args.push('--db-filename', dbFile);
  }
  // The dev server always creates 'default'; passing it again is redundant.
  if (namespace !== DEFAULT_NAMESPACE) {
    args.push('--namespace', namespace);
  }
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    args.push('--search-attribute', `${name}=${type}`);
  }
  // As on the cluster (cluster/server-config.ts): the activity a workflow task schedules comes back with the task's
  // answer to the worker that has a slot free, not through another poll of the task queue.
  for (const [key, value] of Object.entries(SHARED_DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  args.push('--log-level', 'warn');

  const { stop } = await startSupervisedServer({
    name: `Temporal dev server (${opts.cliPath})`,
    logPrefix: '[temporal]',
    command: opts.cliPath,
    args,
    address,
    probe: async (connection) => {
      // Ready once the frontend answers RPCs and the namespace is usable, not merely when the port opens.
      await connection.workflowService.getSystemInfo({});
      await connection.workflowService.describeNamespace({ namespace });
    },
    startTimeoutMs: opts.startTimeoutMs ?? 60_000,
    pollMs: 250,
    stopGraceMs: STOP_GRACE_MS,
    log,
  });

  const uiUrl = opts.uiPort !== undefined ? `http://${HOST}:${opts.uiPort}` : undefined;
  log(`Temporal dev server ready on ${address}${uiUrl ? `, UI ${uiUrl}` : ''} (${formatDuration(Date.now() - startedAt)})`);
  return { address, uiUrl, stop };
}

/**
 * For an external cluster, where `--search-attribute` is not available. Attributes that already
 * exist are left alone so the call is safe on every start.
 */
export async function registerSearchAttributes(
  address: string,
  namespace: string,
  attrs: Record<string, SearchAttributeTypeName>,
): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const existing = customAttributes ?? {};
    const missing: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
    for (const [name, type] of Object.entries(attrs)) {
      const current = existing[name];
      if (current === undefined || current === null) {
        missing[name] = INDEXED_VALUE_TYPES[type];
      } else if (current !== INDEXED_VALUE_TYPES[type]) {
        throw new Error(
          `Search attribute ${name} already exists in namespace ${namespace} with a different type ` +
            `(IndexedValueType ${String(current)}, expected ${type}).`,
        );
      }
    }
    if (Object.keys(missing).length === 0) {
      return;
    }
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
    } catch (error) {
      // Another process may have registered them between our list and add calls.
      if (!/already exists/i.test(describeError(error))) {
        throw error;
      }
    }
  } finally {
    await connection.close();
  }
}
