import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { ResolvedStep } from '../../../libs/contracts/cycle-template';
import { rankSchools, suggestPartners, type AssessmentRow } from '../../../libs/domain/analytics';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import { AgreementRepository, CycleParticipantRepository, type AgreementRow, type CycleRow } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { CycleTaskService, submissionWrite } from '../cycles/cycle-task.service';
import { DocumentsService } from '../documents/documents.service';
import { DEFAULT_RANKING_YEARS, IdentificationService } from '../identification/identification.service';
import { RegionDirectory } from '../identification/region-directory';
import {
  mapAgreement,
  type AgreementParty,
  type AgreementView,
  type ConfirmAgreementDto,
  type ConfirmationView,
  type PairsView,
  type ProposePairsDto,
  type SuggestionsView,
} from './partnership.dto';

const PARTY_TITLES: Record<AgreementParty, string> = {
  school: 'школа-участник',
  partner: 'школа-партнёр',
  municipality: 'муниципальный орган управления образованием',
};

/** Partner schools: suggestions, the municipality's proposal of pairs, and each agreement's three confirmations. */
@Injectable()
export class PartnershipsService {
  constructor(
    private readonly cycleParticipants: CycleParticipantRepository,
    private readonly cycleAgreements: AgreementRepository,
    private readonly cycleTasks: CycleTaskService,
    private readonly identification: IdentificationService,
    private readonly directory: RegionDirectory,
    private readonly documents: DocumentsService,
    private readonly access: AccessPolicy,
  ) {}

  async suggestions(user: AuthUser, cycleId: string, schoolId: string, limit?: number): Promise<SuggestionsView> {
    const what = 'подбор школ-партнёров';
    this.access.assertRole(user, ['ministry_admin', 'ministry_reviewer', 'municipal_coordinator'], what);
    const cycle = await this.identification.requireCycle(user, cycleId, what);
    // Scope first: answering «not on the approved list» before it would tell a coordinator whether another
    // municipality's school takes part. Outside the scope, participant or not, the answer is the same 403.
    await this.access.assertCanRead(user, schoolId, what);
    const participants = await this.cycleParticipants.listParticipants(cycle.id, true);
    const participant = participants.find((p) => p.schoolId === schoolId);
    if (!participant) throw new NotFoundException(`Школа ${schoolId} не входит в утверждённый список цикла`);
    const maxLoad = partnershipStep(cycle).maxPartnersPerSchool!;

    const scores = await this.scoresByCode(cycle);
    const participantIds = new Set(participants.map((p) => p.schoolId));
    const schools = await this.directory.schools(cycle.regionCode);
    const loads = await this.cycleAgreements.partnerLoads(cycle.id);
    const candidates = schools.filter((s) => s.code !== null && s.municipalityId !== null && !participantIds.has(s.id) && scores.has(s.code));
    const byCode = new Map(candidates.map((s) => [s.code!, s]));
    const suggested = suggestPartners({
      participant: { schoolCode: participant.schoolCode ?? participant.schoolId, municipalityId: participant.municipalityId },
      candidates: candidates.map((s) => ({
        schoolCode: s.code!,
        municipalityId: s.municipalityId!,
        score: scores.get(s.code!)!,
        currentLoad: loads.get(s.id) ?? 0,
      })),
      neighbours: await this.directory.neighbours(cycle.regionCode),
      maxLoad,
      limit,
    });
    return {
      cycleId: cycle.id,
      schoolId,
      maxLoad,
      items: suggested.map((s) => {
        const school = byCode.get(s.schoolCode)!;
        return {
          schoolId: school.id,
          schoolName: school.name,
          schoolCode: s.schoolCode,
          municipalityId: s.municipalityId,
          municipalityName: school.municipalityName,
          score: s.score,
          currentLoad: s.currentLoad,
          sameMunicipality: s.sameMunicipality,
          reason: s.reason,
        };
      }),
    };
  }

  async proposePairs(user: AuthUser, taskId: string, dto: ProposePairsDto): Promise<PairsView> {
    const task = await this.cycleTasks.requireActionable(user, taskId, ['propose_pairs']);
    this.access.assertRole(user, ['municipal_coordinator'], `предложение пар школ: ${taskId}`);
    const { cycle, context } = task;
    const municipalityId = context.subjectOrganizationId;
    const maxLoad = partnershipStep(cycle, context.stepKey).maxPartnersPerSchool!;

    const participants = await this.cycleParticipants.listParticipants(cycle.id, true);
    const participantIds = new Set(participants.map((p) => p.schoolId));
    const ours = participants.filter((p) => p.municipalityId === municipalityId);
    const schools = new Map((await this.directory.schools(cycle.regionCode)).map((s) => [s.id, s]));
    const name = (id: string) => schools.get(id)?.name ?? id;
    const loads = await this.cycleAgreements.partnerLoads(cycle.id);

    const problems: string[] = [];
    const paired = new Set<string>();
    const newLoads = new Map<string, number>();
    for (const [index, pair] of dto.pairs.entries()) {
      const at = `pairs[${index}]`;
      if (!ours.some((p) => p.schoolId === pair.schoolId)) {
        problems.push(`${at}: школа «${name(pair.schoolId)}» не входит в список школ-участников вашего муниципалитета`);
      } else if (paired.has(pair.schoolId)) {
        problems.push(`${at}: для школы «${name(pair.schoolId)}» пара уже указана; у каждой школы ровно одна пара`);
      }
      paired.add(pair.schoolId);
      const partner = schools.get(pair.partnerSchoolId);
      if (!partner) {
        problems.push(`${at}: школа-партнёр ${pair.partnerSchoolId} не найдена среди школ региона`);
      } else if (participantIds.has(partner.id)) {
        problems.push(`${at}: школа «${partner.name}» сама участвует в программе и не может быть партнёром`);
      } else {
        newLoads.set(partner.id, (newLoads.get(partner.id) ?? 0) + 1);
      }
    }
    const missing = ours.filter((p) => !paired.has(p.schoolId));
    for (const school of missing) problems.push(`нет пары для школы «${school.schoolName}» (${school.schoolId})`);
    for (const [partnerId, added] of newLoads) {
      const current = loads.get(partnerId) ?? 0;
      if (current + added > maxLoad) {
        problems.push(
          `школа «${name(partnerId)}» перегружена: уже сопровождает ${countOf(current, NOUNS.schoolAccusative)}, ` +
            `с предложенными парами — ${current + added} при допустимых ${maxLoad}`,
        );
      }
    }
    if (problems.length > 0) {
      throw new UnprocessableEntityException({ message: `Пары школ не приняты (${problems.length})`, details: problems });
    }

    // Stored with the task's completion by its projection (CycleTaskService.completeWith), which adds each pair's
    // agreement id to the audit entry.
    const submissionId = randomUUID();
    await this.cycleTasks.completeWith(user, task, {
      result: { submissionId, comment: dto.comment },
      writes: [
        submissionWrite(user, task, {
          id: submissionId,
          documentId: null,
          form: { pairs: dto.pairs.map((p) => ({ schoolId: p.schoolId, partnerSchoolId: p.partnerSchoolId })) },
          comment: dto.comment ?? null,
        }),
        ...dto.pairs.map((pair) => ({
          kind: 'agreement' as const,
          agreement: {
            cycleId: cycle.id,
            stepKey: context.stepKey,
            municipalityId,
            schoolId: pair.schoolId,
            partnerSchoolId: pair.partnerSchoolId,
            proposalSubmissionId: submissionId,
            proposedBy: user.email,
          },
        })),
      ],
      auditType: 'partner_pairs_proposed',
      auditData: { submissionId, stepKey: context.stepKey, pairs: dto.pairs.map((p) => ({ ...p })) },
    });
    const agreements = await this.cycleAgreements.listAgreements({ cycleId: cycle.id, municipalityId, stepKey: context.stepKey });
    return { taskId, submissionId, agreements: agreements.map(mapAgreement) };
  }

  async confirm(user: AuthUser, taskId: string, dto: ConfirmAgreementDto): Promise<ConfirmationView> {
    const task = await this.cycleTasks.requireActionable(user, taskId, ['confirm_agreement']);
    const agreementId = task.context.agreementId;
    if (!agreementId) throw new UnprocessableEntityException(`Задача «${taskId}» не указывает соглашение`);
    const agreement = await this.cycleAgreements.findAgreement(agreementId);
    if (!agreement) throw new NotFoundException(`Соглашение ${agreementId} не найдено`);
    if (agreement.status === 'cancelled') throw new ConflictException('Соглашение отменено');
    const party = partyOf(agreement, task.snapshot.assigneeOrganizationId);
    if (!party) {
      throw new UnprocessableEntityException(`Организация ${task.snapshot.assigneeOrganizationId} не является стороной соглашения ${agreementId}`);
    }
    if (party === 'municipality' && !dto.documentId) {
      throw new UnprocessableEntityException(
        'Приложите подписанное соглашение: загрузите его через POST /api/documents и укажите documentId',
      );
    }
    if (dto.documentId) {
      const document = await this.documents.find(dto.documentId);
      if (!document) throw new UnprocessableEntityException(`Документ ${dto.documentId} не найден; сначала загрузите его`);
      const parties = [agreement.schoolId, agreement.partnerSchoolId, agreement.municipalityId];
      if (!parties.includes(document.organizationId)) {
        throw new UnprocessableEntityException('Документ загружен организацией, которая не является стороной соглашения');
      }
    }

    // Stored with the task's completion by its projection, which adds the agreement's state to the audit entry.
    await this.cycleTasks.completeWith(user, task, {
      result: {
        comment: dto.comment,
        ...(dto.documentId ? { documentUrl: `/api/documents/${dto.documentId}/content` } : {}),
      },
      writes: [{ kind: 'confirm_agreement', agreementId, party, by: user.email, documentId: dto.documentId ?? null }],
      auditType: 'agreement_confirmed',
      auditData: { agreementId, party, documentId: dto.documentId ?? null, comment: dto.comment ?? null },
    });
    const confirmed = await this.cycleAgreements.findAgreement(agreementId);
    return { taskId, party, partyTitle: PARTY_TITLES[party], agreement: mapAgreement(confirmed!) };
  }

  /** A school sees the agreements it is party to; a municipality those of its own and of its schools; the region all. */
  async agreements(user: AuthUser, cycleId: string): Promise<AgreementView[]> {
    const cycle = await this.identification.requireCycle(user, cycleId, 'соглашения цикла');
    const rows = await this.cycleAgreements.listAgreements({ cycleId: cycle.id });
    const readable = await this.access.readableOrganizationIds(user);
    if (readable === 'all') return rows.map(mapAgreement);
    const visible = new Set(readable);
    return rows.filter((a) => visible.has(a.schoolId) || visible.has(a.partnerSchoolId) || visible.has(a.municipalityId)).map(mapAgreement);
  }

  /** A candidate's score is the mean of its yearly scores over the latest results file's three latest years. */
  private async scoresByCode(cycle: CycleRow): Promise<Map<string, number>> {
    const results = await this.identification.latestImport<AssessmentRow>(cycle.id, 'results');
    if (!results || results.rows.length === 0) {
      throw new UnprocessableEntityException('Нет загруженных результатов оценочных процедур: подбор партнёров по ним невозможен');
    }
    const years = [...new Set(results.rows.map((r) => r.year))].sort((a, b) => b - a).slice(0, DEFAULT_RANKING_YEARS);
    const scores = new Map<string, number>();
    // Only the mean scores are read here, and they need no number of years: one year of results is enough.
    for (const r of rankSchools({ results: results.rows, social: [], years, options: { minLowYears: 1 } })) {
      if (r.averageScore !== null) scores.set(r.schoolCode, r.averageScore);
    }
    return scores;
  }
}

/** The plan's partnership step (the task's own when given); its maxPartnersPerSchool bounds every partner's load. */
function partnershipStep(cycle: CycleRow, stepKey?: string): ResolvedStep {
  const steps = cycle.plan.stages.flatMap((s) => s.steps).filter((s) => s.kind === 'partnership');
  const step = stepKey ? steps.find((s) => s.key === stepKey) : steps[0];
  if (!step || step.maxPartnersPerSchool === undefined) {
    throw new UnprocessableEntityException('В плане цикла нет шага партнёрства с допустимой нагрузкой на школу-партнёра');
  }
  return step;
}

export function partyOf(agreement: Pick<AgreementRow, 'schoolId' | 'partnerSchoolId' | 'municipalityId'>, organizationId: string): AgreementParty | null {
  if (organizationId === agreement.schoolId) return 'school';
  if (organizationId === agreement.partnerSchoolId) return 'partner';
  if (organizationId === agreement.municipalityId) return 'municipality';
  return null;
}
