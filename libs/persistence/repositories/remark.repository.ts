import type { DataSource, EntityManager } from 'typeorm';
import type { RemarkWrite } from '../../contracts/task-record';
import { RemarkEntity } from '../entities';

export interface RemarkRow {
  id: string;
  submissionId: string;
  stepKey: string;
  subjectOrganizationId: string;
  text: string;
  status: 'open' | 'answered' | 'accepted';
  createdBy: string;
  createdAt: Date;
  answer: string | null;
  answeredBy: string | null;
  answeredAt: Date | null;
  answeredInSubmissionId: string | null;
  acceptedBy: string | null;
  acceptedAt: Date | null;
}

const REMARK_COLUMNS = `id, submission_id AS "submissionId", step_key AS "stepKey", subject_organization_id AS "subjectOrganizationId",
  text, status, created_by AS "createdBy", created_at AS "createdAt", answer, answered_by AS "answeredBy",
  answered_at AS "answeredAt", answered_in_submission_id AS "answeredInSubmissionId", accepted_by AS "acceptedBy",
  accepted_at AS "acceptedAt"`;

/** Reviewers' remarks on a document's versions: written, answered in a later version, accepted or reopened. */
export class RemarkRepository {
  constructor(private readonly dataSource: DataSource) {}

  private db(manager?: EntityManager): EntityManager {
    return manager ?? this.dataSource.manager;
  }

  async listRemarks(cycleId: string, stepKey: string, subjectId: string, manager?: EntityManager): Promise<RemarkRow[]> {
    return this.db(manager)
      .getRepository(RemarkEntity)
      .find({ where: { cycleId, stepKey, subjectOrganizationId: subjectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  /** Its id is the caller's: the review's Update names its remarks before they are stored. */
  async insertRemark(manager: EntityManager, r: RemarkWrite): Promise<RemarkRow> {
    const rows: RemarkRow[] = await manager.query(
      // clock_timestamp(), not the transaction's now(): one review's remarks keep the order the reviewer wrote them in.
      `INSERT INTO remarks (id, cycle_id, submission_id, step_key, subject_organization_id, text, status, created_by, created_at)
       VALUES (coalesce($7::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, 'open', $6, clock_timestamp()) RETURNING ${REMARK_COLUMNS}`,
      [r.cycleId, r.submissionId, r.stepKey, r.subjectId, r.text, r.by, r.id],
    );
    return rows[0];
  }

  async answerRemark(manager: EntityManager, id: string, answer: string, by: string, submissionId: string | null): Promise<void> {
    await manager.query(
      `UPDATE remarks SET status = 'answered', answer = $2, answered_by = $3, answered_at = now(), answered_in_submission_id = $4
        WHERE id = $1 AND status <> 'accepted'`,
      [id, answer, by, submissionId],
    );
  }

  async acceptRemarks(manager: EntityManager, ids: string[], by: string): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(`UPDATE remarks SET status = 'accepted', accepted_by = $2, accepted_at = now() WHERE id = ANY($1) AND status = 'answered'`, [
      ids,
      by,
    ]);
  }

  async reopenRemark(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`UPDATE remarks SET status = 'open' WHERE id = $1 AND status = 'answered'`, [id]);
  }
}
