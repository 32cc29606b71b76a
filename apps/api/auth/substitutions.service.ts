import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { DateTime } from 'luxon';
import { isValidIsoDate } from '../../../libs/domain/calendar';
import {
  DirectoryRepository,
  type PersonEntity,
  type SubstitutionEntity,
  type SubstitutionWithPeople,
} from '../../../libs/persistence';
import { AccessPolicy } from './access-policy.service';
import type { AuthUser } from './auth-user';
import type { CreateSubstitutionDto, SubstitutionListView, SubstitutionView } from './auth.dto';

export const SUBSTITUTION_SUBJECT = 'substitution';
/** A longer absence is a change of post, not a substitution. */
const MAX_LENGTH_YEARS = 1;

@Injectable()
export class SubstitutionsService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly policy: AccessPolicy,
  ) {}

  async create(user: AuthUser, dto: CreateSubstitutionDto): Promise<SubstitutionView> {
    const principal = await this.resolvePrincipal(user, dto.personEmail);
    const deputy = await this.directory.findLoginByEmail(dto.deputyEmail);
    if (!deputy) {
      throw new UnprocessableEntityException(
        `deputyEmail: заместителем может быть только пользователь системы; ${dto.deputyEmail} не может входить в систему`,
      );
    }
    if (deputy.id === principal.id) {
      throw new UnprocessableEntityException('deputyEmail: сотрудник не может быть заместителем самого себя');
    }
    const orgs = await this.directory.findOrganizations([principal.organizationId, deputy.organizationId]);
    const principalOrg = orgs.get(principal.organizationId)!;
    const deputyOrg = orgs.get(deputy.organizationId)!;
    if (principalOrg.regionCode !== deputyOrg.regionCode) {
      throw new UnprocessableEntityException('deputyEmail: заместитель должен работать в том же регионе');
    }
    this.checkDates(dto.startsOn, dto.endsOn, principalOrg.timeZone);

    const result = await this.directory.createSubstitution(
      {
        personId: principal.id,
        deputyPersonId: deputy.id,
        startsOn: dto.startsOn,
        endsOn: dto.endsOn,
        reason: dto.reason,
        createdBy: user.email,
      },
      (created) => ({
        subjectType: SUBSTITUTION_SUBJECT,
        subjectId: created.id,
        type: 'substitution_created',
        actor: user.email,
        occurredAt: created.createdAt,
        data: {
          personId: principal.id,
          personEmail: principal.email,
          deputyPersonId: deputy.id,
          deputyEmail: deputy.email,
          startsOn: created.startsOn,
          endsOn: created.endsOn,
          reason: created.reason,
        },
        organizationIds: [principal.organizationId, deputy.organizationId],
      }),
    );
    if ('conflict' in result) {
      const { startsOn, endsOn } = result.conflict;
      throw new ConflictException(
        `У сотрудника ${principal.fullName} уже назначен заместитель с ${ruDate(startsOn)} по ${ruDate(endsOn)}; ` +
          'периоды замещения не должны пересекаться — отмените прежнее замещение или выберите другие даты',
      );
    }
    const stored = result.created;
    return (await this.views([stored]))[0];
  }

  async list(user: AuthUser): Promise<SubstitutionListView> {
    const rows = await this.directory.listSubstitutionsOf(user.personId);
    const views = await this.toViews(rows);
    return {
      mine: views.filter((v) => v.person.personId === user.personId),
      asDeputy: views.filter((v) => v.deputy.personId === user.personId),
    };
  }

  async revoke(user: AuthUser, id: string): Promise<SubstitutionView> {
    const substitution = await this.directory.findSubstitution(id);
    if (!substitution) throw new NotFoundException(`Замещение «${id}» не найдено`);
    const principal = (await this.directory.findPeople([substitution.personId])).get(substitution.personId)!;
    const allowed =
      substitution.personId === user.personId ||
      substitution.createdBy === user.email ||
      (user.role === 'ministry_admin' && (await this.policy.canRead(user, principal.organizationId)));
    if (!allowed) {
      this.policy.deny(
        user,
        'Отменить замещение может только сам сотрудник, тот, кто назначил заместителя, или администратор министерства',
        { action: 'отмена замещения', substitutionId: id, organizationId: principal.organizationId },
      );
    }
    const at = new Date();
    const revoked = await this.directory.revokeSubstitutionRecorded(id, user.email, at, {
      subjectType: SUBSTITUTION_SUBJECT,
      subjectId: id,
      type: 'substitution_revoked',
      actor: user.email,
      occurredAt: at,
      data: { personId: substitution.personId, deputyPersonId: substitution.deputyPersonId },
      organizationIds: [principal.organizationId],
    });
    if (!revoked) throw new ConflictException('Замещение уже отменено');
    return (await this.views([(await this.directory.findSubstitution(id))!]))[0];
  }

  /** The caller themselves, or — for a ministry administrator — anyone of their region by e-mail. */
  private async resolvePrincipal(user: AuthUser, personEmail: string | undefined): Promise<PersonEntity> {
    if (!personEmail || personEmail.toLowerCase() === user.email) {
      return (await this.directory.findPeople([user.personId])).get(user.personId)!;
    }
    this.policy.assertRole(user, ['ministry_admin'], 'назначение заместителя другому сотруднику');
    const candidates = await this.directory.findPeopleByEmail(personEmail);
    if (candidates.length === 0) {
      throw new UnprocessableEntityException(`personEmail: сотрудник с адресом ${personEmail} не найден в справочнике`);
    }
    // An e-mail-only address may be listed in several organisations; the one who logs in with it is unambiguous.
    const withLogin = await this.directory.findLoginByEmail(personEmail);
    const principal = withLogin ?? (candidates.length === 1 ? candidates[0] : undefined);
    if (!principal) {
      throw new UnprocessableEntityException(
        `personEmail: адрес ${personEmail} указан у сотрудников нескольких организаций; замещение назначить нельзя`,
      );
    }
    await this.policy.assertCanRead(user, principal.organizationId, 'назначение заместителя');
    return principal;
  }

  private checkDates(startsOn: string, endsOn: string, timeZone: string): void {
    const problems: string[] = [];
    if (!isValidIsoDate(startsOn)) problems.push(`startsOn: несуществующая дата ${startsOn}`);
    if (!isValidIsoDate(endsOn)) problems.push(`endsOn: несуществующая дата ${endsOn}`);
    if (problems.length === 0) {
      if (endsOn < startsOn) problems.push('endsOn: дата окончания раньше даты начала');
      const latest = DateTime.fromISO(startsOn).plus({ years: MAX_LENGTH_YEARS }).toISODate()!;
      if (endsOn > latest) problems.push(`endsOn: замещение не может длиться больше года (не позже ${ruDate(latest)})`);
    }
    if (problems.length) throw new BadRequestException({ message: 'Даты замещения указаны с ошибками', details: problems });
    const today = DateTime.now().setZone(timeZone).toISODate()!;
    if (endsOn < today) {
      throw new UnprocessableEntityException(`Замещение с окончанием ${ruDate(endsOn)} уже завершилось бы: сегодня ${ruDate(today)}`);
    }
  }

  private async views(rows: SubstitutionEntity[]): Promise<SubstitutionView[]> {
    return this.toViews(await this.directory.withPeople(rows));
  }

  private async toViews(rows: SubstitutionWithPeople[]): Promise<SubstitutionView[]> {
    const orgs = await this.directory.findOrganizations(rows.map((r) => r.principal.organizationId));
    return rows.map(({ substitution: s, principal, deputy }) => {
      const zone = orgs.get(principal.organizationId)?.timeZone ?? 'UTC';
      const today = DateTime.now().setZone(zone).toISODate()!;
      const state = s.revokedAt ? 'revoked' : today < s.startsOn ? 'scheduled' : today > s.endsOn ? 'ended' : 'active';
      return {
        id: s.id,
        person: personRef(principal),
        deputy: personRef(deputy),
        startsOn: s.startsOn,
        endsOn: s.endsOn,
        reason: s.reason,
        createdBy: s.createdBy,
        createdAt: s.createdAt.toISOString(),
        ...(s.revokedAt ? { revokedAt: s.revokedAt.toISOString(), revokedBy: s.revokedBy ?? undefined } : {}),
        state,
      };
    });
  }
}

function personRef(person: PersonEntity) {
  return { personId: person.id, fullName: person.fullName, email: person.email, organizationId: person.organizationId };
}

/** 15.12.2026, as officials write dates. */
function ruDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}.${m}.${y}`;
}
