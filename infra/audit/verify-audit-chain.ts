/**
 * `npm run audit:verify`: recomputes the audit log's hash chain in DATABASE_URL's database, checks the signed
 * checkpoints in AUDIT_CHECKPOINT_DIR (default .data/audit-checkpoints) against it, and prints what it found.
 * Exit status: 0 intact, 1 broken (the line names the first broken chain_seq) or a checkpoint with a bad signature,
 * 2 could not check.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { checkpointFilePath, verifyAuditLog } from '../../libs/audit';
import { loadAuditCheckpointConfig } from '../../libs/config';
import { AuditLogRepository, dataSourceOptions } from '../../libs/persistence';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set: name the database whose audit log to verify\n');
    return 2;
  }
  const checkpoints = loadAuditCheckpointConfig();
  const dataSource = await new DataSource({ ...dataSourceOptions(url), extra: { max: 1 } }).initialize();
  try {
    const started = Date.now();
    const result = await verifyAuditLog(
      new AuditLogRepository(dataSource),
      checkpoints && { dir: checkpoints.checkpointDir, key: checkpoints.checkpointKey },
    );
    const took = `${((Date.now() - started) / 1000).toFixed(1)} s`;
    if (result.brokenAt) {
      process.stdout.write(
        `audit chain BROKEN at chain_seq ${result.brokenAt.chainSeq}: ${result.brokenAt.reason} ` +
          `(${result.checked} entries before it verified)\n`,
      );
    } else if (result.ok) {
      process.stdout.write(`audit chain OK: ${result.checked} entries verified in ${took}\n`);
    } else {
      process.stdout.write(`audit chain OK: ${result.checked} entries verified in ${took}, but the checkpoint file FAILS:\n`);
    }
    const state = result.checkpoints;
    if (!checkpoints || !state.configured) {
      // stderr: the one stdout line stays what scripts parse.
      process.stderr.write('checkpoints not checked: AUDIT_CHECKPOINT_DIR is not set, so truncation cannot be detected\n');
    } else {
      process.stdout.write(
        `checkpoints: ${state.valid} of ${state.total} correctly signed in ${checkpointFilePath(checkpoints.checkpointDir)}` +
          (state.latest ? `, latest at chain_seq ${state.latest.chainSeq} (${state.latest.at})` : '') +
          '\n',
      );
      for (const problem of state.problems) process.stdout.write(`  ${problem}\n`);
    }
    return result.ok ? 0 : 1;
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
