/**
 * The audit log's hash chain: every entry's hash covers its content and the previous entry's hash, so an edit,
 * deletion or insertion anywhere before the newest entry shows up when the chain is recomputed. Appending
 * (AuditLogRepository), the migration that chained existing rows, and every verifier share this one definition.
 */
import { createHash } from 'node:crypto';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: everything an auditor reads about an entry, but not its storage details (id, recorded_at). */
export interface ChainedContent {
  /** bigint as a decimal string: the global order of the log. */
  chainSeq: string;
  subjectType: string;
  subjectId: string;
  seq: number | null;
  type: string;
  actor: string;
  occurredAt: Date;
  data: Record<string, unknown>;
  cycleId: string | null;
  organizationIds: string[];
}

/**
 * The value as PostgreSQL's jsonb gives it back: Dates become ISO strings, undefined members disappear, NaN becomes
 * null. Hashing this form, not the caller's object, is what lets a verifier reading the row recompute the same hash.
 */
export function normalizeJson<T>(value: T): T {
  return value === undefined ? (null as T) : (JSON.parse(JSON.stringify(value)) as T);
}

/** JSON with object keys sorted recursively (by UTF-16 code units) and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(normalizeJson(value)));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const source = value as Record<string, unknown>;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(source).sort()) sorted[key] = sortKeys(source[key]);
    return sorted;
  }
  return value;
}

/** Organisation lists are sets: stored and hashed sorted and without duplicates or blanks. */
export function normalizeOrganizationIds(ids: readonly (string | null | undefined)[] | undefined): string[] {
  return [...new Set((ids ?? []).filter((id): id is string => typeof id === 'string' && id.length > 0))].sort();
}

/** The exact text that is hashed after the previous hash and a newline. */
export function canonicalEntry(content: ChainedContent): string {
  if (Number.isNaN(content.occurredAt.getTime())) throw new Error('audit entry has an invalid occurredAt');
  return canonicalJson({
    chain_seq: content.chainSeq,
    subject_type: content.subjectType,
    subject_id: content.subjectId,
    seq: content.seq,
    type: content.type,
    actor: content.actor,
    occurred_at: content.occurredAt.toISOString(),
    data: content.data,
    cycle_id: content.cycleId,
    organization_ids: content.organizationIds,
  });
}

/** sha256 hex of prevHash (GENESIS_HASH for the first entry) + '\n' + canonicalEntry(content). */
export function chainHash(prevHash: string | null, content: ChainedContent): string {
  return createHash('sha256')
    .update(`${prevHash ?? GENESIS_HASH}\n${canonicalEntry(content)}`, 'utf8')
    .digest('hex');
}

/** One stored row as a verifier reads it. */
export interface ChainedRow extends ChainedContent {
  prevHash: string | null;
  hash: string;
}

export interface ChainBreak {
  chainSeq: string;
  /** Russian: auditors read it in exports. */
  reason: string;
}

/**
 * Checks rows in chain order, one batch after another, carrying the previous row across batches so that a table of
 * any size is verified in constant memory. Stops at the first break: everything after it is unverifiable anyway.
 */
export class ChainVerifier {
  private previous: { chainSeq: bigint; hash: string } | null = null;
  checked = 0;
  brokenAt?: ChainBreak;

  /** Returns false once the chain is broken; later calls then do nothing. */
  push(row: ChainedRow): boolean {
    if (this.brokenAt) return false;
    const reason = this.check(row);
    if (reason) {
      this.brokenAt = { chainSeq: row.chainSeq, reason };
      return false;
    }
    this.previous = { chainSeq: BigInt(row.chainSeq), hash: row.hash };
    this.checked += 1;
    return true;
  }

  private check(row: ChainedRow): string | undefined {
    const seq = BigInt(row.chainSeq);
    const expectedSeq = this.previous ? this.previous.chainSeq + 1n : 1n;
    if (seq !== expectedSeq) {
      return this.previous
        ? `после записи № ${this.previous.chainSeq} идёт № ${seq}: записи пропущены или удалены`
        : `цепочка начинается с записи № ${seq}, а не № 1: начальные записи удалены`;
    }
    const expectedPrev = this.previous ? this.previous.hash : null;
    if ((row.prevHash ?? null) !== expectedPrev) {
      return this.previous
        ? 'ссылка на предыдущую запись (prev_hash) не совпадает с её хешем: запись вставлена, удалена или изменена'
        : 'у первой записи цепочки не должно быть ссылки на предыдущую (prev_hash)';
    }
    if (chainHash(row.prevHash, row) !== row.hash) return 'хеш не совпадает с содержимым записи: запись изменена';
    return undefined;
  }
}
