/**
 * The checkpoint file and the full verification. One file, `audit-checkpoints.jsonl`, in a directory outside the
 * database: lines are only ever appended (O_APPEND, one write per line, fsync), never rewritten, so the directory can
 * live on storage the database's owner cannot write (another host's mount, a `chattr +a` file).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ChainBreak } from './audit-chain';
import {
  checkCheckpoints,
  checkpointLine,
  checkpointPositions,
  parseCheckpointFile,
  signCheckpoint,
  type CheckpointReport,
  type SignedCheckpoint,
} from './checkpoints';

export const CHECKPOINT_FILE = 'audit-checkpoints.jsonl';

export interface CheckpointSettings {
  dir: string;
  key: string;
}

/** What the verification needs from the audit log (AuditLogRepository has it; libs/audit does not import it back). */
export interface CheckpointedLog {
  head(): Promise<{ chainSeq: string; hash: string; count: number } | null>;
  hashesAt(chainSeqs: readonly string[]): Promise<Map<string, string>>;
  verifyChain(): Promise<{ ok: boolean; checked: number; brokenAt?: ChainBreak }>;
}

export function checkpointFilePath(dir: string): string {
  return path.join(dir, CHECKPOINT_FILE);
}

function readCheckpointText(dir: string): string {
  try {
    return readFileSync(checkpointFilePath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
}

/** The newest line that parses and verifies: a new checkpoint is skipped when the head has not moved since. */
function latestValid(dir: string, key: string): SignedCheckpoint | null {
  return checkCheckpoints(parseCheckpointFile(readCheckpointText(dir), key), { headChainSeq: null, hashes: new Map() }).latest;
}

export interface WrittenCheckpoint {
  written: boolean;
  checkpoint: SignedCheckpoint | null;
  /** The line as appended (with its newline), for a copy in the log. */
  line?: string;
}

/**
 * Signs the current head and appends it. Nothing is written for an empty log or when the newest checkpoint already
 * names this head: an idle installation does not grow the file every few minutes.
 */
export async function writeCheckpoint(log: CheckpointedLog, settings: CheckpointSettings, now: Date = new Date()): Promise<WrittenCheckpoint> {
  const head = await log.head();
  if (!head) return { written: false, checkpoint: null };
  const previous = latestValid(settings.dir, settings.key);
  if (previous && previous.chainSeq === head.chainSeq && previous.hash === head.hash) return { written: false, checkpoint: previous };
  const checkpoint = signCheckpoint(head, settings.key, now);
  const line = checkpointLine(checkpoint);
  mkdirSync(settings.dir, { recursive: true });
  const fd = openSync(checkpointFilePath(settings.dir), 'a', 0o640);
  try {
    // One write of one short line in append mode: concurrent writers (several workers) never interleave within it.
    writeSync(fd, line);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { written: true, checkpoint, line };
}

export interface CheckpointState extends CheckpointReport {
  /** False when this process has no checkpoint directory configured. */
  configured: boolean;
}

export interface AuditLogVerification {
  ok: boolean;
  checked: number;
  /** The earliest break, by the chain walk or by a checkpoint. */
  brokenAt?: ChainBreak;
  checkpoints: CheckpointState;
}

const NOT_CONFIGURED: CheckpointState = { configured: false, total: 0, valid: 0, signaturesValid: true, latest: null, problems: [] };

/**
 * The chain walk plus the checkpoints. The file is read before the database: every checkpoint in it was written after
 * its head was committed, so a head read later can only be longer, never shorter, unless entries were deleted.
 */
export async function verifyAuditLog(log: CheckpointedLog, settings: CheckpointSettings | undefined): Promise<AuditLogVerification> {
  const lines = settings ? parseCheckpointFile(readCheckpointText(settings.dir), settings.key) : [];
  const chain = await log.verifyChain();
  if (!settings) return { ...chain, checkpoints: NOT_CONFIGURED };
  const head = await log.head();
  const report = checkCheckpoints(lines, { headChainSeq: head?.chainSeq ?? null, hashes: await log.hashesAt(checkpointPositions(lines)) });
  const breaks = [chain.brokenAt, report.brokenAt].filter((b): b is ChainBreak => b !== undefined);
  breaks.sort((a, b) => (BigInt(a.chainSeq) < BigInt(b.chainSeq) ? -1 : BigInt(a.chainSeq) > BigInt(b.chainSeq) ? 1 : 0));
  const brokenAt = breaks[0];
  const checked = brokenAt ? Math.min(chain.checked, Number(BigInt(brokenAt.chainSeq) - 1n)) : chain.checked;
  const ok = chain.ok && report.brokenAt === undefined && report.signaturesValid;
  return { ok, checked, ...(brokenAt ? { brokenAt } : {}), checkpoints: { configured: true, ...report } };
}
