/**
 * The cluster project's components: a scratch embedded PostgreSQL holding both the application's database and the
 * Temporal server's two, and the Temporal server built from its module (infra/temporal/cluster) on it. Sets the
 * same variables as test/support/global-setup.ts, so the shared helpers (worker harness, worker processes, reminder
 * burst) run against the cluster unchanged; test/support/global-teardown.ts stops it all.
 */
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres';
import { startTemporalCluster } from '../../infra/temporal/cluster/temporal-cluster';
import { resolveTemporalCli } from '../../infra/temporal/temporal-cli';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { dataSourceOptions, runMigrations } from '../../libs/persistence';

// The cluster's node takes the frontend port and the seven after it.
const TEST_TEMPORAL_PORT = Number(process.env.UPLIFT_TEST_TEMPORAL_PORT ?? 17233);
const TEST_POSTGRES_PORT = Number(process.env.UPLIFT_TEST_POSTGRES_PORT ?? 15433);

const log = (line: string) => {
  // The server logs at warn level; its connection warnings while workers come and go would drown the report.
  if (!line.startsWith('[temporal-server]')) process.stderr.write(`[cluster-stack] ${line}\n`);
};

export default async function clusterGlobalSetup(): Promise<void> {
  if ((globalThis as Record<string, unknown>).__UPLIFT_TEST_STOPS__) return;
  const root = path.resolve(__dirname, '../..');
  const started = Date.now();
  const stops: (() => Promise<void>)[] = [];
  (globalThis as Record<string, unknown>).__UPLIFT_TEST_STOPS__ = stops;

  const pg = await startEmbeddedPostgres({
    dataDir: path.join(os.tmpdir(), `uplift-test-cluster-postgres-${TEST_POSTGRES_PORT}`),
    port: TEST_POSTGRES_PORT,
    persistent: false,
    database: 'uplift_test',
    log,
  });
  stops.push(pg.stop);

  const cluster = await startTemporalCluster({
    projectRoot: root,
    dataDir: path.join(os.tmpdir(), `uplift-test-cluster-${TEST_TEMPORAL_PORT}`),
    frontendPort: TEST_TEMPORAL_PORT,
    postgres: { url: pg.url },
    searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
    log,
  }).catch(async (err: unknown) => {
    // jest skips the teardown when a global setup fails: the database would outlive the run.
    await pg.stop();
    throw err;
  });
  stops.push(cluster.stop);

  const dataSource = await new DataSource(dataSourceOptions(pg.url)).initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  process.env.UPLIFT_TEST_TEMPORAL_ADDRESS = cluster.address;
  process.env.UPLIFT_TEST_DATABASE_URL = pg.url;
  process.env.UPLIFT_TEST_TEMPORAL_CLI = await resolveTemporalCli({ projectRoot: root, log });
  process.env.UPLIFT_TEST_CLUSTER_TIMINGS = JSON.stringify(cluster.timings);
  const { buildMs, schemaMs, serverMs, namespaceMs } = cluster.timings;
  log(
    `cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s (binaries ${(buildMs / 1000).toFixed(1)} s, ` +
      `schema ${(schemaMs / 1000).toFixed(1)} s, server ${(serverMs / 1000).toFixed(1)} s, namespace ${(namespaceMs / 1000).toFixed(1)} s)`,
  );
}
