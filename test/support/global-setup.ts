/**
 * Starts the real components once per test run (the machine has two cores): a Temporal dev server with an
 * in-memory store, and PostgreSQL (embedded, or TEST_DATABASE_URL) migrated once. SMTP servers are per file.
 */
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres';
import { startTemporalDevServer } from '../../infra/temporal/dev-server';
import { resolveTemporalCli } from '../../infra/temporal/temporal-cli';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { dataSourceOptions, runMigrations } from '../../libs/persistence';

// Away from the machine's own services and from `npm start`'s ports, so tests can run beside a dev stack;
// overridable so that two test runs can share a machine.
const TEST_TEMPORAL_PORT = Number(process.env.UPLIFT_TEST_TEMPORAL_PORT ?? 17233);
const TEST_POSTGRES_PORT = Number(process.env.UPLIFT_TEST_POSTGRES_PORT ?? 15433);

// The dev server's own warnings (connection churn as workers come and go) would drown the test report.
const log = (line: string) => {
  if (!line.startsWith('[temporal]')) process.stderr.write(`[test-stack] ${line}\n`);
};

export default async function globalSetup(): Promise<void> {
  // The browser project's setup calls this too: the components start once per run, whichever project asks first.
  if ((globalThis as Record<string, unknown>).__UPLIFT_TEST_STOPS__) return;
  const root = path.resolve(__dirname, '../..');
  const started = Date.now();
  const stops: (() => Promise<void>)[] = [];
  (globalThis as Record<string, unknown>).__UPLIFT_TEST_STOPS__ = stops;

  const cliPath = await resolveTemporalCli({ projectRoot: root, log });
  const [temporal, databaseUrl] = await Promise.all([
    startTemporalDevServer({ cliPath, port: TEST_TEMPORAL_PORT, searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS, log }),
    (async () => {
      if (process.env.TEST_DATABASE_URL) return process.env.TEST_DATABASE_URL;
      const pg = await startEmbeddedPostgres({
        // Scratch data in the system temp folder: the postgres OS user can always reach it, wherever the clone lives.
        dataDir: path.join(os.tmpdir(), `uplift-test-postgres-${TEST_POSTGRES_PORT}`),
        port: TEST_POSTGRES_PORT,
        persistent: false,
        database: 'uplift_test',
        log,
      });
      stops.push(pg.stop);
      return pg.url;
    })(),
  ]);
  stops.push(temporal.stop);

  const dataSource = await new DataSource(dataSourceOptions(databaseUrl)).initialize();
  await runMigrations(dataSource);
  await dataSource.destroy();

  process.env.UPLIFT_TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.UPLIFT_TEST_DATABASE_URL = databaseUrl;
  process.env.UPLIFT_TEST_TEMPORAL_CLI = cliPath;
  log(`components ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
