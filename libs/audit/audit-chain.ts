/**
 * The audit log's hash chain: every entry's hash covers its content and the previous entry's hash, so an edit,
 * deletion or insertion anywhere before the newest entry shows up when the chain is recomputed (deleting the newest
 * entries does not: signed checkpoints, checkpoints.ts, catch that). Appending
 * (AuditLogRepository), the migration that chained existing rows, and every verifier share this one definition.
 */
import { hash } from 'node:crypto';

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

/**
 * JSON with object keys sorted recursively (by UTF-16 code units) and no whitespace: one text per value.
 *
 * The definition is JSON.stringify(sortKeys(normalizeJson(value))). Values that are already plain JSON data (what pg
 * gives back for jsonb, what appends hash after normalizeJson) are written in one pass with the same result, without
 * the round trip and the sorted copies: verifying a long chain spent most of its time there. Anything else (Dates,
 * undefined members, toJSON, class instances) goes through the definition itself.
 */
export function canonicalJson(value: unknown): string {
  return plainCanonicalJson(value) ?? JSON.stringify(sortKeys(normalizeJson(value)));
}

/**
 * The definition's text for plain JSON data, or undefined when the value holds anything normalizeJson would change
 * other than non-finite numbers (which JSON.stringify writes as null either way). Two details of the definition are
 * kept: sortKeys rebuilds each object by assignment, so keys that are array indices come first in numeric order (an
 * ordinary object's key order) and a "__proto__" key sets the copy's prototype instead of a member, i.e. disappears.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function plainCanonicalJson(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      // JSON.stringify escapes only these (surrogates: when unpaired); a string without them is written as it is.
      return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
    case 'number':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      const item = plainCanonicalJson(value[i]);
      if (item === undefined) return undefined;
      text += i === 0 ? item : `,${item}`;
    }
    return `${text}]`;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return undefined;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source);
  if (keys.length > 1) keys.sort();
  let indices = 0;
  for (const key of keys) if (isArrayIndex(key)) indices += 1;
  const ordered = indices === 0 ? keys : [...keys.filter(isArrayIndex).sort((a, b) => Number(a) - Number(b)), ...keys.filter((k) => !isArrayIndex(k))];
  let text = '{';
  let first = true;
  for (const key of ordered) {
    if (key === '__proto__') continue;
    const member = plainCanonicalJson(source[key]);
    if (member === undefined) return undefined;
    text += `${first ? '' : ','}${NEEDS_ESCAPE.test(key) ? JSON.stringify(key) : `"${key}"`}:${member}`;
    first = false;
  }
  return `${text}}`;
}

/** An array index as ordinary objects order their keys: a canonical integer below 2^32 - 1. */
function isArrayIndex(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  if (key === '0') return true;
  return c !== 48 && /^[0-9]+$/.test(key) && Number(key) <= 4294967294;
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
  const occurredAt = content.occurredAt.toISOString();
  // canonicalJson of the entry object below, with its keys' order written out (they are fixed, none is an array
  // index): a verifier does not build, sort and quote the same ten keys for every row. An ISO date needs no escaping.
  const actor = plainCanonicalJson(content.actor);
  const chainSeq = plainCanonicalJson(content.chainSeq);
  const cycleId = plainCanonicalJson(content.cycleId);
  const data = plainCanonicalJson(content.data);
  const organizationIds = plainCanonicalJson(content.organizationIds);
  const seq = plainCanonicalJson(content.seq);
  const subjectId = plainCanonicalJson(content.subjectId);
  const subjectType = plainCanonicalJson(content.subjectType);
  const type = plainCanonicalJson(content.type);
  if (
    actor === undefined ||
    chainSeq === undefined ||
    cycleId === undefined ||
    data === undefined ||
    organizationIds === undefined ||
    seq === undefined ||
    subjectId === undefined ||
    subjectType === undefined ||
    type === undefined
  ) {
    return canonicalJson({
      chain_seq: content.chainSeq,
      subject_type: content.subjectType,
      subject_id: content.subjectId,
      seq: content.seq,
      type: content.type,
      actor: content.actor,
      occurred_at: occurredAt,
      data: content.data,
      cycle_id: content.cycleId,
      organization_ids: content.organizationIds,
    });
  }
  return (
    `{"actor":${actor},"chain_seq":${chainSeq},"cycle_id":${cycleId},"data":${data},"occurred_at":"${occurredAt}",` +
    `"organization_ids":${organizationIds},"seq":${seq},"subject_id":${subjectId},"subject_type":${subjectType},"type":${type}}`
  );
}

/** sha256 hex of prevHash (GENESIS_HASH for the first entry) + '\n' + canonicalEntry(content). */
export function chainHash(prevHash: string | null, content: ChainedContent): string {
  return hash('sha256', `${prevHash ?? GENESIS_HASH}\n${canonicalEntry(content)}`, 'hex');
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

/** A row's position and hash: all the walk keeps of the rows before the current one. */
interface Link {
  chainSeq: bigint;
  hash: string;
}

/** Where the walk stopped: enough to tell an edit from a deletion, an insertion or a move. */
export interface BreakContext {
  /** The position the walk expected next. */
  expectedSeq: bigint;
  /** The row found instead (its chain_seq may be later than expected: a gap). */
  row: ChainedRow;
  /** The last row that checked out, and the one before it. */
  previous: Link | null;
  beforePrevious: Link | null;
}

/** Whether the row's hash is right for its content placed at `chainSeq` (after its own prev_hash). */
function hashesAt(row: ChainedRow, chainSeq: bigint): boolean {
  return chainHash(row.prevHash, { ...row, chainSeq: chainSeq.toString() }) === row.hash;
}

/**
 * Names the tampered entry at a break. The walk only sees that the row at a position does not fit; which entry was
 * edited, deleted, inserted or moved follows from where that row's own hash and link would fit. `successors` are the
 * stored rows whose prev_hash is the last good row's hash (the repository looks them up; without them a moved entry
 * reads as a deleted one): the entry that originally followed it, wherever it is now.
 */
export function diagnoseBreak(context: BreakContext, successors: readonly ChainedRow[] = []): ChainBreak {
  const { expectedSeq, row, previous, beforePrevious } = context;
  const seq = BigInt(row.chainSeq);
  const expectedPrev = previous ? previous.hash : null;
  // The entry that belongs at the expected position, if it still exists somewhere else.
  const moved = successors.find((s) => BigInt(s.chainSeq) !== expectedSeq && (s.prevHash ?? null) === expectedPrev && hashesAt(s, expectedSeq));
  if (seq !== expectedSeq) {
    if (!previous) return { chainSeq: '1', reason: `цепочка начинается с записи № ${seq}, а не № 1: начальные записи удалены` };
    if (moved) return movedBreak(expectedSeq, moved);
    const last = seq - 1n === expectedSeq ? `№ ${expectedSeq}` : `№ ${expectedSeq}–${seq - 1n}`;
    return { chainSeq: expectedSeq.toString(), reason: `запись ${last} отсутствует: удалена (после № ${previous.chainSeq} идёт № ${seq})` };
  }
  if (!previous && row.prevHash !== null) {
    return { chainSeq: row.chainSeq, reason: 'у первой записи цепочки не должно быть ссылки на предыдущую (prev_hash)' };
  }
  const linked = (row.prevHash ?? null) === expectedPrev;
  const selfConsistent = hashesAt(row, seq);
  if (selfConsistent && linked) throw new Error(`entry ${row.chainSeq} is intact: no break to diagnose`);
  if (previous && !selfConsistent && hashesAt(row, seq - 1n) && beforePrevious && row.prevHash === beforePrevious.hash) {
    // The row was written one position earlier, right after the entry now two back: the one in between is new.
    return {
      chainSeq: previous.chainSeq.toString(),
      reason: `запись № ${previous.chainSeq} вставлена: следующая запись была записана сразу после № ${beforePrevious.chainSeq}, а записи после вставки сдвинуты`,
    };
  }
  if (previous && selfConsistent) {
    // The row is intact but points past the previous one: that one was replaced and its hash recomputed.
    return {
      chainSeq: previous.chainSeq.toString(),
      reason: `запись № ${previous.chainSeq} подменена или изменена с пересчётом хеша: следующая запись ссылается на прежний хеш`,
    };
  }
  if (moved) return movedBreak(expectedSeq, moved);
  if (previous && !linked && hashesAt(row, seq + 1n)) {
    return { chainSeq: row.chainSeq, reason: `запись № ${seq} удалена, а следующие записи перенумерованы, чтобы скрыть пропуск` };
  }
  return linked
    ? { chainSeq: row.chainSeq, reason: 'хеш не совпадает с содержимым записи: запись изменена' }
    : {
        chainSeq: row.chainSeq,
        reason: 'ссылка на предыдущую запись (prev_hash) не совпадает с её хешем: запись вставлена, удалена или изменена',
      };
}

function movedBreak(position: bigint, moved: ChainedRow): ChainBreak {
  return {
    chainSeq: position.toString(),
    reason: `порядок записей изменён: запись № ${position} перемещена на место № ${moved.chainSeq}`,
  };
}

/**
 * Checks rows in chain order, one batch after another, carrying the previous rows across batches so that a table of
 * any size is verified in constant memory. Stops at the first break: everything after it is unverifiable anyway.
 */
export class ChainVerifier {
  private previous: Link | null = null;
  private beforePrevious: Link | null = null;
  checked = 0;
  brokenAt?: ChainBreak;
  /** Set with brokenAt: pass it to diagnoseBreak again with the successors looked up, to name a moved entry. */
  breakContext?: BreakContext;

  /** Returns false once the chain is broken; later calls then do nothing. */
  push(row: ChainedRow): boolean {
    if (this.brokenAt) return false;
    const seq = BigInt(row.chainSeq);
    const expectedSeq = this.previous ? this.previous.chainSeq + 1n : 1n;
    const intact =
      seq === expectedSeq && (row.prevHash ?? null) === (this.previous ? this.previous.hash : null) && chainHash(row.prevHash, row) === row.hash;
    if (!intact) {
      this.breakContext = { expectedSeq, row, previous: this.previous, beforePrevious: this.beforePrevious };
      this.brokenAt = diagnoseBreak(this.breakContext);
      // A break named before this row (an inserted or replaced entry) was counted as checked: uncount it.
      this.checked = Math.min(this.checked, Number(BigInt(this.brokenAt.chainSeq) - 1n));
      return false;
    }
    this.beforePrevious = this.previous;
    this.previous = { chainSeq: seq, hash: row.hash };
    this.checked += 1;
    return true;
  }
}
