import { In, type DataSource, type EntityManager } from 'typeorm';
import type { CycleProgress, CycleStatus } from '../../contracts/cycle';
import type { ResolvedCyclePlan } from '../../contracts/cycle-template';
import { CycleEntity } from '../entities';

export interface CycleRow {
  id: string;
  regionCode: string;
  academicYear: number;
  templateId: string;
  templateVersion: number;
  workflowId: string;
  ministryId: string;
  status: CycleStatus;
  plan: ResolvedCyclePlan;
  progress: CycleProgress | null;
  launchedBy: string;
  launchedAt: Date;
  listApprovedAt: Date | null;
  closedAt: Date | null;
}

/**
 * A cycle: its row and progress, and what its tasks show of it (how far a wave is issued, which completed tasks'
 * records are not stored yet). Its participants, agreements, submissions and remarks have repositories of their own.
 */
export class CycleRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async insertCycle(row: Omit<CycleRow, 'progress' | 'launchedAt' | 'listApprovedAt' | 'closedAt'>): Promise<boolean> {
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO cycles (id, region_code, academic_year, template_id, template_version, workflow_id, ministry_id, status, plan, launched_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id`,
      [
        row.id,
        row.regionCode,
        row.academicYear,
        row.templateId,
        row.templateVersion,
        row.workflowId,
        row.ministryId,
        row.status,
        JSON.stringify(row.plan),
        row.launchedBy,
      ],
    );
    return inserted.length > 0;
  }

  async deleteCycle(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM cycles WHERE id = $1 AND progress IS NULL`, [id]);
  }

  async findCycle(id: string): Promise<CycleRow | null> {
    return id ? this.dataSource.getRepository(CycleEntity).findOneBy({ id }) : null;
  }

  async listCycles(regionCodes: string[] | 'all'): Promise<CycleRow[]> {
    if (regionCodes !== 'all' && regionCodes.length === 0) return [];
    return this.dataSource.getRepository(CycleEntity).find({
      where: regionCodes === 'all' ? {} : { regionCode: In(regionCodes) },
      order: { launchedAt: 'DESC' },
    });
  }

  /** Only moves forward: a retried activity with an older progress version changes nothing. */
  async saveProgress(progress: CycleProgress, manager?: EntityManager): Promise<void> {
    const closed = progress.status === 'completed' || progress.status === 'cancelled';
    await this.db(manager).query(
      `UPDATE cycles SET status = $2, progress = $3, updated_at = now(), closed_at = CASE WHEN $4 THEN coalesce(closed_at, now()) ELSE NULL END
       WHERE id = $1 AND coalesce((progress->>'version')::int, 0) < $5`,
      [progress.cycleId, progress.status, JSON.stringify(progress), closed, progress.version],
    );
  }

  /**
   * Cycle tasks of one action that their workflow has completed but whose record is not stored: tasks completed
   * before records travelled in the completion Update (libs/contracts/task-record.ts), whose record the API committed
   * a moment after the Update returned. Read across tasks, participants and submissions, for the cycle's activities.
   */
  async completedTasksAwaitingRecord(cycleId: string, action: 'report' | 'propose_pairs' | 'approve_list'): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT t.id FROM tasks t
        WHERE t.status = 'completed' AND t.snapshot->'context'->>'cycleId' = $1 AND t.snapshot->'context'->>'action' = $2
          AND CASE
            WHEN $2 = 'approve_list' THEN NOT EXISTS (SELECT 1 FROM cycle_participants p WHERE p.cycle_id = $1)
            ELSE t.snapshot->'result'->>'submissionId' IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM submissions s WHERE s.id::text = t.snapshot->'result'->>'submissionId')
          END
        ORDER BY t.id`,
      [cycleId, action],
    );
    return rows.map((r) => r.id);
  }

  /**
   * How far a cycle has issued some of its step instances (the dashboard's launch progress): for each of `instanceKeys`
   * ('stepKey|periodId', the period empty outside monitoring), how many of `organizationIds` have a task of it (any
   * task of a step instance names the instance's organisation as its subject); how many of them have any; and when
   * the last of those tasks was created.
   */
  async issuedStepInstances(
    cycleId: string,
    instanceKeys: string[],
    organizationIds: string[],
  ): Promise<{ byInstance: Map<string, number>; organizations: number; lastIssuedAt: Date | null }> {
    const byInstance = new Map<string, number>();
    if (instanceKeys.length === 0 || organizationIds.length === 0) return { byInstance, organizations: 0, lastIssuedAt: null };
    const rows: { key: string | null; organizations: number; lastIssuedAt: Date | null }[] = await this.dataSource.query(
      `SELECT i.key, count(DISTINCT i.org)::int AS organizations, max(i.created_at) AS "lastIssuedAt"
         FROM (SELECT (t.snapshot->'context'->>'stepKey') || '|' || coalesce(t.snapshot->'context'->>'periodId', '') AS key,
                      t.snapshot->'context'->>'subjectOrganizationId' AS org, t.created_at
                 FROM tasks t
                WHERE t.snapshot->'context'->>'cycleId' = $1) i
        WHERE i.key = ANY($2) AND i.org = ANY($3)
        GROUP BY GROUPING SETS ((i.key), ())`,
      [cycleId, instanceKeys, organizationIds],
    );
    let organizations = 0;
    let lastIssuedAt: Date | null = null;
    for (const row of rows) {
      if (row.key === null) {
        organizations = row.organizations;
        lastIssuedAt = row.lastIssuedAt;
      } else {
        byInstance.set(row.key, row.organizations);
      }
    }
    return { byInstance, organizations, lastIssuedAt };
  }
}
