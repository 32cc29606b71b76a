import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkCheckpoints,
  checkpointFilePath,
  checkpointLine,
  checkpointPositions,
  checkpointSignatureValid,
  parseCheckpointFile,
  signCheckpoint,
  verifyAuditLog,
  writeCheckpoint,
  type CheckpointedLog,
  type CheckpointLine,
} from '../../libs/audit';
import { ConfigError, loadAuditCheckpointConfig, loadConfig } from '../../libs/config';
import { DEV_AUDIT_CHECKPOINT_KEY } from '../../libs/config/config';

const KEY = 'test-checkpoint-key-0123456789abcdefghij';
const AT = new Date('2026-11-30T16:05:00Z');
const hashOf = (n: number) => n.toString(16).padStart(64, '0');
const head = (n: number) => ({ chainSeq: String(n), hash: hashOf(n), count: n });

/** The file's lines as the verifier reads them back. */
function linesOf(...heads: number[]): CheckpointLine[] {
  return parseCheckpointFile(heads.map((n) => checkpointLine(signCheckpoint(head(n), KEY, AT))).join(''), KEY);
}

/** An intact log of `length` entries whose hash at n is hashOf(n). */
function state(length: number, changed: Record<string, string> = {}) {
  const hashes = new Map<string, string>();
  for (let n = 1; n <= length; n++) hashes.set(String(n), changed[String(n)] ?? hashOf(n));
  return { headChainSeq: length > 0 ? String(length) : null, hashes };
}

describe('checkpoint signature', () => {
  it('signs the head, its hash, the count and the time, and verifies with the same key only', () => {
    const checkpoint = signCheckpoint(head(42), KEY, AT);
    expect(checkpoint).toEqual({ v: 1, chainSeq: '42', hash: hashOf(42), count: 42, at: '2026-11-30T16:05:00.000Z', sig: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(checkpointSignatureValid(checkpoint, KEY)).toBe(true);
    expect(checkpointSignatureValid(checkpoint, `${KEY}x`)).toBe(false);
  });

  it.each([
    ['chainSeq', { chainSeq: '41' }],
    ['hash', { hash: hashOf(7) }],
    ['count', { count: 41 }],
    ['time', { at: '2026-11-30T16:06:00.000Z' }],
    ['signature', { sig: 'f'.repeat(64) }],
  ])('fails when the %s is changed after signing', (_field, change) => {
    expect(checkpointSignatureValid({ ...signCheckpoint(head(42), KEY, AT), ...change }, KEY)).toBe(false);
  });

  it('writes one canonical JSON line per checkpoint and reads it back as valid', () => {
    const line = checkpointLine(signCheckpoint(head(3), KEY, AT));
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(parseCheckpointFile(line, KEY)).toEqual([{ line: 1, valid: true, checkpoint: JSON.parse(line) }]);
  });

  it('reports a forged, a foreign-key and a damaged line by its line number, keeping the good ones', () => {
    const good = checkpointLine(signCheckpoint(head(5), KEY, AT));
    const forged = checkpointLine({ ...signCheckpoint(head(9), KEY, AT), count: 99 });
    const foreign = checkpointLine(signCheckpoint(head(6), 'another-key-of-enough-length-0123456789', AT));
    const lines = parseCheckpointFile(`${good}${forged}\n${foreign}{"v":1,"chainSeq":"7"}\nnot json\n`, KEY);
    expect(lines.map((l) => [l.line, l.valid])).toEqual([[1, true], [2, false], [4, false], [5, false], [6, false]]);
    const problems = lines.flatMap((l) => (l.valid ? [] : [l.problem]));
    expect(problems[0]).toMatch(/строке 2 \(запись № 9\) с неверной подписью/);
    expect(problems[1]).toMatch(/строке 4 \(запись № 6\) с неверной подписью/);
    expect(problems[2]).toMatch(/строка 5 .* не хватает полей/);
    expect(problems[3]).toMatch(/строка 6 .* не JSON/);
  });
});

describe('checking checkpoints against the log', () => {
  it('accepts a log that still holds every checkpointed head, and names the latest', () => {
    const lines = linesOf(3, 8, 10);
    expect(checkpointPositions(lines)).toEqual(['3', '8', '10']);
    const report = checkCheckpoints(lines, state(12));
    expect(report).toMatchObject({ total: 3, valid: 3, signaturesValid: true, problems: [], latest: { chainSeq: '10' } });
    expect(report.brokenAt).toBeUndefined();
  });

  it('finds truncation: a log shorter than the newest checkpoint, named at the first missing position', () => {
    const report = checkCheckpoints(linesOf(3, 8, 10), state(7));
    expect(report.brokenAt).toEqual({
      chainSeq: '8',
      reason:
        'цепочка обрезана: после записи № 7 удалены записи (контрольная точка от 30.11.2026 16:05:00 UTC фиксировала 10 записей до № 10; первая недостающая — № 8)',
    });
    expect(report.problems).toEqual([report.brokenAt!.reason]);
  });

  it('finds an emptied log', () => {
    expect(checkCheckpoints(linesOf(2), state(0)).brokenAt).toMatchObject({ chainSeq: '1', reason: expect.stringMatching(/^цепочка обрезана: после записи № 0/) });
  });

  it('finds a checkpointed entry rewritten (hash recomputed) or deleted, naming its position', () => {
    expect(checkCheckpoints(linesOf(3, 8), state(12, { '8': hashOf(99) })).brokenAt).toEqual({
      chainSeq: '8',
      reason: expect.stringMatching(/^хеш записи № 8 не совпадает с контрольной точкой от 30\.11\.2026/),
    });
    const gap = state(12);
    gap.hashes.delete('3');
    expect(checkCheckpoints(linesOf(3, 8), gap).brokenAt).toEqual({ chainSeq: '3', reason: expect.stringContaining('запись № 3 из контрольной точки') });
  });

  it('does not trust a badly signed checkpoint, and says so', () => {
    const lines = parseCheckpointFile(checkpointLine({ ...signCheckpoint(head(20), KEY, AT), sig: '0'.repeat(64) }), KEY);
    const report = checkCheckpoints(lines, state(12));
    expect(report).toMatchObject({ total: 1, valid: 0, signaturesValid: false, latest: null });
    expect(report.brokenAt).toBeUndefined(); // a forged checkpoint beyond the head proves no truncation
    expect(report.problems).toEqual([expect.stringContaining('неверной подписью')]);
  });
});

describe('checkpoint file and full verification', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'uplift-checkpoints-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** An in-memory log of `length` intact entries. */
  function fakeLog(length: { n: number }): CheckpointedLog {
    return {
      head: () => Promise.resolve(length.n > 0 ? head(length.n) : null),
      hashesAt: (seqs) => Promise.resolve(new Map(seqs.filter((s) => Number(s) <= length.n).map((s) => [s, hashOf(Number(s))]))),
      verifyChain: () => Promise.resolve({ ok: true, checked: length.n }),
    };
  }

  it('appends lines, never rewrites them, and skips an unchanged head', async () => {
    const length = { n: 0 };
    const log = fakeLog(length);
    expect(await writeCheckpoint(log, { dir, key: KEY })).toEqual({ written: false, checkpoint: null });
    length.n = 4;
    const first = await writeCheckpoint(log, { dir, key: KEY }, AT);
    expect(first).toMatchObject({ written: true, checkpoint: { chainSeq: '4' } });
    const before = readFileSync(checkpointFilePath(dir), 'utf8');
    expect(await writeCheckpoint(log, { dir, key: KEY })).toMatchObject({ written: false, checkpoint: { chainSeq: '4' } });
    length.n = 6;
    await writeCheckpoint(log, { dir, key: KEY });
    const after = readFileSync(checkpointFilePath(dir), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(after.trimEnd().split('\n')).toHaveLength(2);
  });

  it('reports truncation after a checkpoint, and a bad line in the file, through verifyAuditLog', async () => {
    const length = { n: 10 };
    const log = fakeLog(length);
    await writeCheckpoint(log, { dir, key: KEY }, AT);
    expect(await verifyAuditLog(log, { dir, key: KEY })).toMatchObject({ ok: true, checked: 10, checkpoints: { configured: true, valid: 1, latest: { chainSeq: '10' } } });

    length.n = 7;
    const truncated = await verifyAuditLog(log, { dir, key: KEY });
    expect(truncated).toMatchObject({ ok: false, checked: 7, brokenAt: { chainSeq: '8', reason: expect.stringMatching(/^цепочка обрезана: после записи № 7 удалены записи/) } });

    length.n = 10;
    writeFileSync(checkpointFilePath(dir), `${readFileSync(checkpointFilePath(dir), 'utf8')}{"forged":true}\n`);
    const badFile = await verifyAuditLog(log, { dir, key: KEY });
    expect(badFile).toMatchObject({ ok: false, checked: 10, checkpoints: { total: 2, valid: 1, signaturesValid: false } });
    expect(badFile.brokenAt).toBeUndefined();
  });

  it('verifies the chain alone when no checkpoint directory is configured', async () => {
    expect(await verifyAuditLog(fakeLog({ n: 3 }), undefined)).toEqual({
      ok: true,
      checked: 3,
      checkpoints: { configured: false, total: 0, valid: 0, signaturesValid: true, latest: null, problems: [] },
    });
  });
});

describe('checkpoint configuration', () => {
  const REQUIRED = {
    DATABASE_URL: 'postgresql://db/uplift',
    SMTP_URL: 'smtp://relay:25',
    JWT_SECRET: 'a-production-secret-of-forty-characters!',
    TEMPORAL_PAYLOAD_KEYS: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  };

  it('refuses to start outside development without AUDIT_CHECKPOINT_KEY, or with the public one, naming it', () => {
    expect(() => loadConfig(REQUIRED)).toThrow(/AUDIT_CHECKPOINT_KEY is required outside development[\s\S]*not set: AUDIT_CHECKPOINT_KEY/);
    expect(() => loadConfig({ ...REQUIRED, AUDIT_CHECKPOINT_KEY: DEV_AUDIT_CHECKPOINT_KEY })).toThrow(/public development key/);
    expect(() => loadConfig({ ...REQUIRED, AUDIT_CHECKPOINT_KEY: 'short' })).toThrow(/AUDIT_CHECKPOINT_KEY must be at least 32 characters/);
    expect(() => loadAuditCheckpointConfig({})).toThrow(ConfigError);
  });

  it('defaults to .data/audit-checkpoints every 5 minutes, with the development key only in development', () => {
    const audit = loadConfig({ ...REQUIRED, UPLIFT_DEV: '1' }).audit!;
    expect(audit).toEqual({ checkpointDir: expect.stringMatching(/[/\\]\.data[/\\]audit-checkpoints$/), checkpointKey: DEV_AUDIT_CHECKPOINT_KEY, checkpointIntervalMs: 300_000 });
    expect(loadConfig({ ...REQUIRED, AUDIT_CHECKPOINT_KEY: KEY, AUDIT_CHECKPOINT_INTERVAL: '0', AUDIT_CHECKPOINT_DIR: '/srv/audit' }).audit).toEqual({
      checkpointDir: path.resolve('/srv/audit'),
      checkpointKey: KEY,
      checkpointIntervalMs: 0,
    });
    expect(() => loadConfig({ ...REQUIRED, AUDIT_CHECKPOINT_KEY: KEY, AUDIT_CHECKPOINT_INTERVAL: 'often' })).toThrow(/AUDIT_CHECKPOINT_INTERVAL/);
  });

  it('has no default directory under jest, so a developer\'s checkpoints never meet the test database', () => {
    expect(loadConfig({ ...REQUIRED, NODE_ENV: 'test' }).audit).toBeUndefined();
    expect(loadAuditCheckpointConfig({ NODE_ENV: 'test' })).toBeUndefined();
    expect(loadAuditCheckpointConfig({ NODE_ENV: 'test', AUDIT_CHECKPOINT_DIR: '/tmp/x' })).toMatchObject({ checkpointDir: path.resolve('/tmp/x') });
  });
});
