/**
 * What every benchmark needs: its own Temporal dev server (in memory) and embedded PostgreSQL on bench ports, a
 * worker with every activity on one task queue, a client, and the verdict against the bench's targets.
 */
import 'reflect-metadata';
import net from 'node:net';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres';
import { startTemporalDevServer } from '../../infra/temporal/dev-server';
import { resolveTemporalCli } from '../../infra/temporal/temporal-cli';
import { projectRoot } from '../../infra/support/project-root';
import { loadConfig, temporalPayloadKeys } from '../../libs/config';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { Mailer } from '../../libs/mail';
import { dataSourceOptions, runMigrations } from '../../libs/persistence';
import { upliftDataConverter } from '../../libs/temporal-codec';
import { buildWorkerActivities } from '../support/task-activities';

export const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
export const mib = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

export interface BenchStack {
  dataSource: DataSource;
  client: Client;
  taskQueue: string;
  /** For a bench that also runs the API in-process. */
  databaseUrl: string;
  temporalAddress: string;
  close(): Promise<void>;
}

/** `name` keeps two benches' data folders and task queues apart; ports are the bench's own. */
export async function startBenchStack(name: string, ports: { temporal: number; postgres: number }): Promise<BenchStack> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = projectRoot();
  const quiet = () => undefined;
  const cliPath = await resolveTemporalCli({ projectRoot: root, log });
  const temporal = await startTemporalDevServer({ cliPath, port: ports.temporal, searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS, log: quiet });
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(root, '.data', `bench-${name}-postgres`),
    port: ports.postgres,
    persistent: false,
    database: 'uplift_bench',
    log: quiet,
  });
  const dataSource = await new DataSource(dataSourceOptions(pg.url)).initialize();
  await runMigrations(dataSource);

  const mailer = new Mailer('smtp://127.0.0.1:1', 'bench@uplift.local'); // nothing falls due while a bench runs
  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  // The worker settings `npm start` would use, payload encryption included (it costs what it costs in production).
  const startConfig = loadConfig({ DATABASE_URL: 'postgresql://unused', SMTP_URL: 'smtp://unused', UPLIFT_DEV: '1' });
  const dataConverter = upliftDataConverter(temporalPayloadKeys(startConfig));
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }), dataConverter });
  const taskQueue = `bench-${name}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    dataConverter,
    maxCachedWorkflows: startConfig.temporal.maxCachedWorkflows,
    workflowsPath: require.resolve('../../workflows'),
    activities: buildWorkerActivities(dataSource, mailer, client),
  });
  const running = worker.run();
  return {
    dataSource,
    client,
    taskQueue,
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    async close() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await client.connection.close();
      mailer.close();
      await dataSource.destroy();
      await pg.stop();
      await temporal.stop();
    },
  };
}

/** A port nothing listens on now, for a bench that must not clash with tests or another bench running beside it. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The p-th percentile (nearest rank) of ascending values. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs a bench: prints every missed target and exits 1 if there is one. */
export function runBench(bench: () => Promise<(string | false)[]>): void {
  bench()
    .then((checks) => {
      const failures = checks.filter((c): c is string => Boolean(c));
      if (failures.length) {
        log(`FAILED targets: ${failures.join('; ')}`);
        process.exit(1);
      }
      log('all targets met');
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    });
}
