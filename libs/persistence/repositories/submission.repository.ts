import type { DataSource, EntityManager, FindOptionsWhere } from 'typeorm';
import type { SubmissionWrite } from '../../contracts/task-record';
import { SubmissionEntity } from '../entities';
import { isUuid } from './ids';

/** A stored version: what the task handed in, numbered among its document's versions. */
export interface SubmissionRow extends SubmissionWrite {
  version: number;
  submittedAt: Date;
}

const SUBMISSION_COLUMNS = `id, cycle_id AS "cycleId", task_id AS "taskId", stage_id AS "stageId", step_key AS "stepKey", action,
  organization_id AS "organizationId", subject_organization_id AS "subjectOrganizationId", period_id AS "periodId", round,
  version, document_id AS "documentId", form, comment, submitted_by AS "submittedBy", submitted_at AS "submittedAt"`;

/**
 * What organisations hand in for a cycle's steps (plans, programmes, reports, practices, proposals of pairs), one
 * version per completed task, numbered per step, subject and period.
 */
export class SubmissionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores the submission as the next version of its document (step, subject and period). Its id is the caller's: a
   * task's Update names its submission before it is stored.
   */
  async insertNextVersion(manager: EntityManager, s: SubmissionWrite): Promise<SubmissionRow> {
    const version = await this.nextVersion(manager, s.cycleId, s.stepKey, s.subjectOrganizationId, s.periodId);
    const rows: SubmissionRow[] = await manager.query(
      `INSERT INTO submissions (id, cycle_id, task_id, stage_id, step_key, action, organization_id, subject_organization_id, period_id,
                                round, version, document_id, form, comment, submitted_by)
       VALUES (coalesce($15::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
       RETURNING ${SUBMISSION_COLUMNS}`,
      [
        s.cycleId,
        s.taskId,
        s.stageId,
        s.stepKey,
        s.action,
        s.organizationId,
        s.subjectOrganizationId,
        s.periodId,
        s.round,
        version,
        s.documentId,
        s.form === null ? null : JSON.stringify(s.form),
        s.comment,
        s.submittedBy,
        s.id,
      ],
    );
    return rows[0];
  }

  private async nextVersion(manager: EntityManager, cycleId: string, stepKey: string, subjectId: string, periodId: string | null): Promise<number> {
    const rows: { v: number | null }[] = await manager.query(
      `SELECT max(version) AS v FROM submissions
        WHERE cycle_id = $1 AND step_key = $2 AND subject_organization_id = $3 AND period_id IS NOT DISTINCT FROM $4`,
      [cycleId, stepKey, subjectId, periodId],
    );
    return (rows[0]?.v ?? 0) + 1;
  }

  async findSubmission(id: string): Promise<SubmissionRow | null> {
    return isUuid(id) ? this.dataSource.getRepository(SubmissionEntity).findOneBy({ id }) : null;
  }

  async listSubmissions(filter: { cycleId: string; stepKey?: string; subjectOrganizationId?: string; action?: string }): Promise<SubmissionRow[]> {
    const where: FindOptionsWhere<SubmissionEntity> = { cycleId: filter.cycleId };
    if (filter.stepKey !== undefined) where.stepKey = filter.stepKey;
    if (filter.subjectOrganizationId !== undefined) where.subjectOrganizationId = filter.subjectOrganizationId;
    if (filter.action !== undefined) where.action = filter.action;
    return this.dataSource.getRepository(SubmissionEntity).find({
      where,
      order: { stepKey: 'ASC', subjectOrganizationId: 'ASC', periodId: { direction: 'ASC', nulls: 'FIRST' }, version: 'ASC' },
    });
  }
}
