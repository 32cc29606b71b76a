import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DataSource } from 'typeorm';
import { AuditLogRepository, dataSourceOptions } from '../../libs/persistence';
import { requireTestEnv, uniqueSuffix } from '../support/test-config';

const run = promisify(execFile);
let dataSource: DataSource;
let audit: AuditLogRepository;

beforeAll(async () => {
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  audit = new AuditLogRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
});

/** The embedded test server's user is a superuser, which may switch the append-only trigger off, as an attacker with it could. */
async function tamper(sql: string, params: unknown[]): Promise<void> {
  await dataSource.transaction(async (m) => {
    await m.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
    await m.query(sql, params);
    await m.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
  });
}

async function verifyCli(): Promise<{ code: number; stdout: string }> {
  const root = path.resolve(__dirname, '../..');
  try {
    const { stdout } = await run('npx', ['ts-node', '--transpile-only', 'infra/audit/verify-audit-chain.ts'], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: requireTestEnv('UPLIFT_TEST_DATABASE_URL') },
    });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}

describe('hash-chained audit log on real PostgreSQL', () => {
  it('chains 50 concurrent appends into one gapless, verifiable sequence', async () => {
    const subject = `concurrent-${uniqueSuffix()}`;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        audit.append({
          subjectType: 'test',
          subjectId: subject,
          seq: i + 1,
          type: 'parallel_append',
          actor: 'system',
          occurredAt: new Date(Date.UTC(2026, 10, 23, 10, 0, 0, i)),
          data: { index: i, nested: { z: 'последний', a: [3, 1, 2] }, when: new Date('2026-11-23T10:00:00Z') },
          cycleId: 'cycle-concurrency',
          organizationIds: ['demo-school-severny-1', 'demo-mun-severny', 'demo-school-severny-1'],
        }),
      ),
    );
    expect(results.every((r) => r.appended)).toBe(true);
    const seqs = results.map((r) => BigInt(r.chainSeq!)).sort((a, b) => (a < b ? -1 : 1));
    expect(seqs.at(-1)! - seqs[0]).toBe(49n); // no gaps, no duplicates among them

    const verification = await audit.verifyChain(); // one COPY stream: rows split over its messages are the decoder's unit test
    expect(verification).toEqual({ ok: true, checked: expect.any(Number) });
    expect(verification.checked).toBeGreaterThanOrEqual(50);

    const listed = await audit.list({ subjectType: 'test', subjectId: subject }, { limit: 100 });
    expect(listed).toHaveLength(50);
    expect(listed[0].organizationIds).toEqual(['demo-mun-severny', 'demo-school-severny-1']);
    expect(listed[0].data).toEqual({ index: listed[0].seq! - 1, nested: { z: 'последний', a: [3, 1, 2] }, when: '2026-11-23T10:00:00.000Z' });
  });

  it('appends a retried entry with the same per-subject seq once, and entries without seq every time', async () => {
    const subject = `retried-${uniqueSuffix()}`;
    const entry = { subjectType: 'test', subjectId: subject, seq: 1, type: 'created', actor: 'a@b.c', occurredAt: new Date(), data: {} };
    const [first, second] = await Promise.all([audit.append(entry), audit.append(entry)]);
    expect([first.appended, second.appended].sort()).toEqual([false, true]);
    const oneOff = { ...entry, seq: undefined, type: 'access_denied' };
    expect((await audit.append(oneOff)).appended).toBe(true);
    expect((await audit.append(oneOff)).appended).toBe(true);
    const listed = await audit.list({ subjectId: subject });
    expect(listed.map((e) => [e.seq, e.type])).toEqual([
      [1, 'created'],
      [null, 'access_denied'],
      [null, 'access_denied'],
    ]);
  });

  it('appends inside the caller transaction and vanishes with its rollback', async () => {
    const subject = `rolled-back-${uniqueSuffix()}`;
    await expect(
      dataSource.transaction(async (manager) => {
        await audit.append({ subjectType: 'test', subjectId: subject, type: 'x', actor: 'system', occurredAt: new Date(), data: {} }, manager);
        throw new Error('the recorded change failed');
      }),
    ).rejects.toThrow('the recorded change failed');
    expect(await audit.list({ subjectId: subject })).toHaveLength(0);
    expect((await audit.verifyChain()).ok).toBe(true);
  });

  it('lists by cycle, organisation and task, in chain order and page by page', async () => {
    const cycleId = `cycle-${uniqueSuffix()}`;
    const taskA = `task-a-${uniqueSuffix()}`;
    const taskB = `task-b-${uniqueSuffix()}`;
    const base = { actor: 'system', occurredAt: new Date(), data: {} };
    await audit.append({ ...base, subjectType: 'cycle', subjectId: cycleId, type: 'cycle_started', cycleId, organizationIds: ['demo-ministry'] });
    await audit.append({ ...base, subjectType: 'task', subjectId: taskA, seq: 1, type: 'created', cycleId, organizationIds: ['demo-mun-severny'] });
    await audit.append({ ...base, subjectType: 'task', subjectId: taskB, seq: 1, type: 'created', cycleId, organizationIds: ['demo-mun-yuzhny'] });
    await audit.append({ ...base, subjectType: 'task', subjectId: taskA, seq: 2, type: 'completed', cycleId, organizationIds: ['demo-mun-severny'] });

    expect((await audit.list({ cycleId })).map((e) => e.type)).toEqual(['cycle_started', 'created', 'created', 'completed']);
    expect((await audit.list({ cycleId, organizationIds: ['demo-mun-severny'] })).map((e) => e.subjectId)).toEqual([taskA, taskA]);
    expect((await audit.list({ taskIds: [taskB, taskA] })).map((e) => `${e.subjectId}:${e.seq}`)).toEqual([`${taskA}:1`, `${taskB}:1`, `${taskA}:2`]);
    const firstPage = await audit.list({ cycleId }, { limit: 3 });
    const secondPage = await audit.list({ cycleId }, { limit: 3, afterChainSeq: firstPage.at(-1)!.chainSeq });
    expect(firstPage).toHaveLength(3);
    expect(secondPage.map((e) => e.type)).toEqual(['completed']);
  });

  it('reports the chain_seq of an entry edited behind the trigger, and the CLI exits 1', async () => {
    const subject = `tampered-${uniqueSuffix()}`;
    const chainSeq = (await audit.append({
      subjectType: 'test',
      subjectId: subject,
      type: 'completed',
      actor: 'director@school1.severny.demo-region.example',
      occurredAt: new Date(),
      data: { late: true },
    })).chainSeq!;
    await audit.append({ subjectType: 'test', subjectId: subject, type: 'after', actor: 'system', occurredAt: new Date(), data: {} });
    expect(await verifyCli()).toMatchObject({ code: 0, stdout: expect.stringMatching(/^audit chain OK: \d+ entries verified in [\d.]+ s\n$/) });

    await tamper(`UPDATE audit_events SET data = '{"late": false}' WHERE chain_seq = $1`, [chainSeq]);
    try {
      const broken = await audit.verifyChain();
      expect(broken.ok).toBe(false);
      expect(broken.brokenAt).toEqual({ chainSeq, reason: expect.stringContaining('запись изменена') });
      expect(broken.checked).toBe(Number(chainSeq) - 1);
      expect(await audit.verifyEntries([chainSeq])).toMatchObject({ ok: false, failures: [{ chainSeq }] });
      const cli = await verifyCli();
      expect(cli.code).toBe(1);
      expect(cli.stdout).toContain(`BROKEN at chain_seq ${chainSeq}`);
    } finally {
      // Later test files share this database and may verify the chain.
      await tamper(`UPDATE audit_events SET data = '{"late": true}' WHERE chain_seq = $1`, [chainSeq]);
    }
    expect((await audit.verifyChain()).ok).toBe(true);
  });

  it('detects a deleted entry by the broken link after it', async () => {
    const subject = `deleted-${uniqueSuffix()}`;
    const base = { subjectType: 'test', subjectId: subject, actor: 'system', occurredAt: new Date(), data: {} };
    await audit.append({ ...base, type: 'first' });
    const { chainSeq: middle } = await audit.append({ ...base, type: 'middle' });
    const { chainSeq: last } = await audit.append({ ...base, type: 'last' });
    // Renumbering the tail hides the gap in chain_seq, but not the missing link.
    const [removed] = await dataSource.query(`SELECT * FROM audit_events WHERE chain_seq = $1`, [middle]);
    await tamper(`DELETE FROM audit_events WHERE chain_seq = $1`, [middle]);
    await tamper(`UPDATE audit_events SET chain_seq = $1 WHERE chain_seq = $2`, [middle, last]);
    try {
      const broken = await audit.verifyChain();
      expect(broken.brokenAt?.chainSeq).toBe(middle);
    } finally {
      await tamper(`UPDATE audit_events SET chain_seq = $1 WHERE chain_seq = $2`, [last, middle]);
      await tamper(
        `INSERT INTO audit_events (id, chain_seq, prev_hash, hash, subject_type, subject_id, seq, type, actor, occurred_at, data,
                                   cycle_id, organization_ids, recorded_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [removed.id, removed.chain_seq, removed.prev_hash, removed.hash, removed.subject_type, removed.subject_id, removed.seq,
          removed.type, removed.actor, removed.occurred_at, removed.data, removed.cycle_id, removed.organization_ids, removed.recorded_at],
      );
    }
    expect((await audit.verifyChain()).ok).toBe(true);
  });

  it('still refuses edits, deletions and TRUNCATE through the trigger', async () => {
    const { chainSeq } = await audit.append({ subjectType: 'test', subjectId: `locked-${uniqueSuffix()}`, type: 'x', actor: 'system', occurredAt: new Date(), data: {} });
    await expect(dataSource.query(`UPDATE audit_events SET actor = 'someone' WHERE chain_seq = $1`, [chainSeq])).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`DELETE FROM audit_events WHERE chain_seq = $1`, [chainSeq])).rejects.toThrow(/append-only/);
    await expect(dataSource.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
  });
});
