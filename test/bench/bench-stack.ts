/**
 * What every benchmark needs: its own Temporal (the dev server in memory, or with BENCH_TEMPORAL=cluster the Temporal
 * server on its own PostgreSQL, infra/temporal/cluster) and embedded PostgreSQL on bench ports, and
 * either a worker in this process (`startBenchStack`, the older single-figure benches) or the project's real worker
 * and API as child processes beside an SMTP sink (`startRealStack`, the suite of issue 11), whose resident memory is
 * then their own; and the verdict against the bench's targets.
 */
import 'reflect-metadata';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres';
import { startTemporalCluster } from '../../infra/temporal/cluster/temporal-cluster';
import { startTemporalDevServer } from '../../infra/temporal/dev-server';
import { resolveTemporalCli } from '../../infra/temporal/temporal-cli';
import { projectRoot } from '../../infra/support/project-root';
import { loadConfig, temporalPayloadKeys } from '../../libs/config';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { Mailer } from '../../libs/mail';
import { dataSourceOptions, runMigrations } from '../../libs/persistence';
import { upliftDataConverter } from '../../libs/temporal-codec';
import { writeWorkflowBundles } from '../../apps/worker/workflow-bundles';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { SmtpSink } from '../support/smtp-sink';
import { BENCH_CLUSTER_HISTORY_SHARDS, benchTemporalKind } from './results';
import { buildWorkerActivities } from '../support/task-activities';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';

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

export interface Servers {
  temporal: { address: string; stop(): Promise<void> };
  pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  dataSource: DataSource;
}

let runtimeInstalled = false;

/** A scratch PostgreSQL (in .data/bench-<name>-postgres, removed on the next start) with the project's migrations. */
export async function startBenchDatabase(name: string, port: number): Promise<{ pg: Servers['pg']; dataSource: DataSource }> {
  const pg = await startEmbeddedPostgres({
    dataDir: path.join(projectRoot(), '.data', `bench-${name}-postgres`),
    port,
    persistent: false,
    database: 'uplift_bench',
    log: () => undefined,
  });
  const dataSource = await new DataSource(dataSourceOptions(pg.url)).initialize();
  await runMigrations(dataSource);
  return { pg, dataSource };
}

/**
 * Where a bench's Temporal cluster listens (BENCH_TEMPORAL=cluster): the node takes eight ports from base + 50 (the
 * bench's own port, base + 1 and base + 2 are its database and API), so the five benches' nodes fall on 19650–19697;
 * the cluster's own PostgreSQL takes base + 3.
 */
export const CLUSTER_PORT_OFFSETS = { frontend: 50, postgres: 3 } as const;

/**
 * A fresh Temporal and a scratch PostgreSQL with the project's migrations applied. The Temporal is the dev server (in
 * memory) or, with BENCH_TEMPORAL=cluster, the cluster: the Temporal server on an embedded PostgreSQL of its own,
 * schemas set up and namespace registered as `npm run temporal:server` does, and everything wiped on stop.
 */
export async function startServers(name: string, ports: { temporal: number; postgres: number }): Promise<Servers> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const temporal = benchTemporalKind() === 'cluster' ? await startBenchCluster(name, ports.temporal) : await startBenchDevServer(ports.temporal);
  const { pg, dataSource } = await startBenchDatabase(name, ports.postgres).catch(async (err: unknown) => {
    await temporal.stop();
    throw err;
  });
  return { temporal, pg, dataSource };
}

async function startBenchDevServer(port: number): Promise<Servers['temporal']> {
  const cliPath = await resolveTemporalCli({ projectRoot: projectRoot(), log });
  return startTemporalDevServer({ cliPath, port, searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS, log: () => undefined });
}

async function startBenchCluster(name: string, basePort: number): Promise<Servers['temporal']> {
  const dataDir = path.join(projectRoot(), '.data', `bench-${name}-temporal-cluster`);
  // A killed run leaves its config behind; its database (scratch) is removed by the next start either way.
  fs.rmSync(path.join(dataDir, 'config'), { recursive: true, force: true });
  const cluster = await startTemporalCluster({
    projectRoot: projectRoot(),
    dataDir,
    frontendPort: basePort + CLUSTER_PORT_OFFSETS.frontend,
    postgres: { embeddedPort: basePort + CLUSTER_PORT_OFFSETS.postgres, persistent: false },
    numHistoryShards: BENCH_CLUSTER_HISTORY_SHARDS,
    searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
    // The server's own warnings (connections of workers coming and going) would drown the bench's lines.
    log: (line) => {
      if (!line.startsWith('[temporal-server]')) log(`[${name}] [cluster] ${line}`);
    },
  });
  const { buildMs, schemaMs, serverMs, namespaceMs } = cluster.timings;
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  log(`[${name}] Temporal cluster on ${cluster.address}: schema ${s(schemaMs)}, server ${s(serverMs)}, namespace ${s(namespaceMs)} (binaries ${s(buildMs)})`);
  return {
    address: cluster.address,
    async stop() {
      await cluster.stop();
      // The config holds the database's password; the database itself went with the scratch PostgreSQL.
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `name` keeps two benches' data folders and task queues apart; ports are the bench's own. */
export async function startBenchStack(name: string, ports: { temporal: number; postgres: number }): Promise<BenchStack> {
  const { temporal, pg, dataSource } = await startServers(name, ports);

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

/** Ports of the suite's benches (19600–19699): each bench owns ten from its base (and, on the cluster, base + 50 to + 57). */
export const BENCH_PORTS = { launch: 19600, burst: 19610, api: 19620, audit: 19630, memory: 19640 } as const;

export interface RealStack {
  name: string;
  dataSource: DataSource;
  /** A client with the production data converter (payload encryption), as the API's. */
  client: Client;
  taskQueue: string;
  databaseUrl: string;
  temporalAddress: string;
  sink: SmtpSink;
  worker: WorkerProcess;
  /** Present when the stack was started with `api: true`. */
  api?: ApiProcess;
  close(): Promise<void>;
}

/**
 * The stack as it runs in production, on the bench's own servers: Temporal, PostgreSQL, an SMTP sink (the tests'
 * real SMTP server, in this process), the project's worker (apps/worker/main.ts) and, when asked, its API
 * (apps/api/main.ts), each a child process whose memory `rssMiB` reads. Development keys (UPLIFT_DEV=1): payloads are
 * encrypted as in production, under a fixed key.
 */
export async function startRealStack(
  name: string,
  options: { basePort: number; api?: boolean; workerEnv?: Record<string, string>; apiEnv?: Record<string, string> },
): Promise<RealStack> {
  const { temporal, pg, dataSource } = await startServers(name, { temporal: options.basePort, postgres: options.basePort + 1 });
  process.env.UPLIFT_DEV = '1';
  // The API reads the checkpoint file; a bench must not read or write a developer's .data/audit-checkpoints.
  const checkpointDir = fs.mkdtempSync(path.join(os.tmpdir(), `uplift-bench-${name}-`));
  process.env.AUDIT_CHECKPOINT_DIR = checkpointDir;
  // Every bench client logs in from 127.0.0.1: the per-address log-in limit (60 a minute) would refuse a nation's
  // ministries logging in at once. The per-account limit stays.
  process.env.LOGIN_RATE_PER_ADDRESS = '100000';
  const sink = await SmtpSink.start();
  const taskQueue = `bench-${name}`;
  const startConfig = loadConfig({ DATABASE_URL: 'postgresql://unused', SMTP_URL: 'smtp://unused', UPLIFT_DEV: '1' });
  const client = new Client({ connection: await Connection.connect({ address: temporal.address }), dataConverter: upliftDataConverter(temporalPayloadKeys(startConfig)) });
  // BENCH_CPU_PROF=<dir>: the worker and the API write V8 CPU profiles there (open them in Chrome's DevTools or
  // speedscope); they are then stopped with SIGTERM, so that Node writes the profile as it exits.
  const profileDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const common = { taskQueue, temporalAddress: temporal.address, databaseUrl: pg.url, smtpUrl: sink.url };
  const started = Date.now();
  const [worker, api] = await Promise.all([
    startWorkerProcess({ ...common, nodeArgs, env: { UPLIFT_DEV: '1', WORKFLOW_BUNDLE_DIR: await benchWorkflowBundles(), ...options.workerEnv } }, 600_000),
    options.api ? startApiProcess({ ...common, port: options.basePort + 2, nodeArgs, env: options.apiEnv }, 600_000) : Promise.resolve(undefined),
  ]);
  // BENCH_LOG_DIR=<dir>: the worker's and the API's JSON logs from here on, for reading a run's timeline afterwards.
  if (process.env.BENCH_LOG_DIR) {
    fs.mkdirSync(process.env.BENCH_LOG_DIR, { recursive: true });
    for (const [role, child] of [['worker', worker.child], ['api', api?.child]] as const) {
      if (!child) continue;
      const file = fs.createWriteStream(path.join(process.env.BENCH_LOG_DIR, `${name}-${role}.log`));
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
    }
  }
  log(`[${name}] stack up in ${((Date.now() - started) / 1000).toFixed(1)} s: worker pid ${worker.child.pid}${api ? `, API pid ${api.child.pid} at ${api.baseUrl}` : ''}`);
  return {
    name,
    dataSource,
    client,
    taskQueue,
    databaseUrl: pg.url,
    temporalAddress: temporal.address,
    sink,
    worker,
    api,
    async close() {
      if (profileDir) await Promise.all([stopGracefully(api?.child), stopGracefully(worker.child)]);
      await api?.kill();
      await worker.kill();
      await client.connection.close();
      await sink.stop();
      await dataSource.destroy();
      await pg.stop();
      await temporal.stop();
      fs.rmSync(checkpointDir, { recursive: true, force: true });
    },
  };
}

let bundles: Promise<string> | undefined;

/**
 * The workflow bundles the image's worker loads (WORKFLOW_BUNDLE_DIR, `npm run build:workflows`), built once per
 * bench run: the bench's worker starts and uses memory as a deployed one does, without webpack's compilation.
 */
function benchWorkflowBundles(): Promise<string> {
  bundles ??= (async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uplift-bench-bundles-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    await writeWorkflowBundles(dir);
    return dir;
  })();
  return bundles;
}

/** SIGTERM, then up to a minute for the process to exit on its own (writing its CPU profile). */
async function stopGracefully(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(60_000)]);
}

/** Resident memory of a process (VmRSS in /proc), in MiB; 0 once it is gone. */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; gives the peak and the last sample. */
export function sampleRss(pid: number | undefined, everyMs = 250): { stop(): { peakMiB: number; lastMiB: number; samples: number } } {
  let peak = 0;
  let last = 0;
  let samples = 0;
  const take = () => {
    last = rssMiB(pid);
    peak = Math.max(peak, last);
    samples += 1;
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakMiB: peak, lastMiB: last, samples };
    },
  };
}

/**
 * The sizes to run: every one for `npm run bench`; only the smallest with BENCH_SCALE=smoke (`npm run bench:smoke`);
 * BENCH_MAX_SIZE=<n> keeps the sizes up to n (a quick run that still shows growth); BENCH_MIN_SIZE=<n> those from n
 * (the largest alone, after a run of the smaller ones).
 */
export function benchSizes<T extends number>(all: readonly T[]): T[] {
  if (process.env.BENCH_SCALE === 'smoke') return [all[0]];
  const max = process.env.BENCH_MAX_SIZE ? Number(process.env.BENCH_MAX_SIZE) : Infinity;
  const min = process.env.BENCH_MIN_SIZE ? Number(process.env.BENCH_MIN_SIZE) : -Infinity;
  const kept = all.filter((s) => s >= min && s <= max);
  return kept.length ? kept : [all[0]];
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `work` with `concurrency` of the items in flight at once; resolves with the results in order. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i], i);
      }
    }),
  );
  return results;
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
