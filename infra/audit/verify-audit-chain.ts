/**
 * `npm run audit:verify`: recomputes the audit log's hash chain in DATABASE_URL's database and prints one line.
 * Exit status: 0 intact, 1 broken (the line names the first broken chain_seq), 2 could not check.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { AuditLogRepository, dataSourceOptions } from '../../libs/persistence';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set: name the database whose audit log to verify\n');
    return 2;
  }
  const dataSource = await new DataSource({ ...dataSourceOptions(url), extra: { max: 1 } }).initialize();
  try {
    const started = Date.now();
    const result = await new AuditLogRepository(dataSource).verifyChain();
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (result.ok) {
      process.stdout.write(`audit chain OK: ${result.checked} entries verified in ${took}\n`);
      return 0;
    }
    process.stdout.write(
      `audit chain BROKEN at chain_seq ${result.brokenAt!.chainSeq}: ${result.brokenAt!.reason} ` +
        `(${result.checked} entries before it verified)\n`,
    );
    return 1;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`audit chain could not be verified: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
