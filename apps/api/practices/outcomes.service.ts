import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { CycleParticipantRepository, CycleRepository, type InternshipSiteRow } from '../../../libs/persistence';
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
    private readonly cycles: CycleRepository,
    private readonly participants: CycleParticipantRepository,
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
    const participant = (await this.participants.listParticipants(cycleId)).find((p) => p.schoolId === schoolId);
    if (!participant || !participant.included) {
      throw new UnprocessableEntityException(`Школа «${schoolId}» не входит в утверждённый список участников цикла «${cycleId}»`);
    }
    const decidedAt = new Date();
    // setOutcome's own guard (an included participant) holds at the moment of writing, even if the list changed since;
    // the outcome and its audit entry commit together.
    const recorded = await this.participants.setOutcome(
      cycleId,
      schoolId,
      { outcome, reason, by: user.email },
      {
        subjectType: 'cycle',
        subjectId: cycleId,
        type: OUTCOME_EVENT,
        actor: user.email,
        occurredAt: decidedAt,
        data: { schoolId, outcome, reason, previousOutcome: participant.outcome, previousReason: participant.outcomeReason },
        cycleId,
        organizationIds: [schoolId, participant.municipalityId, cycle.ministryId],
      },
    );
    if (!recorded) {
      throw new ConflictException(`Школа «${schoolId}» исключена из списка участников цикла, пока принималось решение`);
    }
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
    return (await this.participants.internshipSites(regionCode ?? null)).map(mapInternshipSite);
  }
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
