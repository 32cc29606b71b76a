/**
 * A Temporal cluster on PostgreSQL instead of the CLI's dev server on SQLite: the server built from its module
 * (temporal-server.ts), its schemas set up (schema.ts), one node with all services started from a generated config
 * (server-config.ts), then the namespace and the project's search attributes registered with `temporal operator`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { startEmbeddedPostgres } from '../../postgres/embedded-postgres';
import { assertPortFree } from '../../support/ports';
import { delay, formatDuration, type LogFn } from '../../support/process';
import type { SearchAttributeTypeName } from '../dev-server';
import { startSupervisedServer } from '../supervised-server';
import { resolveTemporalCli } from '../temporal-cli';
import {
  DEFAULT_TEMPORAL_DATABASES,
  type PostgresConnection,
  postgresConnectionFromUrl,
  setUpTemporalSchemas,
  type TemporalDatabases,
} from './schema';
import { dynamicConfigYaml, serverConfigYaml, serverPorts } from './server-config';
import { postgresSchemaDirs, resolveTemporalServer, type TemporalServerBinaries } from './temporal-server';

const execFileAsync = promisify(execFile);
const HOST = '127.0.0.1';
const DEFAULT_NAMESPACE = 'default';
// The history service hands its shards over on the way down; a second node would take them at once.
const STOP_GRACE_MS = 20_000;

export interface TemporalServerOptions {
  binaries: TemporalServerBinaries;
  /** Holds the generated config; the server keeps no state on disk, it is all in PostgreSQL. */
  configDir: string;
  connection: PostgresConnection;
  databases?: TemporalDatabases;
  frontendPort: number;
  numHistoryShards?: number;
  log?: LogFn;
  /** How long to wait for the frontend to answer; defaults to 120 s (the first start creates the system namespace). */
  startTimeoutMs?: number;
}

export interface TemporalServerHandle {
  address: string;
  /** The server's process id, for a test that kills it. */
  pid: number | undefined;
  /** Settles when the server process ends, asked to or not, with its exit code or signal. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** Starts one server node with all services and resolves once its frontend answers RPCs. */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServerHandle> {
  const log = opts.log ?? (() => undefined);
  const startedAt = Date.now();
  const address = `${HOST}:${opts.frontendPort}`;
  for (const [service, ports] of Object.entries(serverPorts(opts.frontendPort))) {
    await assertPortFree(ports.grpcPort, `the Temporal ${service} service`);
    await assertPortFree(ports.membershipPort, `the Temporal ${service} service's membership`);
  }

  const environment = 'cluster';
  await fs.mkdir(opts.configDir, { recursive: true });
  const dynamicConfigFile = path.join(opts.configDir, 'dynamic-config.yaml');
  await fs.writeFile(dynamicConfigFile, dynamicConfigYaml());
  await fs.writeFile(
    path.join(opts.configDir, `${environment}.yaml`),
    serverConfigYaml({
      connection: opts.connection,
      databases: opts.databases ?? DEFAULT_TEMPORAL_DATABASES,
      frontendPort: opts.frontendPort,
      numHistoryShards: opts.numHistoryShards ?? 4,
      dynamicConfigFile,
    }),
    // It holds the database password.
    { mode: 0o600 },
  );

  const server = await startSupervisedServer({
    name: `Temporal server (${opts.binaries.server})`,
    logPrefix: '[temporal-server]',
    command: opts.binaries.server,
    args: ['--root', opts.configDir, '--config', '.', '--env', environment, '--allow-no-auth', 'start'],
    address,
    probe: async (connection) => {
      await connection.workflowService.getSystemInfo({});
    },
    startTimeoutMs: opts.startTimeoutMs ?? 120_000,
    pollMs: 500,
    stopGraceMs: STOP_GRACE_MS,
    log,
  });
  log(`Temporal server ready on ${address} (${formatDuration(Date.now() - startedAt)})`);
  return { address, ...server };
}

export interface NamespaceRegistration {
  cliPath: string;
  address: string;
  namespace?: string;
  /** How long a closed workflow's history is kept. */
  retention?: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  log?: LogFn;
}

/**
 * Registers the namespace and the search attributes with the pinned CLI (`temporal operator`), as an operator of a
 * real cluster would. What exists already is kept, so this runs on every start; it returns once the frontend
 * serves the namespace with every attribute.
 */
export async function registerNamespace(opts: NamespaceRegistration): Promise<void> {
  const log = opts.log ?? (() => undefined);
  const namespace = opts.namespace ?? DEFAULT_NAMESPACE;
  const operator = async (args: string[]): Promise<'done' | 'existed'> => {
    try {
      await execFileAsync(opts.cliPath, ['operator', ...args, '--address', opts.address, '--command-timeout', '30s']);
      return 'done';
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      const output = `${stdout ?? ''}${stderr ?? ''}`.trim();
      if (/already (exists|registered)/i.test(output)) return 'existed';
      throw new Error(`temporal operator ${args.slice(0, 2).join(' ')} failed: ${output}`);
    }
  };

  const created = await operator(['namespace', 'create', '--namespace', namespace, '--retention', opts.retention ?? '72h']);
  log(`namespace ${namespace} ${created === 'done' ? 'registered' : 'already registered'}`);
  for (const [name, type] of Object.entries(opts.searchAttributes)) {
    await operator(['search-attribute', 'create', '--namespace', namespace, '--name', name, '--type', type]);
  }

  // Each service learns of a new namespace from its cache, refreshed every few seconds: wait until it is served.
  const connection = await Connection.connect({ address: opts.address });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1 });
        const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
        const missing = Object.keys(opts.searchAttributes).filter((name) => customAttributes?.[name] === undefined);
        if (missing.length === 0) break;
        if (Date.now() > deadline) throw new Error(`search attributes ${missing.join(', ')} not registered in ${namespace}`);
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      await delay(500);
    }
  } finally {
    await connection.close();
  }
  log(`namespace ${namespace} serves search attributes ${Object.keys(opts.searchAttributes).join(', ')}`);
}

export interface TemporalClusterOptions {
  projectRoot: string;
  /** Config (and, with embedded PostgreSQL, the database cluster) live here. */
  dataDir: string;
  frontendPort: number;
  /**
   * Where the Temporal databases live: a postgres:// URL of a server whose user may create databases, or an
   * embedded PostgreSQL in dataDir/postgres on the given port (persistent, or wiped on stop).
   */
  postgres: { url: string } | { embeddedPort: number; persistent: boolean };
  numHistoryShards?: number;
  namespace?: string;
  searchAttributes: Record<string, SearchAttributeTypeName>;
  log?: LogFn;
}

export interface TemporalClusterHandle {
  address: string;
  /** Where the Temporal databases are (password hidden). */
  postgres: string;
  server: TemporalServerHandle;
  /** Figures of this start, for the README and the test report. */
  timings: { buildMs: number; schemaMs: number; serverMs: number; namespaceMs: number };
  stop(): Promise<void>;
}

/** Everything `npm run temporal:server` and `npm run start:cluster` need: build, database, schema, server, namespace. */
export async function startTemporalCluster(opts: TemporalClusterOptions): Promise<TemporalClusterHandle> {
  const log = opts.log ?? (() => undefined);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let t = Date.now();
    const [binaries, cliPath, schemaDirs, postgresUrl] = await Promise.all([
      resolveTemporalServer({ projectRoot: opts.projectRoot, log }),
      resolveTemporalCli({ projectRoot: opts.projectRoot, log }),
      postgresSchemaDirs(),
      (async () => {
        if ('url' in opts.postgres) return opts.postgres.url;
        const pg = await startEmbeddedPostgres({
          dataDir: path.join(opts.dataDir, 'postgres'),
          port: opts.postgres.embeddedPort,
          persistent: opts.postgres.persistent,
          database: 'postgres',
          log,
        });
        stops.push(pg.stop);
        return pg.url;
      })(),
    ]);
    const buildMs = Date.now() - t;

    t = Date.now();
    const connection = postgresConnectionFromUrl(postgresUrl);
    await setUpTemporalSchemas({ sqlTool: binaries.sqlTool, connection, databases: DEFAULT_TEMPORAL_DATABASES, schemaDirs, log });
    const schemaMs = Date.now() - t;

    t = Date.now();
    const server = await startTemporalServer({
      binaries,
      configDir: path.join(opts.dataDir, 'config'),
      connection,
      frontendPort: opts.frontendPort,
      numHistoryShards: opts.numHistoryShards,
      log,
    });
    stops.push(server.stop);
    const serverMs = Date.now() - t;

    t = Date.now();
    await registerNamespace({
      cliPath,
      address: server.address,
      namespace: opts.namespace,
      searchAttributes: opts.searchAttributes,
      log,
    });
    const namespaceMs = Date.now() - t;

    let stopping: Promise<void> | undefined;
    return {
      address: server.address,
      postgres: postgresUrl.replace(/\/\/([^:]+):[^@]+@/, '//$1:***@'),
      server,
      timings: { buildMs, schemaMs, serverMs, namespaceMs },
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}
