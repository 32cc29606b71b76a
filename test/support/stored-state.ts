/**
 * A cheap fingerprint of everything the API stores, to show that a refused request changed nothing: per table its
 * row count and the newest row version (PostgreSQL's `xmin`, which every insert and update renews), in one query.
 *
 * Left out, as bookkeeping that a refusal writes by design: `idempotency_keys` (a 4xx answer is kept for replay),
 * `login_failures` (a wrong password is counted for the lock-out), `sessions` (log-in and log-out), TypeORM's
 * `migrations`, and the `access_denied` entries of `audit_events` (every refusal is audited); every other audit
 * entry counts.
 */
import type { DataSource } from 'typeorm';

export const BOOKKEEPING_TABLES = ['idempotency_keys', 'login_failures', 'sessions', 'migrations', 'typeorm_metadata'];
const AUDIT_FILTER: Record<string, string> = { audit_events: `WHERE type <> 'access_denied'` };

export type StoredDigest = Record<string, string>;

export class StoredState {
  private constructor(
    private readonly dataSource: DataSource,
    private readonly sql: string,
    readonly tables: string[],
    /** Messages queued before this fingerprint was opened belong to other tests' workers, which may be gone. */
    private readonly messagesBefore: string,
  ) {}

  static async open(dataSource: DataSource): Promise<StoredState> {
    const rows = (await dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    )) as { table_name: string }[];
    const tables = rows.map((r) => r.table_name).filter((t) => !BOOKKEEPING_TABLES.includes(t));
    const sql = tables
      .map(
        (t) =>
          `SELECT '${t}' AS t, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text AS d FROM "${t}" ${AUDIT_FILTER[t] ?? ''}`,
      )
      .join(' UNION ALL ');
    const [{ id }] = (await dataSource.query(`SELECT coalesce(max(id), 0)::text AS id FROM cycle_action_mails`)) as { id: string }[];
    return new StoredState(dataSource, sql, tables, id);
  }

  /**
   * Messages an accepted write queued that the worker has not relayed yet (the four-eyes e-mails): their relay updates
   * the row later, which must not be taken for a change made by a later, refused request.
   */
  async unrelayedMessages(): Promise<number> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM cycle_action_mails WHERE status = 'pending' AND id > $1`,
      [this.messagesBefore],
    )) as { n: number }[];
    return row.n;
  }

  async digest(): Promise<StoredDigest> {
    const rows = (await this.dataSource.query(this.sql)) as { t: string; d: string }[];
    return Object.fromEntries(rows.map((r) => [r.t, r.d]));
  }
}

/** The tables whose fingerprint differs, `table: before → after`; empty when nothing changed. */
export function digestChanges(before: StoredDigest, after: StoredDigest): string[] {
  return Object.keys({ ...before, ...after })
    .filter((t) => before[t] !== after[t])
    .map((t) => `${t}: ${before[t] ?? '—'} → ${after[t] ?? '—'}`);
}
