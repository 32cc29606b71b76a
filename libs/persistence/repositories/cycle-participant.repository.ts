import type { DataSource, EntityManager } from 'typeorm';
import type { CycleParticipant } from '../../contracts/cycle';
import type { ParticipantWrite } from '../../contracts/task-record';
import { CycleParticipantEntity, type ParticipantOutcomeValue } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

/** A school of the list as the ministry decided it, with the school's names and, at the cycle's end, its outcome. */
export interface ParticipantRow extends ParticipantWrite {
  schoolName: string;
  schoolCode: string | null;
  outcome: string | null;
  outcomeReason: string | null;
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

/**
 * A cycle's participant schools: the list the ministry approved (and the schools it left out, with the reason), each
 * school's outcome at the cycle's end, and the internship sites those outcomes make over the years.
 */
export class CycleParticipantRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
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

  /** Replaces the list in one transaction: the approved list is exactly what the ministry saw and decided. */
  async replaceParticipants(cycleId: string, rows: ParticipantWrite[], manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM cycle_participants WHERE cycle_id = $1`, [cycleId]);
    for (const r of rows) {
      await manager.query(
        `INSERT INTO cycle_participants (cycle_id, school_id, municipality_id, category, rank, reasons, included, manual_reason, decided_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [cycleId, r.schoolId, r.municipalityId, r.category, r.rank, JSON.stringify(r.reasons), r.included, r.manualReason, r.decidedBy],
      );
    }
    // The cycle records when, in the same transaction: the wave of tasks the approval issues is timed from it.
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
}
