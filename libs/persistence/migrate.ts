import type { DataSource } from 'typeorm';

// An arbitrary constant shared by every Uplift process: the API and the worker may boot at the same time.
const MIGRATION_LOCK_KEY = 7_402_311;

/** Runs pending migrations under a PostgreSQL advisory lock so that concurrent boots migrate once. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
