/**
 * Tampering with the audit log directly in PostgreSQL, as the database's owner could: each case alters, deletes,
 * inserts or reorders one middle entry, or cuts off the newest entries after a signed checkpoint, and the verifier
 * (the one behind GET /api/audit/verify and `npm run audit:verify`) names exactly that position. Every case restores
 * the table: later test files share this database and verify the chain.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataSource, type EntityManager } from 'typeorm';
import { chainHash, verifyAuditLog, writeCheckpoint, type CheckpointSettings } from '../../libs/audit';
import { AuditLogRepository, dataSourceOptions } from '../../libs/persistence';
import { requireTestEnv, uniqueSuffix } from '../support/test-config';

const run = promisify(execFile);
const KEY = 'tamper-test-checkpoint-key-0123456789abcdef';
let dataSource: DataSource;
let audit: AuditLogRepository;
let settings: CheckpointSettings;

beforeAll(async () => {
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  audit = new AuditLogRepository(dataSource);
  settings = { dir: mkdtempSync(path.join(tmpdir(), 'uplift-audit-checkpoints-')), key: KEY };
});

afterAll(async () => {
  await dataSource?.destroy();
  if (settings) rmSync(settings.dir, { recursive: true, force: true });
});

/** The embedded test server's user is a superuser, which may switch the append-only trigger off, as the owner could. */
async function tamper(work: (m: EntityManager) => Promise<unknown>): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
    await work(m);
    await m.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
  });
}

/** Moves every entry from `from` on by `by` positions; through negative values, as chain_seq is unique per row. */
async function shift(m: EntityManager, from: string, by: number): Promise<void> {
  await m.query(`UPDATE audit_events SET chain_seq = -(chain_seq + $2) WHERE chain_seq >= $1`, [from, by]);
  await m.query(`UPDATE audit_events SET chain_seq = -chain_seq WHERE chain_seq < 0`);
}

async function rowAt(chainSeq: string): Promise<Record<string, unknown>> {
  const [row]: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM audit_events WHERE chain_seq = $1`, [chainSeq]);
  return row;
}

/** Puts a row read by rowAt back exactly as it was. */
async function reinsert(m: EntityManager, row: Record<string, unknown>): Promise<void> {
  const columns = Object.keys(row);
  await m.query(
    `INSERT INTO audit_events (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
    columns.map((c) => (c === 'data' ? JSON.stringify(row[c]) : row[c])),
  );
}

/** Five fresh entries, then a signed checkpoint of the head; returns the positions, the third is the victim. */
async function fiveEntriesAndCheckpoint(label: string): Promise<string[]> {
  const subject = `${label}-${uniqueSuffix()}`;
  const seqs: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const { chainSeq } = await audit.append({
      subjectType: 'test',
      subjectId: subject,
      seq: i,
      type: `step_${i}`,
      actor: 'director@school1.severny.demo-region.example',
      occurredAt: new Date(Date.UTC(2026, 10, 30, 9, i)),
      data: { index: i, note: 'запись для проверки подделки' },
      organizationIds: ['demo-school-severny-1'],
    });
    seqs.push(chainSeq!);
  }
  const written = await writeCheckpoint(audit, settings);
  expect(written).toMatchObject({ written: true, checkpoint: { chainSeq: seqs[4], count: Number(seqs[4]) } });
  expect(await verifyAuditLog(audit, settings)).toMatchObject({ ok: true, checkpoints: { signaturesValid: true, latest: { chainSeq: seqs[4] } } });
  return seqs;
}

async function expectIntactAgain(): Promise<void> {
  const result = await verifyAuditLog(audit, settings);
  expect(result).toMatchObject({ ok: true, checkpoints: { configured: true, signaturesValid: true, problems: [] } });
  expect(result.brokenAt).toBeUndefined();
}

async function verifyCli(): Promise<{ code: number; stdout: string }> {
  const root = path.resolve(__dirname, '../..');
  const env = {
    ...process.env,
    DATABASE_URL: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
    AUDIT_CHECKPOINT_DIR: settings.dir,
    AUDIT_CHECKPOINT_KEY: KEY,
  };
  try {
    const { stdout } = await run('npx', ['ts-node', '--transpile-only', 'infra/audit/verify-audit-chain.ts'], { cwd: root, env });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}

describe('tampering with the audit log behind the application', () => {
  it('names an altered middle entry', async () => {
    const [, , victim] = await fiveEntriesAndCheckpoint('altered');
    const original = await rowAt(victim);
    await tamper((m) => m.query(`UPDATE audit_events SET data = '{"index": 3, "note": "подделано"}' WHERE chain_seq = $1`, [victim]));
    try {
      const result = await verifyAuditLog(audit, settings);
      expect(result).toMatchObject({ ok: false, checked: Number(victim) - 1 });
      expect(result.brokenAt).toEqual({ chainSeq: victim, reason: 'хеш не совпадает с содержимым записи: запись изменена' });
    } finally {
      await tamper((m) => m.query(`UPDATE audit_events SET data = $1::jsonb WHERE chain_seq = $2`, [JSON.stringify(original.data), victim]));
    }
    await expectIntactAgain();
  });

  it('names a deleted middle entry by its own position', async () => {
    const [, second, victim, fourth] = await fiveEntriesAndCheckpoint('deleted');
    const original = await rowAt(victim);
    await tamper((m) => m.query(`DELETE FROM audit_events WHERE chain_seq = $1`, [victim]));
    try {
      const result = await verifyAuditLog(audit, settings);
      expect(result).toMatchObject({ ok: false, checked: Number(victim) - 1 });
      expect(result.brokenAt).toEqual({ chainSeq: victim, reason: `запись № ${victim} отсутствует: удалена (после № ${second} идёт № ${fourth})` });
    } finally {
      await tamper((m) => reinsert(m, original));
    }
    await expectIntactAgain();
  });

  it('names an inserted middle entry, even one forged with a correct hash and link', async () => {
    const [, second, victim] = await fiveEntriesAndCheckpoint('inserted');
    const before = await rowAt(second);
    const forged = {
      chainSeq: victim,
      subjectType: 'test',
      subjectId: `forged-${uniqueSuffix()}`,
      seq: 1,
      type: 'completed',
      actor: 'forger@example',
      occurredAt: new Date(Date.UTC(2026, 10, 30, 9, 2, 30)),
      data: { forged: true },
      cycleId: null,
      organizationIds: [],
    };
    await tamper(async (m) => {
      await shift(m, victim, 1);
      await m.query(
        `INSERT INTO audit_events (chain_seq, prev_hash, hash, subject_type, subject_id, seq, type, actor, occurred_at, data, cycle_id, organization_ids)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [victim, before.hash, chainHash(before.hash as string, forged), forged.subjectType, forged.subjectId, forged.seq, forged.type,
          forged.actor, forged.occurredAt, JSON.stringify(forged.data), forged.cycleId, forged.organizationIds],
      );
    });
    try {
      const result = await verifyAuditLog(audit, settings);
      expect(result).toMatchObject({ ok: false, checked: Number(victim) - 1 });
      expect(result.brokenAt).toEqual({ chainSeq: victim, reason: expect.stringMatching(new RegExp(`^запись № ${victim} вставлена`)) });
      // The shifted head no longer matches its checkpoint either.
      expect(result.checkpoints.problems).toEqual(expect.arrayContaining([expect.stringContaining('не совпадает с контрольной точкой')]));
    } finally {
      await tamper(async (m) => {
        await m.query(`DELETE FROM audit_events WHERE chain_seq = $1`, [victim]);
        await shift(m, String(Number(victim) + 1), -1);
      });
    }
    await expectIntactAgain();
  });

  it('names a middle entry moved to another position', async () => {
    const [, , victim, next] = await fiveEntriesAndCheckpoint('reordered');
    const swap = () =>
      tamper(async (m) => {
        await m.query(`UPDATE audit_events SET chain_seq = -chain_seq WHERE chain_seq IN ($1, $2)`, [victim, next]);
        await m.query(`UPDATE audit_events SET chain_seq = CASE WHEN chain_seq = -$1::bigint THEN $2::bigint ELSE $1::bigint END WHERE chain_seq < 0`, [
          victim,
          next,
        ]);
      });
    await swap();
    try {
      const result = await verifyAuditLog(audit, settings);
      expect(result).toMatchObject({ ok: false, checked: Number(victim) - 1 });
      expect(result.brokenAt).toEqual({ chainSeq: victim, reason: `порядок записей изменён: запись № ${victim} перемещена на место № ${next}` });
    } finally {
      await swap();
    }
    await expectIntactAgain();
  });

  it('finds the newest entries deleted after a checkpoint, naming the first missing position, and the CLI exits 1', async () => {
    const seqs = await fiveEntriesAndCheckpoint('truncated');
    const removed = [seqs[2], seqs[3], seqs[4]];
    const originals = await Promise.all(removed.map(rowAt));
    await tamper((m) => m.query(`DELETE FROM audit_events WHERE chain_seq = ANY($1::bigint[])`, [removed]));
    try {
      // The chain that is left is intact: only the checkpoint shows what is missing.
      expect(await audit.verifyChain()).toMatchObject({ ok: true });
      const result = await verifyAuditLog(audit, settings);
      expect(result).toMatchObject({ ok: false, checked: Number(seqs[1]) });
      expect(result.brokenAt).toEqual({
        chainSeq: seqs[2],
        reason: expect.stringMatching(
          new RegExp(`^цепочка обрезана: после записи № ${seqs[1]} удалены записи \\(контрольная точка от \\d\\d\\.\\d\\d\\.\\d{4} \\d\\d:\\d\\d:\\d\\d UTC .*первая недостающая — № ${seqs[2]}\\)$`),
        ),
      });
      const cli = await verifyCli();
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`BROKEN at chain_seq ${seqs[2]}: цепочка обрезана: после записи № ${seqs[1]} удалены записи`);
    } finally {
      await tamper(async (m) => {
        for (const row of originals) await reinsert(m, row);
      });
    }
    await expectIntactAgain();
    expect(await verifyCli()).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit chain OK: \d+ entries verified in [\d.]+ s\ncheckpoints: 5 of 5 correctly signed/) });
  });
});
