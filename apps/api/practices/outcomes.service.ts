import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLogRepository, CycleRepository } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { iso, isoOrNull } from '../common/views';
import type { InternshipSiteView, OutcomeView, ParticipantOutcome } from './practice.dto';

export const OUTCOME_EVENT = 'participant_outcome_set';

const OUTCOME_TITLES: Record<ParticipantOutcome, string> = {
  continues: 'продолжает участие в программе',
  leaves: 'выходит из списка участников',
  internship_site: 'становится стажировочной площадкой',
};

/** What becomes of each participant school at the end of a cycle, and the internship sites that result. */
@Injectable()
export class OutcomesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cycles: CycleRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly access: AccessPolicy,
  ) {}

  async setOutcome(user: AuthUser, cycleId: string, schoolId: string, outcome: ParticipantOutcome, reason: string): Promise<OutcomeView> {
    this.access.assertRole(user, ['ministry_admin'], 'решение об итогах участия школы');
    const cycle = await this.cycles.findCycle(cycleId);
    if (!cycle) throw new NotFoundException(`Цикл «${cycleId}» не найден`);
    if (!this.access.canActFor(user, cycle.ministryId)) {
      this.access.deny(user, 'Решение об итогах участия школ принимает министерство, которое запустило цикл', {
        action: 'set_outcome',
        cycleId,
        organizationId: cycle.ministryId,
      });
    }
    if (cycle.status === 'cancelled') throw new ConflictException(`Цикл «${cycleId}» отменён; итоги участия по нему не принимаются`);
    const participant = (await this.cycles.listParticipants(cycleId)).find((p) => p.schoolId === schoolId);
    if (!participant || !participant.included) {
      throw new UnprocessableEntityException(`Школа «${schoolId}» не входит в утверждённый список участников цикла «${cycleId}»`);
    }
    // setOutcome's own guard (an included participant) holds at the moment of writing, even if the list changed since.
    if (!(await this.cycles.setOutcome(cycleId, schoolId, outcome, reason, user.email))) {
      throw new ConflictException(`Школа «${schoolId}» исключена из списка участников цикла, пока принималось решение`);
    }
    const decidedAt = new Date();
    await this.auditLog.append({
      subjectType: 'cycle',
      subjectId: cycleId,
      type: OUTCOME_EVENT,
      actor: user.email,
      occurredAt: decidedAt,
      data: { schoolId, outcome, reason, previousOutcome: participant.outcome, previousReason: participant.outcomeReason },
      cycleId,
      organizationIds: [schoolId, participant.municipalityId, cycle.ministryId],
    });
    return {
      cycleId,
      schoolId,
      schoolName: participant.schoolName,
      outcome,
      outcomeTitle: OUTCOME_TITLES[outcome],
      reason,
      decidedBy: user.email,
      decidedAt: iso(decidedAt),
      previousOutcome: participant.outcome,
    };
  }

  /**
   * Schools whose latest decided outcome (over every cycle) made them an internship site: a later cycle that decided
   * otherwise takes them off the list.
   */
  async internshipSites(regionCode?: string): Promise<InternshipSiteView[]> {
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
      [regionCode ?? null],
    ).then((rows: InternshipSiteRow[]) => rows.map(mapInternshipSite));
  }
}

interface InternshipSiteRow {
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

function mapInternshipSite(row: InternshipSiteRow): InternshipSiteView {
  return {
    schoolId: row.schoolId,
    schoolName: row.schoolName,
    schoolCode: row.schoolCode,
    municipalityId: row.municipalityId,
    municipalityName: row.municipalityName,
    regionCode: row.regionCode,
    cycleId: row.cycleId,
    academicYear: row.academicYear,
    reason: row.reason,
    decidedBy: row.decidedBy,
    decidedAt: isoOrNull(row.decidedAt),
  };
}
