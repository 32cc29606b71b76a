import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { curatorEligibility } from '../../../libs/domain/curators';
import {
  CuratorshipRepository,
  CURATORSHIP_SUBJECT,
  CycleParticipantRepository,
  DirectoryRepository,
  type AuditEntryInput,
  type CuratorshipEntity,
  type CycleRow,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { IdentificationService } from '../identification/identification.service';
import { mapCuratorship, type CuratorshipView, type ListCuratorsQueryDto, type NameCuratorDto, type RemoveCuratorDto } from './curator.dto';
import { curatorshipVisibility, mayListCurators, seesCuratorship } from './curator-visibility';

export const CURATOR_EVENTS = { named: 'curator_named', removed: 'curator_removed' } as const;

const CLOSED_CYCLE: Partial<Record<CycleRow['status'], string>> = { completed: 'завершён', cancelled: 'отменён' };

/** «15.09.2026»: the day officials read in a refusal. */
const ruDate = (at: Date, timeZone: string): string =>
  new Intl.DateTimeFormat('ru-RU', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric' }).format(at);

/**
 * Curators of participant schools: the ministry names them for a cycle and removes them; the ministry, the
 * institute, the auditor, the school's municipality and the curators themselves read the list. Every naming and
 * removal is in the audit log.
 */
@Injectable()
export class CuratorsService {
  constructor(
    private readonly curatorships: CuratorshipRepository,
    private readonly participants: CycleParticipantRepository,
    private readonly directory: DirectoryRepository,
    private readonly identification: IdentificationService,
    private readonly access: AccessPolicy,
  ) {}

  async name(user: AuthUser, cycleId: string, dto: NameCuratorDto): Promise<CuratorshipView> {
    const what = `назначение куратора школы «${dto.schoolId}»`;
    const cycle = await this.requireMinistryOf(user, cycleId, what);
    const closed = CLOSED_CYCLE[cycle.status];
    if (closed) throw new ConflictException(`Цикл «${cycle.id}» ${closed}: назначать кураторов в нём нельзя`);

    const participant = (await this.participants.listParticipants(cycle.id, true)).find((p) => p.schoolId === dto.schoolId);
    if (!participant) {
      const school = await this.directory.findOrganization(dto.schoolId);
      if (!school || school.kind !== 'school') {
        throw new UnprocessableEntityException(`schoolId: школа «${dto.schoolId}» не найдена в справочнике`);
      }
      throw new UnprocessableEntityException(
        `Школа «${school.name}» не входит в утверждённый список школ-участниц цикла «${cycle.id}»: куратора назначают только школе-участнице`,
      );
    }
    const person = await this.directory.findPerson(dto.curatorPersonId);
    if (!person) {
      throw new UnprocessableEntityException(
        `curatorPersonId: сотрудник ${dto.curatorPersonId} не найден в справочнике; идентификаторы сотрудников есть в карточке организации (GET /api/organizations/:id)`,
      );
    }
    const orgs = await this.directory.findOrganizations([participant.schoolId, person.organizationId]);
    const school = orgs.get(participant.schoolId)!;
    const curatorOrganization = orgs.get(person.organizationId)!;
    const eligibility = curatorEligibility(cycle.regionCode, school, curatorOrganization);
    if (!eligibility.eligible) throw new UnprocessableEntityException(eligibility.reason);

    const result = await this.curatorships.name(
      {
        cycleId: cycle.id,
        schoolId: school.id,
        curatorPersonId: person.id,
        curatorOrganizationId: curatorOrganization.id,
        basis: dto.basis,
        namedBy: user.email,
      },
      (created) =>
        this.auditEntry(user, created, CURATOR_EVENTS.named, created.namedAt, participant.municipalityId, {
          curatorEmail: person.email,
          curatorName: person.fullName,
          curatorKind: eligibility.kind,
          basis: created.basis,
        }),
    );
    if ('conflict' in result) {
      throw new ConflictException(
        `${person.fullName} уже куратор школы «${school.name}» в цикле «${cycle.id}» ` +
          `(назначен ${ruDate(result.conflict.namedAt, school.timeZone)}, ${result.conflict.namedBy})`,
      );
    }
    return mapCuratorship(result.created, { school, curator: person, curatorOrganization });
  }

  async remove(user: AuthUser, cycleId: string, id: string, dto: RemoveCuratorDto): Promise<CuratorshipView> {
    const what = `снятие куратора ${id}`;
    const cycle = await this.requireMinistryOf(user, cycleId, what);
    const existing = await this.curatorships.find(id);
    if (!existing || existing.cycleId !== cycle.id) {
      throw new NotFoundException(`Назначение куратора ${id} в цикле «${cycle.id}» не найдено`);
    }
    const school = await this.directory.findOrganization(existing.schoolId);
    const removed = await this.curatorships.remove(id, { removedBy: user.email, reason: dto.reason, at: new Date() }, (row) =>
      this.auditEntry(user, row, CURATOR_EVENTS.removed, row.removedAt!, school?.parentId ?? null, {
        reason: dto.reason,
        basis: row.basis,
        namedBy: row.namedBy,
      }),
    );
    if (!removed) {
      const current = (await this.curatorships.find(id)) ?? existing;
      const when = current.removedAt ? ` ${ruDate(current.removedAt, school?.timeZone ?? 'UTC')}` : '';
      throw new ConflictException(
        `Куратор уже снят${when}${current.removedBy ? ` (${current.removedBy})` : ''}; основание: ${current.removalReason ?? 'не указано'}`,
      );
    }
    return (await this.views([removed]))[0];
  }

  async list(user: AuthUser, cycleId: string, query: ListCuratorsQueryDto): Promise<CuratorshipView[]> {
    const what = `список кураторов цикла «${cycleId}»`;
    const cycle = await this.identification.requireCycle(user, cycleId, what);
    const visibility = curatorshipVisibility(user);
    const all = await this.curatorships.list({ cycleId: cycle.id, includeRemoved: true });
    if (!mayListCurators(visibility, all)) {
      this.access.deny(
        user,
        'Список кураторов цикла доступен министерству, институту развития образования, аудитору, муниципалитету школы и самим кураторам',
        { action: what, cycleId: cycle.id },
      );
    }
    const wanted = all.filter((r) => (query.includeRemoved || r.removedAt === null) && (!query.schoolId || r.schoolId === query.schoolId));
    const schools = await this.directory.findOrganizations(wanted.map((r) => r.schoolId));
    const visible = wanted.filter((r) =>
      seesCuratorship(visibility, { municipalityId: schools.get(r.schoolId)?.parentId, curatorPersonId: r.curatorPersonId }),
    );
    return this.views(visible);
  }

  private async views(rows: CuratorshipEntity[]): Promise<CuratorshipView[]> {
    const orgs = await this.directory.findOrganizations(rows.flatMap((r) => [r.schoolId, r.curatorOrganizationId]));
    const people = await this.directory.findPeople(rows.map((r) => r.curatorPersonId));
    return rows.map((r) =>
      mapCuratorship(r, {
        school: orgs.get(r.schoolId),
        curator: people.get(r.curatorPersonId),
        curatorOrganization: orgs.get(r.curatorOrganizationId),
      }),
    );
  }

  /** The cycle, when the user is an administrator of the ministry that launched it (or their deputy). */
  private async requireMinistryOf(user: AuthUser, cycleId: string, what: string): Promise<CycleRow> {
    this.access.assertRole(user, ['ministry_admin'], what);
    const cycle = await this.identification.requireCycle(user, cycleId, what);
    if (!this.access.canActFor(user, cycle.ministryId)) {
      this.access.deny(user, 'Назначать и снимать кураторов может только администратор министерства, запустившего цикл', {
        action: what,
        cycleId: cycle.id,
        organizationId: cycle.ministryId,
      });
    }
    return cycle;
  }

  private auditEntry(
    user: AuthUser,
    row: CuratorshipEntity,
    type: string,
    occurredAt: Date,
    municipalityId: string | null,
    data: Record<string, unknown>,
  ): AuditEntryInput {
    return {
      subjectType: CURATORSHIP_SUBJECT,
      subjectId: row.id,
      type,
      actor: user.email,
      occurredAt,
      data: { curatorshipId: row.id, schoolId: row.schoolId, curatorPersonId: row.curatorPersonId, ...data },
      cycleId: row.cycleId,
      organizationIds: [...new Set([row.schoolId, row.curatorOrganizationId, ...(municipalityId ? [municipalityId] : [])])],
    };
  }
}
