import type { DataSource } from 'typeorm';

/** What listings return: enough to name a run, without its (large) history. */
export interface WorkflowHistorySummary {
  workflowId: string;
  runId: string;
  workflowType: string;
  /** Temporal's execution status name, e.g. COMPLETED, TERMINATED, CONTINUED_AS_NEW. */
  status: string;
  startTime: Date;
  closeTime: Date | null;
  eventCount: number;
  archivedAt: Date;
}

export interface WorkflowHistoryRecord extends Omit<WorkflowHistorySummary, 'archivedAt'> {
  /** Proto3 JSON as `temporal workflow show --output json` prints it; historyFromJSON reads it back. */
  history: { events: unknown[] };
  archivedAt?: Date;
}

export interface WorkflowHistoryListOptions {
  /** Also load each run's history (large: tens of kilobytes per task). Default false. */
  includeHistory?: boolean;
}

interface Row {
  workflow_id: string;
  run_id: string;
  workflow_type: string;
  status: string;
  start_time: Date;
  close_time: Date | null;
  event_count: number;
  archived_at: Date;
  history?: { events: unknown[] };
}

const SUMMARY_COLUMNS = 'workflow_id, run_id, workflow_type, status, start_time, close_time, event_count, archived_at';

/** Closed workflow runs' histories, kept in PostgreSQL beyond Temporal's retention. Written once, never changed. */
export class WorkflowHistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Idempotent: a run already archived is left as it is. Returns whether this call stored it. */
  async save(record: WorkflowHistoryRecord): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO workflow_histories (workflow_id, run_id, workflow_type, status, start_time, close_time, event_count, history)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (workflow_id, run_id) DO NOTHING
       RETURNING run_id`,
      [
        record.workflowId,
        record.runId,
        record.workflowType,
        record.status,
        record.startTime,
        record.closeTime,
        record.eventCount,
        JSON.stringify(record.history),
      ],
    );
    return inserted.length > 0;
  }

  /** Which of these runs are archived already, as 'workflowId\nrunId' keys. */
  async archivedKeys(runs: { workflowId: string; runId: string }[]): Promise<Set<string>> {
    if (runs.length === 0) return new Set();
    const rows: { workflow_id: string; run_id: string }[] = await this.dataSource.query(
      `SELECT h.workflow_id, h.run_id FROM workflow_histories h
         JOIN unnest($1::varchar[], $2::varchar[]) AS r(workflow_id, run_id)
           ON h.workflow_id = r.workflow_id AND h.run_id = r.run_id`,
      [runs.map((r) => r.workflowId), runs.map((r) => r.runId)],
    );
    return new Set(rows.map((r) => runKey(r.workflow_id, r.run_id)));
  }

  /** Every archived run of these workflows, oldest first. */
  async listByWorkflowIds(ids: string[], options: WorkflowHistoryListOptions = {}): Promise<WorkflowHistoryRecord[]> {
    if (ids.length === 0) return [];
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${columns(options)} FROM workflow_histories WHERE workflow_id = ANY($1::varchar[])
        ORDER BY start_time, workflow_id, run_id`,
      [ids],
    );
    return rows.map(toRecord);
  }

  /** Every archived run whose workflow id starts with `prefix` (taken literally, not as a pattern), oldest first. */
  async listByPrefix(prefix: string, options: WorkflowHistoryListOptions = {}): Promise<WorkflowHistoryRecord[]> {
    const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${columns(options)} FROM workflow_histories WHERE workflow_id LIKE $1 ESCAPE '\\'
        ORDER BY start_time, workflow_id, run_id`,
      [pattern],
    );
    return rows.map(toRecord);
  }

  /** The workflow's latest archived run (or the given run) with its history; null when none is archived. */
  async get(workflowId: string, runId?: string): Promise<WorkflowHistoryRecord | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${SUMMARY_COLUMNS}, history FROM workflow_histories
        WHERE workflow_id = $1 AND ($2::varchar IS NULL OR run_id = $2)
        ORDER BY start_time DESC, close_time DESC NULLS LAST LIMIT 1`,
      [workflowId, runId ?? null],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** The latest close time archived: where a restarted archiver picks up. */
  async latestCloseTime(): Promise<Date | null> {
    const [row]: { latest: Date | null }[] = await this.dataSource.query(`SELECT max(close_time) AS latest FROM workflow_histories`);
    return row?.latest ?? null;
  }
}

export function runKey(workflowId: string, runId: string): string {
  return `${workflowId}\n${runId}`;
}

function columns(options: WorkflowHistoryListOptions): string {
  return options.includeHistory ? `${SUMMARY_COLUMNS}, history` : SUMMARY_COLUMNS;
}

function toRecord(row: Row): WorkflowHistoryRecord {
  const record: WorkflowHistoryRecord = {
    workflowId: row.workflow_id,
    runId: row.run_id,
    workflowType: row.workflow_type,
    status: row.status,
    startTime: row.start_time,
    closeTime: row.close_time,
    eventCount: row.event_count,
    archivedAt: row.archived_at,
    history: row.history as { events: unknown[] },
  };
  if (row.history === undefined) delete (record as Partial<WorkflowHistoryRecord>).history;
  return record;
}
