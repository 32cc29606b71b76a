/**
 * `npm run audit:checkpoint`: signs the audit log's current head into AUDIT_CHECKPOINT_DIR now, besides the worker's
 * periodic ones (before a backup, after a batch import, before handing the log to an auditor).
 * Exit status: 0 written or already there, 2 could not write.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { checkpointFilePath, writeCheckpoint } from '../../libs/audit';
import { loadAuditCheckpointConfig } from '../../libs/config';
import { AuditLogRepository, dataSourceOptions } from '../../libs/persistence';

async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    process.stderr.write('DATABASE_URL is not set: name the database whose audit log to checkpoint\n');
    return 2;
  }
  const settings = loadAuditCheckpointConfig();
  if (!settings) {
    process.stderr.write('AUDIT_CHECKPOINT_DIR is not set: name the directory of the checkpoint file\n');
    return 2;
  }
  const dataSource = await new DataSource({ ...dataSourceOptions(url), extra: { max: 1 } }).initialize();
  try {
    const result = await writeCheckpoint(new AuditLogRepository(dataSource), { dir: settings.checkpointDir, key: settings.checkpointKey });
    const file = checkpointFilePath(settings.checkpointDir);
    if (!result.checkpoint) process.stdout.write('audit log is empty: no checkpoint written\n');
    else if (!result.written) process.stdout.write(`head unchanged since the last checkpoint (chain_seq ${result.checkpoint.chainSeq}) in ${file}\n`);
    else process.stdout.write(`checkpoint written to ${file}: ${result.line!}`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`audit checkpoint could not be written: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
