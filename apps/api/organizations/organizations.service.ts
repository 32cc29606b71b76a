import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../../../libs/domain/deadline';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import {
  DirectoryRepository,
  type AuditEntryInput,
  type DirectoryPerson,
  type OrganizationEntity,
  type OrganizationKind,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import type { SubstitutionView } from '../auth/auth.dto';
import { AuthService } from '../auth/auth.service';
import { ROLE_TITLES, type Role } from '../auth/roles';
import { PASSWORD_MAX_BYTES, roleFitsOrganization, ROLES_BY_ORGANIZATION_KIND } from './login-rules';
import {
  mapFoundPerson,
  mapOrganization,
  mapOrganizationDetail,
  mapPerson,
  mapSubstitution,
  type CreateOrganizationDto,
  type CreatePersonDto,
  type FoundPersonView,
  type ListOrganizationsQueryDto,
  type OrganizationDetailView,
  type OrganizationView,
  type PersonView,
  type SearchPeopleQueryDto,
  type SetPasswordDto,
  type UpdatePersonDto,
} from './organization.dto';

/** The directory's audit entries (subject `organization` or `person`), each with a Russian label in libs/audit. */
export const DIRECTORY_EVENTS = {
  organizationCreated: 'organization_created',
  personAdded: 'person_added',
  roleChanged: 'person_role_changed',
  loginWithdrawn: 'login_withdrawn',
  loginRestored: 'login_restored',
  loginGranted: 'login_granted',
  passwordReset: 'password_reset',
} as const;

const ORGANIZATION_SUBJECT = 'organization';
const PERSON_SUBJECT = 'person';

/** Where each kind belongs: escalations climb this ladder (a school answers to its municipality). */
const PARENT_KINDS: Record<OrganizationKind, OrganizationKind[]> = {
  ministry: [],
  institute: ['ministry'],
  municipality: ['ministry'],
  school: ['municipality'],
};

const KIND_NAMES: Record<OrganizationKind, string> = {
  ministry: 'министерство',
  institute: 'институт развития образования',
  municipality: 'муниципалитет',
  school: 'школа',
};

const fieldErrors = (...details: string[]) => new BadRequestException({ message: 'Запрос содержит ошибки', details });

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly policy: AccessPolicy,
    private readonly auth: AuthService,
  ) {}

  async list(user: AuthUser, query: ListOrganizationsQueryDto): Promise<OrganizationView[]> {
    const readable = await this.policy.readableOrganizationIds(user);
    const organizations = await this.directory.listOrganizations(query);
    const visible = readable === 'all' ? organizations : organizations.filter((o) => readable.includes(o.id));
    return visible.map(mapOrganization);
  }

  async get(user: AuthUser, id: string): Promise<OrganizationDetailView> {
    const org = await this.readableOrganization(user, id, `просмотр организации «${id}»`);
    return mapOrganizationDetail(org, await this.directory.listMembersWithLogin(id));
  }

  async create(user: AuthUser, dto: CreateOrganizationDto): Promise<OrganizationView> {
    if (dto.regionCode !== user.regionCode) {
      this.policy.deny(user, 'Администратор министерства добавляет организации только своего региона', {
        action: `добавление организации «${dto.id}»`,
        regionCode: dto.regionCode,
      });
    }
    if (!isValidTimeZone(dto.timeZone)) {
      throw new BadRequestException(`Неизвестный часовой пояс «${dto.timeZone}»; ожидается зона IANA, например Europe/Moscow`);
    }
    if (dto.code !== undefined && dto.kind !== 'school') {
      throw fieldErrors('code: код задаётся только школам (kind: school) — по нему файлы идентификации находят школу');
    }
    const parent = dto.parentId ? await this.directory.findOrganization(dto.parentId) : null;
    if (dto.parentId && !parent) {
      throw new UnprocessableEntityException(`parentId: организация «${dto.parentId}» не найдена`);
    }
    if (parent) {
      await this.policy.assertCanRead(user, parent.id, `добавление организации в «${parent.id}»`);
      this.assertParentFits(dto.kind, parent);
    }
    await this.assertCodeFree(dto);
    const created = await this.directory.insertOrganization({ ...dto, parentId: dto.parentId ?? null }, (org) => ({
      subjectType: ORGANIZATION_SUBJECT,
      subjectId: org.id,
      type: DIRECTORY_EVENTS.organizationCreated,
      actor: user.email,
      occurredAt: org.createdAt,
      data: { kind: org.kind, name: org.name, parentId: org.parentId, code: org.code, timeZone: org.timeZone },
      organizationIds: [org.id, ...(org.parentId ? [org.parentId] : [])],
    }));
    if (!created) {
      // The same id, or the same code added by a concurrent request since the check above.
      if (await this.directory.findOrganization(dto.id)) {
        throw new ConflictException(`Организация «${dto.id}» уже есть в справочнике`);
      }
      await this.assertCodeFree(dto);
      throw new ConflictException(`Организация «${dto.id}» не добавлена: повторите запрос`);
    }
    return mapOrganization((await this.directory.findOrganization(dto.id))!);
  }

  /** A school belongs to a municipality, a municipality and the institute to the ministry: escalations follow it. */
  private assertParentFits(kind: OrganizationKind, parent: OrganizationEntity): void {
    const allowed = PARENT_KINDS[kind];
    if (allowed.includes(parent.kind)) return;
    const expected =
      allowed.length === 0
        ? `${KIND_NAMES[kind]} не входит в другую организацию`
        : `${KIND_NAMES[kind]} входит в ${allowed.map((k) => (k === 'ministry' ? 'министерство' : 'муниципалитет')).join(' или ')}`;
    throw new UnprocessableEntityException(`parentId: ${expected}, а «${parent.name}» — ${KIND_NAMES[parent.kind]}`);
  }

  private async assertCodeFree(dto: CreateOrganizationDto): Promise<void> {
    if (dto.code === undefined) return;
    const holder = await this.directory.findByCode(dto.regionCode, dto.code);
    if (holder) {
      throw new ConflictException(
        `Код школы «${dto.code}» уже занят в регионе ${dto.regionCode}: «${holder.name}» (${holder.id}); коды школ уникальны в пределах региона`,
      );
    }
  }

  /**
   * A ministry administrator adds people anywhere in the region, with or without a log-in; anyone else only
   * colleagues of their own organisation (or a principal's), and without one.
   */
  async addPerson(user: AuthUser, organizationId: string, dto: CreatePersonDto): Promise<PersonView> {
    const org = await this.directory.findOrganization(organizationId);
    if (!org) throw new NotFoundException(`Организация «${organizationId}» не найдена`);
    const what = `добавление сотрудника в «${organizationId}»`;
    if (user.role === 'ministry_admin') {
      await this.policy.assertCanRead(user, organizationId, what);
    } else {
      this.policy.assertCanActFor(user, organizationId, what);
      if (dto.role || dto.password) this.policy.assertRole(user, ['ministry_admin'], 'выдача доступа к системе');
    }
    const { role, password, ...person } = dto;
    if (Boolean(role) !== Boolean(password)) {
      throw fieldErrors(role ? 'password: обязательное поле вместе с role' : 'role: обязательное поле вместе с password');
    }
    if (role) this.assertRoleFits(role, org);
    if (password) this.assertPasswordBytes(password);
    const email = dto.email.toLowerCase();
    if (password && (await this.directory.findLoginHolderByEmail(email))) {
      throw new ConflictException(`Адрес ${dto.email} уже используется для входа другим сотрудником`);
    }
    const passwordHash = password ? await this.auth.hashPassword(password) : null;
    const { person: stored, created } = await this.directory.addPerson(
      { organizationId, ...person, email, role: role ?? null, passwordHash },
      (added) => ({
        subjectType: PERSON_SUBJECT,
        subjectId: added.id,
        type: DIRECTORY_EVENTS.personAdded,
        actor: user.email,
        occurredAt: added.createdAt,
        data: { personId: added.id, fullName: added.fullName, email: added.email, isHead: added.isHead, role: added.role, loginGiven: Boolean(passwordHash) },
        organizationIds: [organizationId],
      }),
    );
    if (!created) throw new ConflictException(`Сотрудник с адресом ${dto.email} уже есть в этой организации`);
    return mapPerson({ person: stored, hasPassword: Boolean(passwordHash) });
  }

  /**
   * The ministry administrator changes a person's role, or withdraws the log-in (every session of theirs ends at
   * once and their tokens stop working) or gives it back. Unchanged fields write nothing.
   */
  async updatePerson(user: AuthUser, organizationId: string, personId: string, dto: UpdatePersonDto): Promise<PersonView> {
    if (dto.role === undefined && dto.loginEnabled === undefined) {
      throw fieldErrors('role, loginEnabled: укажите новую роль или loginEnabled (true — открыть вход, false — закрыть)');
    }
    const { org, member } = await this.administeredMember(user, organizationId, personId, 'изменение входа сотрудника');
    const { person, hasPassword } = member;
    if (!hasPassword || !person.role) {
      throw new UnprocessableEntityException(
        `У сотрудника ${person.fullName} нет входа в систему: чтобы выдать вход, задайте ему пароль и роль`,
      );
    }
    if (person.id === user.personId) {
      throw new UnprocessableEntityException(
        'Свою роль и свой вход администратор не меняет: попросите об этом другого администратора министерства',
      );
    }
    if (dto.role) this.assertRoleFits(dto.role, org);
    const now = new Date();
    const role = dto.role !== undefined && dto.role !== person.role ? dto.role : undefined;
    const enabled = person.loginDisabledAt === null;
    // undefined: the log-in stays as it is; null: given back; a moment: withdrawn from then.
    const disabledAt = dto.loginEnabled === undefined || dto.loginEnabled === enabled ? undefined : dto.loginEnabled ? null : now;
    if (role === undefined && disabledAt === undefined) return mapPerson(member);

    const entry = (type: string, data: Record<string, unknown>): AuditEntryInput => ({
      subjectType: PERSON_SUBJECT,
      subjectId: person.id,
      type,
      actor: user.email,
      occurredAt: now,
      data: { personId: person.id, email: person.email, fullName: person.fullName, ...data },
      organizationIds: [organizationId],
    });
    const changed = await this.directory.changeLogin(person.id, { role, disabledAt }, (before) => [
      ...(role !== undefined ? [entry(DIRECTORY_EVENTS.roleChanged, { from: before.role, to: role })] : []),
      ...(disabledAt === undefined
        ? []
        : disabledAt
          ? [entry(DIRECTORY_EVENTS.loginWithdrawn, { role: role ?? before.role, sessionsEnded: true })]
          : [entry(DIRECTORY_EVENTS.loginRestored, { role: role ?? before.role })]),
    ]);
    if (!changed) throw new NotFoundException(`Сотрудник «${personId}» не найден в организации «${organizationId}»`);
    return mapPerson(changed);
  }

  /**
   * The ministry administrator sets a new initial password (the person's sessions end), or gives a log-in to
   * someone who had none (then with a role). A withdrawn log-in stays withdrawn until given back.
   */
  async setPassword(user: AuthUser, organizationId: string, personId: string, dto: SetPasswordDto): Promise<PersonView> {
    const { org, member } = await this.administeredMember(user, organizationId, personId, 'установка пароля сотрудника');
    const { person, hasPassword } = member;
    const granting = !hasPassword || !person.role;
    if (granting && !dto.role && !person.role) {
      throw fieldErrors(`role: обязательное поле — у сотрудника ${person.fullName} ещё нет входа в систему, укажите его роль`);
    }
    if (dto.role && dto.role !== person.role && person.id === user.personId) {
      throw new UnprocessableEntityException('Свою роль администратор не меняет: попросите об этом другого администратора министерства');
    }
    if (dto.role) this.assertRoleFits(dto.role, org);
    this.assertPasswordBytes(dto.password);
    if (!hasPassword) {
      const holder = await this.directory.findLoginHolderByEmail(person.email);
      if (holder && holder.id !== person.id) {
        throw new ConflictException(
          `Адрес ${person.email} уже используется для входа другим сотрудником (${holder.fullName}); вход по одному адресу — у одного сотрудника`,
        );
      }
    }
    const at = new Date();
    const passwordHash = await this.auth.hashPassword(dto.password);
    const role = dto.role && dto.role !== person.role ? dto.role : undefined;
    const changed = await this.directory.setPassword(person.id, { passwordHash, role, at }, (before, after) => ({
      subjectType: PERSON_SUBJECT,
      subjectId: person.id,
      type: granting ? DIRECTORY_EVENTS.loginGranted : DIRECTORY_EVENTS.passwordReset,
      actor: user.email,
      occurredAt: at,
      // Never the password: only that it was set, and the role it logs in with.
      data: {
        personId: person.id,
        email: person.email,
        fullName: person.fullName,
        role: after.role,
        ...(role ? { from: before.role, to: role } : {}),
        sessionsEnded: true,
      },
      organizationIds: [organizationId],
    }));
    if (!changed) throw new NotFoundException(`Сотрудник «${personId}» не найден в организации «${organizationId}»`);
    return mapPerson(changed);
  }

  /** People the user may see (their organisations' scope), by name; for choosing whom to deputise and who deputises. */
  async searchPeople(user: AuthUser, query: SearchPeopleQueryDto): Promise<FoundPersonView[]> {
    let organizationIds: string[] | undefined;
    if (query.organizationId) {
      await this.readableOrganization(user, query.organizationId, `поиск сотрудников «${query.organizationId}»`);
      organizationIds = [query.organizationId];
    } else {
      const readable = await this.policy.readableOrganizationIds(user);
      organizationIds = readable === 'all' ? undefined : readable;
    }
    const found = await this.directory.searchPeople({ organizationIds, q: query.q, withLogin: query.withLogin, limit: query.limit });
    return found.map(mapFoundPerson);
  }

  /** The substitutions in force or planned whose person or deputy belongs to the organisation. */
  async listSubstitutions(user: AuthUser, organizationId: string): Promise<SubstitutionView[]> {
    await this.readableOrganization(user, organizationId, `просмотр замещений «${organizationId}»`);
    const now = new Date();
    const rows = await this.directory.listCurrentSubstitutionsOfOrganization(organizationId, now);
    const orgs = await this.directory.findOrganizations(rows.map((r) => r.principal.organizationId));
    return rows.map((row) => {
      const zone = orgs.get(row.principal.organizationId)?.timeZone ?? 'UTC';
      return mapSubstitution(row, DateTime.fromJSDate(now).setZone(zone).toISODate()!);
    });
  }

  private async readableOrganization(user: AuthUser, id: string, what: string): Promise<OrganizationEntity> {
    const org = await this.directory.findOrganization(id);
    if (!org) throw new NotFoundException(`Организация «${id}» не найдена`);
    await this.policy.assertCanRead(user, id, what);
    return org;
  }

  /** The organisation (in the administrator's region) and the person of it being administered, or 404 / 403. */
  private async administeredMember(
    user: AuthUser,
    organizationId: string,
    personId: string,
    what: string,
  ): Promise<{ org: OrganizationEntity; member: DirectoryPerson }> {
    const org = await this.readableOrganization(user, organizationId, `${what} в «${organizationId}»`);
    const member = await this.directory.findMember(organizationId, personId);
    if (!member) throw new NotFoundException(`Сотрудник «${personId}» не найден в организации «${org.name}»`);
    return { org, member };
  }

  private assertRoleFits(role: Role, org: OrganizationEntity): void {
    if (roleFitsOrganization(role, org.kind)) return;
    const allowed = ROLES_BY_ORGANIZATION_KIND[org.kind].map((r) => `${r} (${ROLE_TITLES[r]})`).join(', ');
    throw new UnprocessableEntityException(
      `role: роль «${ROLE_TITLES[role]}» не выдаётся сотруднику организации вида «${KIND_NAMES[org.kind]}»; допустимо: ${allowed}`,
    );
  }

  private assertPasswordBytes(password: string): void {
    if (Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw fieldErrors(`password: не длиннее ${countOf(PASSWORD_MAX_BYTES, NOUNS.byteGenitive)} (кириллическая буква занимает два)`);
    }
  }
}
