import { In, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { CycleParticipant, CycleProgress, CycleStatus } from '../../contracts/cycle';
import type { ResolvedCyclePlan } from '../../contracts/cycle-template';
import { CycleEntity, CycleParticipantEntity, RemarkEntity, SubmissionEntity, type ParticipantOutcomeValue } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

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

export interface ParticipantRow {
  schoolId: string;
  schoolName: string;
  schoolCode: string | null;
  municipalityId: string;
  category: string | null;
  rank: number | null;
  reasons: string[];
  included: boolean;
  manualReason: string | null;
  decidedBy: string;
  outcome: string | null;
  outcomeReason: string | null;
}

export interface AgreementRow {
  id: string;
  cycleId: string;
  stepKey: string;
  municipalityId: string;
  schoolId: string;
  schoolName: string;
  partnerSchoolId: string;
  partnerSchoolName: string;
  /** The partner school's own municipality, which supervises its steps (it may differ from the proposing one). */
  partnerMunicipalityId: string | null;
  /** Names from the directory, for readers who may not read those organisations (a school, a neighbour). */
  municipalityName: string | null;
  partnerMunicipalityName: string | null;
  status: 'proposed' | 'signed' | 'cancelled';
  confirmations: Record<string, { by: string; at: string }>;
  documentId: string | null;
  proposedBy: string;
  proposedAt: Date;
  signedAt: Date | null;
}

export interface SubmissionRow {
  id: string;
  cycleId: string;
  taskId: string;
  stageId: string;
  stepKey: string;
  action: string;
  organizationId: string;
  subjectOrganizationId: string;
  periodId: string | null;
  round: number;
  version: number;
  documentId: string | null;
  form: Record<string, unknown> | null;
  comment: string | null;
  submittedBy: string;
  submittedAt: Date;
}

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

/** A school whose latest outcome made it an internship site, with where and when that was decided. */
export interface InternshipSiteRow {
  schoolId: string;
  schoolName: string;
  schoolCode: string | null;
  municipalityId: string;
  municipalityName: string | null;
  regionCode: string;
  cycleId: string;
  academicYear: number;
  outcome: string;
  reason: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const AGREEMENT_COLUMNS = `a.id, a.cycle_id AS "cycleId", a.step_key AS "stepKey", a.municipality_id AS "municipalityId",
  a.school_id AS "schoolId", s.name AS "schoolName", a.partner_school_id AS "partnerSchoolId", p.name AS "partnerSchoolName", p.parent_id AS "partnerMunicipalityId",
  m.name AS "municipalityName", pm.name AS "partnerMunicipalityName",
  a.status, a.confirmations, a.document_id AS "documentId", a.proposed_by AS "proposedBy", a.proposed_at AS "proposedAt",
  a.signed_at AS "signedAt"`;

const SUBMISSION_COLUMNS = `id, cycle_id AS "cycleId", task_id AS "taskId", stage_id AS "stageId", step_key AS "stepKey", action,
  organization_id AS "organizationId", subject_organization_id AS "subjectOrganizationId", period_id AS "periodId", round,
  version, document_id AS "documentId", form, comment, submitted_by AS "submittedBy", submitted_at AS "submittedAt"`;

const REMARK_COLUMNS = `id, submission_id AS "submissionId", step_key AS "stepKey", subject_organization_id AS "subjectOrganizationId",
  text, status, created_by AS "createdBy", created_at AS "createdAt", answer, answered_by AS "answeredBy",
  answered_at AS "answeredAt", answered_in_submission_id AS "answeredInSubmissionId", accepted_by AS "acceptedBy",
  accepted_at AS "acceptedAt"`;

/** Cycles and everything their stages produce. The cycle workflow's activities and the API share it. */
export class CycleRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

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

  async listParticipants(cycleId: string, onlyIncluded = false): Promise<ParticipantRow[]> {
    return this.dataSource.query(
      `SELECT p.school_id AS "schoolId", o.name AS "schoolName", o.code AS "schoolCode", p.municipality_id AS "municipalityId",
              p.category, p.rank, p.reasons, p.included, p.manual_reason AS "manualReason", p.decided_by AS "decidedBy",
              p.outcome, p.outcome_reason AS "outcomeReason"
         FROM cycle_participants p JOIN organizations o ON o.id = p.school_id
        WHERE p.cycle_id = $1 AND ($2::boolean = false OR p.included)
        ORDER BY p.included DESC, p.rank NULLS LAST, o.name`,
      [cycleId, onlyIncluded],
    );
  }

  async includedParticipants(cycleId: string): Promise<CycleParticipant[]> {
    const rows = await this.listParticipants(cycleId, true);
    return rows.map((r) => ({ schoolId: r.schoolId, municipalityId: r.municipalityId }));
  }

  /**
   * Cycle tasks of one action that their workflow has completed, whose record the API has not committed yet: the
   * API writes the record in a transaction that commits just after the task's completion Update returns.
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

  /** Replaces the list in one transaction: the approved list is exactly what the ministry saw and decided. */
  async replaceParticipants(
    cycleId: string,
    rows: Omit<ParticipantRow, 'schoolName' | 'schoolCode' | 'outcome' | 'outcomeReason'>[],
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(`DELETE FROM cycle_participants WHERE cycle_id = $1`, [cycleId]);
    for (const r of rows) {
      await manager.query(
        `INSERT INTO cycle_participants (cycle_id, school_id, municipality_id, category, rank, reasons, included, manual_reason, decided_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [cycleId, r.schoolId, r.municipalityId, r.category, r.rank, JSON.stringify(r.reasons), r.included, r.manualReason, r.decidedBy],
      );
    }
    await manager.query(`UPDATE cycles SET list_approved_at = now() WHERE id = $1`, [cycleId]);
  }

  /**
   * Records an included participant's outcome and appends `auditEntry` in the same transaction: both commit or neither.
   * False (nothing written) when the school is not an included participant at the moment of writing.
   */
  async setOutcome(
    cycleId: string,
    schoolId: string,
    decision: { outcome: ParticipantOutcomeValue; reason: string; by: string },
    auditEntry: AuditEntryInput,
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .getRepository(CycleParticipantEntity)
        .createQueryBuilder()
        .update()
        .set({ outcome: decision.outcome, outcomeReason: decision.reason, outcomeBy: decision.by, outcomeAt: () => 'now()' })
        .where('cycle_id = :cycleId AND school_id = :schoolId AND included', { cycleId, schoolId })
        .execute();
      if ((result.affected ?? 0) === 0) return false;
      // Last in the transaction: the audit chain's lock is held from here to the commit.
      await this.audit.append(auditEntry, manager);
      return true;
    });
  }

  /**
   * Schools whose latest decided outcome (over every cycle of the region, or of all regions) made them an internship
   * site: a later cycle that decided otherwise takes them off the list.
   */
  async internshipSites(regionCode: string | null): Promise<InternshipSiteRow[]> {
    return this.dataSource.query(
      `SELECT * FROM (
         SELECT DISTINCT ON (p.school_id)
                p.school_id AS "schoolId", s.name AS "schoolName", s.code AS "schoolCode", p.municipality_id AS "municipalityId",
                m.name AS "municipalityName", c.region_code AS "regionCode", p.cycle_id AS "cycleId", c.academic_year AS "academicYear",
                p.outcome, p.outcome_reason AS reason, p.outcome_by AS "decidedBy", p.outcome_at AS "decidedAt"
           FROM cycle_participants p
           JOIN cycles c ON c.id = p.cycle_id
           JOIN organizations s ON s.id = p.school_id
           LEFT JOIN organizations m ON m.id = p.municipality_id
          WHERE p.outcome IS NOT NULL AND ($1::text IS NULL OR c.region_code = $1)
          ORDER BY p.school_id, c.academic_year DESC, p.outcome_at DESC NULLS LAST
       ) latest
       WHERE latest.outcome = 'internship_site'
       ORDER BY latest."regionCode", latest."municipalityName", latest."schoolName"`,
      [regionCode],
    );
  }

  async listAgreements(filter: { cycleId: string; municipalityId?: string; stepKey?: string; organizationId?: string }): Promise<AgreementRow[]> {
    return this.dataSource.query(
      `SELECT ${AGREEMENT_COLUMNS}
         FROM agreements a JOIN organizations s ON s.id = a.school_id JOIN organizations p ON p.id = a.partner_school_id
        LEFT JOIN organizations m ON m.id = a.municipality_id LEFT JOIN organizations pm ON pm.id = p.parent_id
        WHERE a.cycle_id = $1 AND a.status <> 'cancelled'
          AND ($2::text IS NULL OR a.municipality_id = $2) AND ($3::text IS NULL OR a.step_key = $3)
          AND ($4::text IS NULL OR $4 IN (a.school_id, a.partner_school_id, a.municipality_id))
        ORDER BY s.name, p.name`,
      [filter.cycleId, filter.municipalityId ?? null, filter.stepKey ?? null, filter.organizationId ?? null],
    );
  }

  /** The parties of the agreements whose signed document this is: the school, the partner school, the municipality. */
  async partiesOfSignedDocument(documentId: string): Promise<string[]> {
    const rows: { school_id: string; partner_school_id: string; municipality_id: string }[] = await this.dataSource.query(
      `SELECT school_id, partner_school_id, municipality_id FROM agreements WHERE document_id = $1 AND status <> 'cancelled'`,
      [documentId],
    );
    return [...new Set(rows.flatMap((r) => [r.school_id, r.partner_school_id, r.municipality_id]))];
  }

  async findAgreement(id: string, manager?: EntityManager): Promise<AgreementRow | null> {
    const rows: AgreementRow[] = await this.db(manager).query(
      `SELECT ${AGREEMENT_COLUMNS}
         FROM agreements a JOIN organizations s ON s.id = a.school_id JOIN organizations p ON p.id = a.partner_school_id
        LEFT JOIN organizations m ON m.id = a.municipality_id LEFT JOIN organizations pm ON pm.id = p.parent_id
        WHERE a.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /**
   * Agreements per partner school in this cycle and the region's other cycles still running (a multi-year
   * programme overlaps the next year's): "not overloaded" counts them all.
   */
  async partnerLoads(cycleId: string): Promise<Map<string, number>> {
    const rows: { partnerSchoolId: string; load: string }[] = await this.dataSource.query(
      `SELECT a.partner_school_id AS "partnerSchoolId", count(*) AS load
         FROM agreements a JOIN cycles c ON c.id = a.cycle_id
        WHERE a.status <> 'cancelled'
          AND c.region_code = (SELECT region_code FROM cycles WHERE id = $1)
          AND (c.id = $1 OR c.status IN ('running', 'paused'))
        GROUP BY a.partner_school_id`,
      [cycleId],
    );
    return new Map(rows.map((r) => [r.partnerSchoolId, Number(r.load)]));
  }

  async insertAgreement(
    manager: EntityManager,
    a: { cycleId: string; stepKey: string; municipalityId: string; schoolId: string; partnerSchoolId: string; proposalSubmissionId: string; proposedBy: string },
  ): Promise<string> {
    const rows: { id: string }[] = await manager.query(
      `INSERT INTO agreements (cycle_id, step_key, municipality_id, school_id, partner_school_id, status, proposal_submission_id, proposed_by)
       VALUES ($1, $2, $3, $4, $5, 'proposed', $6, $7)
       ON CONFLICT (cycle_id, school_id, partner_school_id) DO UPDATE SET status = 'proposed', proposal_submission_id = EXCLUDED.proposal_submission_id
       RETURNING id`,
      [a.cycleId, a.stepKey, a.municipalityId, a.schoolId, a.partnerSchoolId, a.proposalSubmissionId, a.proposedBy],
    );
    return rows[0].id;
  }

  /** Records one party's confirmation; the agreement is signed when all three have confirmed. */
  async confirmAgreement(
    manager: EntityManager,
    id: string,
    party: 'school' | 'partner' | 'municipality',
    by: string,
    documentId: string | null,
  ): Promise<AgreementRow> {
    await manager.query(
      `UPDATE agreements SET confirmations = confirmations || jsonb_build_object($2::text, jsonb_build_object('by', $3::text, 'at', now())),
              document_id = coalesce($4::uuid, document_id)
        WHERE id = $1`,
      [id, party, by, documentId],
    );
    await manager.query(
      `UPDATE agreements SET status = 'signed', signed_at = now()
        WHERE id = $1 AND status = 'proposed' AND confirmations ?& array['school', 'partner', 'municipality'] AND document_id IS NOT NULL`,
      [id],
    );
    const row = await this.findAgreement(id, manager);
    if (!row) throw new Error(`agreement ${id} vanished`);
    return row;
  }

  async nextSubmissionVersion(manager: EntityManager, cycleId: string, stepKey: string, subjectId: string, periodId: string | null): Promise<number> {
    const rows: { v: number | null }[] = await manager.query(
      `SELECT max(version) AS v FROM submissions
        WHERE cycle_id = $1 AND step_key = $2 AND subject_organization_id = $3 AND period_id IS NOT DISTINCT FROM $4`,
      [cycleId, stepKey, subjectId, periodId],
    );
    return (rows[0]?.v ?? 0) + 1;
  }

  /** `id`: chosen by the caller (a task's Update names its submission before it is stored), else generated. */
  async insertSubmission(manager: EntityManager, s: Omit<SubmissionRow, 'id' | 'submittedAt'> & { id?: string }): Promise<SubmissionRow> {
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
        s.version,
        s.documentId,
        s.form === null ? null : JSON.stringify(s.form),
        s.comment,
        s.submittedBy,
        s.id ?? null,
      ],
    );
    return rows[0];
  }

  async findSubmission(id: string): Promise<SubmissionRow | null> {
    return UUID.test(id) ? this.dataSource.getRepository(SubmissionEntity).findOneBy({ id }) : null;
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

  async listRemarks(cycleId: string, stepKey: string, subjectId: string, manager?: EntityManager): Promise<RemarkRow[]> {
    return this.db(manager)
      .getRepository(RemarkEntity)
      .find({ where: { cycleId, stepKey, subjectOrganizationId: subjectId }, order: { createdAt: 'ASC', id: 'ASC' } });
  }

  async findRemark(id: string): Promise<(RemarkRow & { cycleId: string }) | null> {
    return UUID.test(id) ? this.dataSource.getRepository(RemarkEntity).findOneBy({ id }) : null;
  }

  /** `id`: chosen by the caller, else generated. */
  async insertRemark(
    manager: EntityManager,
    r: { id?: string; cycleId: string; submissionId: string; stepKey: string; subjectId: string; text: string; by: string },
  ): Promise<RemarkRow> {
    const rows: RemarkRow[] = await manager.query(
      // clock_timestamp(), not the transaction's now(): one review's remarks keep the order the reviewer wrote them in.
      `INSERT INTO remarks (id, cycle_id, submission_id, step_key, subject_organization_id, text, status, created_by, created_at)
       VALUES (coalesce($7::uuid, gen_random_uuid()), $1, $2, $3, $4, $5, 'open', $6, clock_timestamp()) RETURNING ${REMARK_COLUMNS}`,
      [r.cycleId, r.submissionId, r.stepKey, r.subjectId, r.text, r.by, r.id ?? null],
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
