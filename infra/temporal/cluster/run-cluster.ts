/**
 * `npm run temporal:server`: a Temporal cluster on PostgreSQL, alone, until Ctrl+C. Builds temporal-server and
 * temporal-sql-tool into .tools/bin (first run: minutes), starts an embedded PostgreSQL in .data/temporal-cluster
 * (or uses TEMPORAL_POSTGRES_URL), sets up the persistence and visibility schemas, runs one node with all services
 * on TEMPORAL_PORT, and registers the `default` namespace with the project's search attributes.
 * Point the API and the worker at it with TEMPORAL_ADDRESS; `npm run start:cluster` does all of that for the stack.
 */
import path from 'node:path';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../../libs/contracts/deadline-task';
import { formatDuration } from '../../support/process';
import { projectRoot } from '../../support/project-root';
import { clusterSettingsFromEnv } from './cluster-settings';
import { startTemporalCluster } from './temporal-cluster';

const log = (line: string) => process.stdout.write(`[cluster] ${line}\n`);

async function main(): Promise<void> {
  const root = projectRoot();
  const settings = clusterSettingsFromEnv(process.env);
  const cluster = await startTemporalCluster({
    projectRoot: root,
    dataDir: path.join(root, '.data', 'temporal-cluster'),
    ...settings,
    searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
    log,
  });
  const { buildMs, schemaMs, serverMs, namespaceMs } = cluster.timings;
  log(
    `Temporal cluster ready on ${cluster.address} (PostgreSQL ${cluster.postgres}): binaries ${formatDuration(buildMs)}, ` +
      `schema ${formatDuration(schemaMs)}, server ${formatDuration(serverMs)}, namespace ${formatDuration(namespaceMs)}. Ctrl+C stops it.`,
  );
  let stopping = false;
  const shutdown = () => {
    stopping = true;
    log('stopping…');
    void cluster.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`did not stop cleanly: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  void cluster.server.exited.then((how) => {
    if (stopping) return;
    log(`the Temporal server exited (${how}); stopping`);
    void cluster.stop().finally(() => process.exit(1));
  });
}

main().catch((err: unknown) => {
  log(`start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
