/**
 * Signed checkpoints of the audit log's head. The hash chain alone cannot tell a log whose newest entries were deleted
 * from a log that simply ended there, and anyone who can write the table can recompute every unkeyed hash after an
 * edit. A checkpoint, kept outside the database and signed with a key the database does not hold, pins the head: the
 * entry at its position must still exist with its hash. Pure: the file and the database are the callers' business.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { countOf } from '../domain/russian';
import { canonicalJson, type ChainBreak } from './audit-chain';

const ENTRY = { one: 'запись', few: 'записи', many: 'записей' };

export const CHECKPOINT_VERSION = 1;

/** What a checkpoint asserts: the chain had `count` entries, the newest at `chainSeq` with `hash`, at `at`. */
export interface CheckpointBody {
  v: number;
  /** bigint as a decimal string. */
  chainSeq: string;
  hash: string;
  count: number;
  /** UTC ISO instant the head was read. */
  at: string;
}

export interface SignedCheckpoint extends CheckpointBody {
  /** HMAC-SHA256 hex of canonicalJson(body) under the checkpoint key. */
  sig: string;
}

/** A line of the checkpoint file as read back: its line number, and the checkpoint when the signature holds. */
export type CheckpointLine =
  | { line: number; valid: true; checkpoint: SignedCheckpoint }
  | { line: number; valid: false; problem: string };

function bodyOf(c: CheckpointBody): CheckpointBody {
  return { v: c.v, chainSeq: c.chainSeq, hash: c.hash, count: c.count, at: c.at };
}

function mac(body: CheckpointBody, key: string): string {
  return createHmac('sha256', key).update(canonicalJson(bodyOf(body)), 'utf8').digest('hex');
}

export function signCheckpoint(head: { chainSeq: string; hash: string; count: number }, key: string, at: Date): SignedCheckpoint {
  const body: CheckpointBody = { v: CHECKPOINT_VERSION, chainSeq: head.chainSeq, hash: head.hash, count: head.count, at: at.toISOString() };
  return { ...body, sig: mac(body, key) };
}

/** One line of the append-only file, newline included. */
export function checkpointLine(checkpoint: SignedCheckpoint): string {
  return `${canonicalJson(checkpoint)}\n`;
}

/** Constant-time: the signature is a secret-derived value. */
export function checkpointSignatureValid(checkpoint: SignedCheckpoint, key: string): boolean {
  const expected = Buffer.from(mac(checkpoint, key), 'hex');
  const given = Buffer.from(typeof checkpoint.sig === 'string' && /^[0-9a-f]{64}$/.test(checkpoint.sig) ? checkpoint.sig : '', 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Parses and checks one line; anything not a well-formed, correctly signed checkpoint is a problem, in Russian. */
export function parseCheckpointLine(text: string, line: number, key: string): CheckpointLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, valid: false, problem: `строка ${line} файла контрольных точек повреждена: это не JSON` };
  }
  const c = value as Partial<SignedCheckpoint> | null;
  const wellFormed =
    c !== null &&
    typeof c === 'object' &&
    c.v === CHECKPOINT_VERSION &&
    typeof c.chainSeq === 'string' &&
    /^[1-9]\d*$/.test(c.chainSeq) &&
    typeof c.hash === 'string' &&
    typeof c.count === 'number' &&
    typeof c.at === 'string' &&
    !Number.isNaN(Date.parse(c.at)) &&
    typeof c.sig === 'string';
  if (!wellFormed) return { line, valid: false, problem: `строка ${line} файла контрольных точек повреждена: не хватает полей` };
  const checkpoint = c as SignedCheckpoint;
  if (!checkpointSignatureValid(checkpoint, key)) {
    return {
      line,
      valid: false,
      problem: `контрольная точка в строке ${line} (запись № ${checkpoint.chainSeq}) с неверной подписью: подделана или подписана другим ключом`,
    };
  }
  return { line, valid: true, checkpoint };
}

/** Every non-empty line of the file's text. */
export function parseCheckpointFile(text: string, key: string): CheckpointLine[] {
  const lines: CheckpointLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed) lines.push(parseCheckpointLine(trimmed, index + 1, key));
  });
  return lines;
}

/** '30.11.2026 16:05:00 UTC': the reason texts name checkpoints by their time. */
export function checkpointTime(at: string): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)} ${iso.slice(11, 19)} UTC`;
}

/** What the database holds now, as far as the checkpoints ask. */
export interface ChainState {
  /** The newest entry's position, null for an empty log. */
  headChainSeq: string | null;
  /** Stored hash at each asked position; absent: no entry there. */
  hashes: ReadonlyMap<string, string>;
}

export interface CheckpointReport {
  /** Lines in the file, and how many carry a valid signature. */
  total: number;
  valid: number;
  /** Every signature in the file holds (true for an empty file). */
  signaturesValid: boolean;
  /** The newest correctly signed checkpoint. */
  latest: SignedCheckpoint | null;
  /** Russian, one per bad line or failed checkpoint. */
  problems: string[];
  /** The earliest position a checkpoint shows as changed, deleted or cut off. */
  brokenAt?: ChainBreak;
}

/** The positions whose stored hash checkCheckpoints needs. */
export function checkpointPositions(lines: readonly CheckpointLine[]): string[] {
  return [...new Set(lines.flatMap((l) => (l.valid ? [l.checkpoint.chainSeq] : [])))];
}

/**
 * Each valid checkpoint's entry must still exist with the hash it had. A checkpoint beyond the head means the newest
 * entries were deleted: truncation, named at the first missing position. Checkpoints are checked newest first for
 * the truncation message (it names the latest one that proves it) and all of them for changed hashes.
 */
export function checkCheckpoints(lines: readonly CheckpointLine[], state: ChainState): CheckpointReport {
  const problems: string[] = [];
  const breaks: ChainBreak[] = [];
  let latest: SignedCheckpoint | null = null;
  let valid = 0;
  const head = state.headChainSeq === null ? 0n : BigInt(state.headChainSeq);
  let truncatedBy: SignedCheckpoint | null = null;
  for (const line of lines) {
    if (!line.valid) {
      problems.push(line.problem);
      continue;
    }
    valid += 1;
    const c = line.checkpoint;
    const seq = BigInt(c.chainSeq);
    if (!latest || seq > BigInt(latest.chainSeq) || (seq === BigInt(latest.chainSeq) && c.at > latest.at)) latest = c;
    if (seq > head) {
      if (!truncatedBy || seq > BigInt(truncatedBy.chainSeq)) truncatedBy = c;
      continue;
    }
    const stored = state.hashes.get(c.chainSeq);
    if (stored === undefined) {
      const reason = `запись № ${c.chainSeq} из контрольной точки от ${checkpointTime(c.at)} отсутствует: удалена`;
      problems.push(reason);
      breaks.push({ chainSeq: c.chainSeq, reason });
    } else if (stored !== c.hash) {
      const reason = `хеш записи № ${c.chainSeq} не совпадает с контрольной точкой от ${checkpointTime(c.at)}: записи до неё переписаны`;
      problems.push(reason);
      breaks.push({ chainSeq: c.chainSeq, reason });
    }
  }
  if (truncatedBy) {
    const first = head + 1n;
    const reason =
      `цепочка обрезана: после записи № ${head} удалены записи (контрольная точка от ${checkpointTime(truncatedBy.at)} ` +
      `фиксировала ${countOf(truncatedBy.count, ENTRY)} до № ${truncatedBy.chainSeq}; первая недостающая — № ${first})`;
    problems.push(reason);
    breaks.push({ chainSeq: first.toString(), reason });
  }
  breaks.sort((a, b) => (BigInt(a.chainSeq) < BigInt(b.chainSeq) ? -1 : BigInt(a.chainSeq) > BigInt(b.chainSeq) ? 1 : 0));
  return { total: lines.length, valid, signaturesValid: valid === lines.length, latest, problems, brokenAt: breaks[0] };
}
