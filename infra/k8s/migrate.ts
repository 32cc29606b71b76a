/**
 * The release job (infra/k8s/base/migrate-job.yaml, `node dist/infra/k8s/migrate.js`): before new API and worker pods
 * start, it checks the environment as they will (loadConfig), applies the TypeORM migrations under the same advisory
 * lock as their boot (so a pod that boots meanwhile waits, then finds nothing to do), and registers the project's
 * search attributes on the Temporal namespace, which workflows set from their first task. Every step is idempotent:
 * the job may be run again at will.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { loadConfig } from '../../libs/config';
import { dataSourceOptions, runMigrations } from '../../libs/persistence';
import { registerSearchAttributes } from '../temporal/dev-server';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  const dataSource = await new DataSource(dataSourceOptions(config.databaseUrl)).initialize();
  try {
    const applied = await runMigrations(dataSource);
    log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'no migration pending');
  } finally {
    await dataSource.destroy();
  }
  await registerSearchAttributes(config.temporal.address, config.temporal.namespace, SEARCH_ATTRIBUTE_REGISTRATIONS);
  log(`search attributes ${Object.keys(SEARCH_ATTRIBUTE_REGISTRATIONS).join(', ')} registered on namespace '${config.temporal.namespace}'`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
