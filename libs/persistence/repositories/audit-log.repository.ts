import type { DataSource, EntityManager } from 'typeorm';
import {
  chainHash,
  ChainVerifier,
  diagnoseBreak,
  normalizeJson,
  normalizeOrganizationIds,
  type ChainBreak,
  type ChainedRow,
} from '../../audit/audit-chain';
import { escapeLiteral } from 'pg';
import { copyOutRows, copyParsers, type CopyRow } from '../copy-out';
import { AuditEventEntity } from '../entities';

/**
 * Held for the rest of the appending transaction: chain order is global, so appends take turns. An arbitrary
 * constant, distinct from the migration lock's.
 */
const AUDIT_CHAIN_LOCK_KEY = 7_402_312;
const LIST_LIMIT_DEFAULT = 1000;
const LIST_LIMIT_MAX = 10_000;
const VERIFY_BATCH_DEFAULT = 5000;

/** One entry for the application audit log: task and cycle events, API actions, refused actions. */
export interface AuditEntryInput {
  /** 'task', 'cycle', 'person', 'substitution', 'api', … */
  subjectType: string;
  subjectId: string;
  /**
   * Per-subject sequence number, for writers that may retry (the workflow projections): an entry whose
   * (subjectType, subjectId, seq) is already stored is not appended again.
   */
  seq?: number;
  type: string;
  /** Who acted: a person's e-mail, or 'system'. */
  actor: string;
  occurredAt: Date;
  data: Record<string, unknown>;
  cycleId?: string | null;
  /** Every organisation the entry concerns; organisation-scoped reads and exports filter on these. */
  organizationIds?: string[];
}

export interface AuditAppendResult {
  appended: boolean;
  /** The entry's position in the chain; absent when nothing was appended. */
  chainSeq?: string;
}

/** Criteria are combined with AND; an empty scope lists the whole log. */
export interface AuditScope {
  cycleId?: string;
  /** Entries concerning any of these organisations. */
  organizationIds?: string[];
  subjectType?: string;
  subjectId?: string;
  /** Entries of these tasks (subject type 'task'). */
  taskIds?: string[];
}

export interface AuditPage {
  /** Keyset pagination: entries after this chain_seq. */
  afterChainSeq?: string;
  /** Default 1000, at most 10,000. */
  limit?: number;
}

export interface AuditChainVerification {
  ok: boolean;
  /** Entries verified before the first break (all of them when ok). */
  checked: number;
  brokenAt?: ChainBreak;
}

interface ChainRow {
  chain_seq: string;
  prev_hash: string | null;
  hash: string;
  subject_type: string;
  subject_id: string;
  seq: number | null;
  type: string;
  actor: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  cycle_id: string | null;
  organization_ids: string[];
}

const CHAIN_PLAIN_COLUMNS = ['prev_hash', 'hash', 'subject_type', 'subject_id', 'seq', 'type', 'actor', 'occurred_at', 'data', 'cycle_id', 'organization_ids'];

/** chain_seq comes back as text (bigint): ORDER BY must name the table's column (e.chain_seq), not this alias. */
function chainColumns(alias: string): string {
  return [`${alias}.chain_seq::text AS chain_seq`, ...CHAIN_PLAIN_COLUMNS.map((c) => `${alias}.${c}`)].join(', ');
}

/** The chained columns in ChainRow's order, for COPY: each comes as its type's text output, as a query would give it. */
const CHAIN_COPY_COLUMNS = ['chain_seq', ...CHAIN_PLAIN_COLUMNS].map((c) => `e.${c}`).join(', ');

/** As pg does: SQL NULL stays null, without the parser. */
function parsed<T>(text: string | null, parse: (text: string) => T): T {
  return (text === null ? null : parse(text)) as T;
}

/** A COPY row of CHAIN_COPY_COLUMNS as toChainedRow makes it from the same row read by a query. */
function chainedRowFromCopy(row: CopyRow): ChainedRow {
  const [chainSeq, prevHash, hash, subjectType, subjectId, seq, type, actor, occurredAt, data, cycleId, organizationIds] = row;
  return {
    chainSeq: chainSeq!,
    prevHash,
    hash: hash!,
    subjectType: subjectType!,
    subjectId: subjectId!,
    seq: parsed(seq, copyParsers.integer),
    type: type!,
    actor: actor!,
    occurredAt: parsed(occurredAt, copyParsers.timestamptz),
    data: parsed(data, copyParsers.jsonb) as Record<string, unknown>,
    cycleId,
    organizationIds: parsed(organizationIds, copyParsers.textArray) as string[],
  };
}

/** The one writer of audit_events: every entry is appended to the hash chain here. */
export class AuditLogRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Appends inside the caller's transaction when given one (so the entry commits or rolls back with the change it
   * records), else in its own. The chain lock is held until that transaction ends: keep it short after appending.
   */
  async append(entry: AuditEntryInput, manager?: EntityManager): Promise<AuditAppendResult> {
    // The chain lock is transaction-scoped: a manager outside a transaction would release it before the insert.
    if (manager?.queryRunner?.isTransactionActive) return this.appendIn(manager, entry);
    return (manager ?? this.dataSource.manager).transaction((own) => this.appendIn(own, entry));
  }

  private async appendIn(manager: EntityManager, entry: AuditEntryInput): Promise<AuditAppendResult> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK_KEY]);
    const seq = entry.seq ?? null;
    if (seq !== null) {
      const existing: unknown[] = await manager.query(
        `SELECT 1 FROM audit_events WHERE subject_type = $1 AND subject_id = $2 AND seq = $3`,
        [entry.subjectType, entry.subjectId, seq],
      );
      if (existing.length > 0) return { appended: false };
    }
    const [last]: { chain_seq: string; hash: string }[] = await manager.query(
      `SELECT e.chain_seq::text AS chain_seq, e.hash FROM audit_events e ORDER BY e.chain_seq DESC LIMIT 1`,
    );
    const chainSeq = (last ? BigInt(last.chain_seq) + 1n : 1n).toString();
    const prevHash = last?.hash ?? null;
    // Hash exactly what a reader will get back: jsonb's view of the data, whole milliseconds, sorted organisations.
    const content = {
      chainSeq,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      seq,
      type: entry.type,
      actor: entry.actor,
      occurredAt: new Date(entry.occurredAt.getTime()),
      data: normalizeJson(entry.data ?? {}),
      cycleId: entry.cycleId ?? null,
      organizationIds: normalizeOrganizationIds(entry.organizationIds),
    };
    const hash = chainHash(prevHash, content);
    await manager.query(
      `INSERT INTO audit_events (chain_seq, prev_hash, hash, subject_type, subject_id, seq, type, actor, occurred_at,
                                 data, cycle_id, organization_ids)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        chainSeq,
        prevHash,
        hash,
        content.subjectType,
        content.subjectId,
        seq,
        content.type,
        content.actor,
        content.occurredAt,
        JSON.stringify(content.data),
        content.cycleId,
        content.organizationIds,
      ],
    );
    return { appended: true, chainSeq };
  }

  /** Entries in chain order. */
  async list(scope: AuditScope, page: AuditPage = {}): Promise<AuditEventEntity[]> {
    const limit = Math.min(Math.max(1, Math.floor(page.limit ?? LIST_LIMIT_DEFAULT)), LIST_LIMIT_MAX);
    const query = this.dataSource.getRepository(AuditEventEntity).createQueryBuilder('e');
    if (scope.cycleId !== undefined) query.andWhere('e.cycle_id = :cycleId', { cycleId: scope.cycleId });
    if (scope.organizationIds !== undefined) {
      query.andWhere('e.organization_ids && :orgs::text[]', { orgs: scope.organizationIds });
    }
    if (scope.subjectType !== undefined) query.andWhere('e.subject_type = :subjectType', { subjectType: scope.subjectType });
    if (scope.subjectId !== undefined) query.andWhere('e.subject_id = :subjectId', { subjectId: scope.subjectId });
    if (scope.taskIds !== undefined) {
      query.andWhere(`e.subject_type = 'task' AND e.subject_id = ANY(:taskIds::varchar[])`, { taskIds: scope.taskIds });
    }
    if (page.afterChainSeq !== undefined) query.andWhere('e.chain_seq > :after', { after: page.afterChainSeq });
    return query.orderBy('e.chain_seq', 'ASC').limit(limit).getMany();
  }

  /**
   * Recomputes the whole chain in chain_seq order, read as one COPY stream (row by row, so the table's size does not
   * matter for memory; one statement, so one snapshot). Stops at the first break.
   */
  async verifyChain(): Promise<AuditChainVerification> {
    const verifier = new ChainVerifier();
    await copyOutRows(this.dataSource, `SELECT ${CHAIN_COPY_COLUMNS} FROM audit_events e ORDER BY e.chain_seq`, (row) =>
      verifier.push(chainedRowFromCopy(row)),
    );
    if (!verifier.brokenAt) return { ok: true, checked: verifier.checked };
    // The entry that belonged at the break, if it was moved elsewhere rather than deleted, still links to the last
    // good one: find it so that a reordering is named as such.
    const context = verifier.breakContext!;
    const successors: ChainRow[] = await this.dataSource.query(
      `SELECT ${chainColumns('e')} FROM audit_events e
        WHERE e.prev_hash IS NOT DISTINCT FROM $1::text AND e.chain_seq <> $2::bigint ORDER BY e.chain_seq LIMIT 10`,
      [context.previous?.hash ?? null, context.expectedSeq.toString()],
    );
    return { ok: false, checked: verifier.checked, brokenAt: diagnoseBreak(context, successors.map(toChainedRow)) };
  }

  /** The newest entry and how many entries there are up to it: what a checkpoint signs. Null for an empty log. */
  async head(): Promise<{ chainSeq: string; hash: string; count: number } | null> {
    const [row]: { chain_seq: string; hash: string; count: string }[] = await this.dataSource.query(
      `SELECT h.chain_seq::text AS chain_seq, h.hash, (SELECT count(*) FROM audit_events c WHERE c.chain_seq <= h.chain_seq) AS count
         FROM (SELECT e.chain_seq, e.hash FROM audit_events e ORDER BY e.chain_seq DESC LIMIT 1) h`,
    );
    return row ? { chainSeq: row.chain_seq, hash: row.hash, count: Number(row.count) } : null;
  }

  /** The stored hash at each position that holds an entry (checkpoints ask about theirs). */
  async hashesAt(chainSeqs: readonly string[]): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    const wanted = [...new Set(chainSeqs)];
    for (let i = 0; i < wanted.length; i += VERIFY_BATCH_DEFAULT) {
      const rows: { chain_seq: string; hash: string }[] = await this.dataSource.query(
        `SELECT e.chain_seq::text AS chain_seq, e.hash FROM audit_events e WHERE e.chain_seq = ANY($1::bigint[])`,
        [wanted.slice(i, i + VERIFY_BATCH_DEFAULT)],
      );
      for (const row of rows) hashes.set(row.chain_seq, row.hash);
    }
    return hashes;
  }

  /**
   * Verifies single entries without walking the chain: each hash against its content, and each prev_hash against the
   * stored hash of the entry before it. What an export of part of the log can prove about its own entries.
   */
  async verifyEntries(chainSeqs: string[]): Promise<{ ok: boolean; checked: number; failures: ChainBreak[] }> {
    const failures: ChainBreak[] = [];
    const wanted = [...new Set(chainSeqs)];
    for (let i = 0; i < wanted.length; i += VERIFY_BATCH_DEFAULT) {
      const slice = wanted.slice(i, i + VERIFY_BATCH_DEFAULT);
      const rows: (ChainRow & { stored_prev: string | null; has_prev: boolean })[] = await this.dataSource.query(
        `SELECT ${chainColumns('e')}, p.hash AS stored_prev, p.chain_seq IS NOT NULL AS has_prev
           FROM audit_events e LEFT JOIN audit_events p ON p.chain_seq = e.chain_seq - 1
          WHERE e.chain_seq = ANY($1::bigint[])`,
        [slice],
      );
      const found = new Set(rows.map((r) => r.chain_seq));
      for (const seq of slice) {
        if (!found.has(seq)) failures.push({ chainSeq: seq, reason: 'запись отсутствует в журнале: удалена' });
      }
      for (const row of rows) {
        const reason = entryFailure(toChainedRow(row), row.stored_prev, row.has_prev);
        if (reason) failures.push({ chainSeq: row.chain_seq, reason });
      }
    }
    failures.sort((a, b) => (BigInt(a.chainSeq) < BigInt(b.chainSeq) ? -1 : 1));
    return { ok: failures.length === 0, checked: wanted.length, failures };
  }

  /**
   * Every entry in scope in chain order, each checked as verifyEntries checks it, from one read (a COPY stream, as
   * the chain walk reads): what an export lists and what it can prove about them.
   */
  async listVerified(scope: AuditScope): Promise<{ entries: ChainedRow[]; verification: AuditEntriesVerification }> {
    const entries: ChainedRow[] = [];
    const failures: ChainBreak[] = [];
    await copyOutRows(
      this.dataSource,
      `SELECT ${CHAIN_COPY_COLUMNS}, p.hash, p.chain_seq IS NOT NULL
         FROM audit_events e LEFT JOIN audit_events p ON p.chain_seq = e.chain_seq - 1
        WHERE ${scopeCondition(scope)} ORDER BY e.chain_seq`,
      (row) => {
        const entry = chainedRowFromCopy(row);
        const reason = entryFailure(entry, row[12], row[13] === 't');
        if (reason) failures.push({ chainSeq: entry.chainSeq, reason });
        entries.push(entry);
      },
    );
    return { entries, verification: { ok: failures.length === 0, checked: entries.length, failures } };
  }
}

export interface AuditEntriesVerification {
  ok: boolean;
  checked: number;
  failures: ChainBreak[];
}

/** Why a stored entry does not verify on its own: its hash against its content, its link against the entry before. */
function entryFailure(row: ChainedRow, storedPrev: string | null, hasPrev: boolean): string | undefined {
  if (chainHash(row.prevHash, row) !== row.hash) return 'хеш не совпадает с содержимым записи: запись изменена';
  if (row.chainSeq === '1' ? row.prevHash !== null : !hasPrev || storedPrev !== row.prevHash) {
    return 'ссылка на предыдущую запись (prev_hash) не совпадает с её хешем: запись вставлена, удалена или изменена';
  }
  return undefined;
}

/**
 * The scope as list() filters it, for a COPY statement, which takes no parameters: the values are quoted by pg's
 * escapeLiteral (standard_conforming_strings is on since PostgreSQL 9.1; E'' strings do not depend on it anyway).
 */
function scopeCondition(scope: AuditScope): string {
  const list = (values: string[]) => `ARRAY[${values.map(escapeLiteral).join(', ')}]`;
  const conditions = ['TRUE'];
  if (scope.cycleId !== undefined) conditions.push(`e.cycle_id = ${escapeLiteral(scope.cycleId)}`);
  if (scope.organizationIds !== undefined) conditions.push(`e.organization_ids && ${list(scope.organizationIds)}::text[]`);
  if (scope.subjectType !== undefined) conditions.push(`e.subject_type = ${escapeLiteral(scope.subjectType)}`);
  if (scope.subjectId !== undefined) conditions.push(`e.subject_id = ${escapeLiteral(scope.subjectId)}`);
  if (scope.taskIds !== undefined) conditions.push(`e.subject_type = 'task' AND e.subject_id = ANY(${list(scope.taskIds)}::varchar[])`);
  return conditions.join(' AND ');
}

function toChainedRow(row: ChainRow) {
  return {
    chainSeq: row.chain_seq,
    prevHash: row.prev_hash,
    hash: row.hash,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    seq: row.seq,
    type: row.type,
    actor: row.actor,
    occurredAt: row.occurred_at,
    data: row.data,
    cycleId: row.cycle_id,
    organizationIds: row.organization_ids,
  };
}
