import { In, IsNull, Not, Or, QueryFailedError, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { OrganizationEntity, PersonEntity, SubstitutionEntity, type OrganizationKind } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';
import { CuratorshipRepository } from './curatorship.repository';
import { SessionRepository } from './session.repository';

const UNIQUE_VIOLATION = '23505';

export interface NewOrganization {
  id: string;
  kind: OrganizationKind;
  name: string;
  regionCode: string;
  timeZone: string;
  parentId?: string | null;
  /** A school's code in the ministry's files; unique within the region. */
  code?: string | null;
}

export interface NewPerson {
  organizationId: string;
  fullName: string;
  email: string;
  position?: string;
  isHead?: boolean;
  /** With a password hash, the person can log in. */
  role?: string | null;
  passwordHash?: string | null;
}

export interface NewSubstitution {
  personId: string;
  deputyPersonId: string;
  startsOn: string;
  endsOn: string;
  reason: string;
  createdBy: string;
}

/** A substitution with both people, as lists and audit entries show it. */
export interface SubstitutionWithPeople {
  substitution: SubstitutionEntity;
  principal: PersonEntity;
  deputy: PersonEntity;
}

/** A principal whose deputy someone is today, with the principal's organisation (for its zone and region). */
export interface ActivePrincipal {
  principal: PersonEntity;
  organization: OrganizationEntity;
  substitution: SubstitutionEntity;
}

export interface OrganizationFilter {
  regionCode?: string;
  kind?: OrganizationKind;
  parentId?: string;
  /** Exact, as stored: '000101' does not find '101'. */
  code?: string;
}

/** A person as the directory screen shows them: the row, and whether a password is set (never the hash itself). */
export interface DirectoryPerson {
  person: PersonEntity;
  hasPassword: boolean;
}

/** A person found by the directory's search, with their organisation's name and kind. */
export interface FoundPerson extends DirectoryPerson {
  organizationName: string;
  organizationKind: OrganizationKind;
}

export interface PeopleSearch {
  /** The organisations to search in; undefined: every organisation (the auditor). */
  organizationIds?: string[];
  /** Part of the name, e-mail or position, any case. */
  q?: string;
  /** Only people who can log in now (a deputy must). */
  withLogin?: boolean;
  limit: number;
}

/** What the administrator changes of a log-in; absent fields stay as they are. */
export interface LoginChange {
  role?: string;
  /** A moment: the log-in is withdrawn from then; null: given back. */
  disabledAt?: Date | null;
}

/** A school of a region with its code and municipality, as identification and partner suggestions read it. */
export interface RegionSchool {
  id: string;
  name: string;
  /** organizations.code: how the ministry's files name the school. */
  code: string | null;
  municipalityId: string | null;
  municipalityName: string | null;
}

/** Roles that read and never act (apps/api/auth/roles.ts): no reminder or escalation reaches them. */
export const READ_ONLY_ROLES = ['auditor'];

/** Organisations and their people: who is assigned, who is reminded, who is escalated to. */
export class DirectoryRepository {
  private readonly curatorships: CuratorshipRepository;
  private readonly audit: AuditLogRepository;
  private readonly sessions: SessionRepository;

  constructor(private readonly dataSource: DataSource) {
    this.curatorships = new CuratorshipRepository(dataSource);
    this.audit = new AuditLogRepository(dataSource);
    this.sessions = new SessionRepository(dataSource);
  }

  private get organizations() {
    return this.dataSource.getRepository(OrganizationEntity);
  }

  private get people() {
    return this.dataSource.getRepository(PersonEntity);
  }

  async findOrganization(id: string): Promise<OrganizationEntity | null> {
    return id ? this.organizations.findOneBy({ id }) : null;
  }

  async findOrganizations(ids: string[]): Promise<Map<string, OrganizationEntity>> {
    const unique = [...new Set(ids.filter(Boolean))];
    const rows = unique.length ? await this.organizations.findBy({ id: In(unique) }) : [];
    return new Map(rows.map((row) => [row.id, row]));
  }

  async listOrganizations(filter: OrganizationFilter): Promise<OrganizationEntity[]> {
    const where: FindOptionsWhere<OrganizationEntity> = {};
    if (filter.regionCode) where.regionCode = filter.regionCode;
    if (filter.kind) where.kind = filter.kind;
    if (filter.parentId) where.parentId = filter.parentId;
    if (filter.code) where.code = filter.code;
    return this.organizations.find({ where, order: { regionCode: 'ASC', kind: 'ASC', name: 'ASC' } });
  }

  /** The region's schools with their codes and municipalities, by code (uncoded last). */
  async listRegionSchools(regionCode: string): Promise<RegionSchool[]> {
    return this.dataSource.query(
      `SELECT s.id, s.name, s.code, s.parent_id AS "municipalityId", m.name AS "municipalityName"
         FROM organizations s LEFT JOIN organizations m ON m.id = s.parent_id
        WHERE s.region_code = $1 AND s.kind = 'school'
        ORDER BY s.code NULLS LAST, s.id`,
      [regionCode],
    );
  }

  /** municipality → its neighbours as written (the relation is not stored symmetric). */
  async municipalityNeighbours(regionCode: string): Promise<Record<string, string[]>> {
    const rows = await this.organizations.find({
      select: { id: true, neighbourIds: true },
      where: { regionCode, kind: 'municipality' },
    });
    return Object.fromEntries(rows.map((r) => [r.id, r.neighbourIds ?? []]));
  }

  /** The organisation of the region that carries this code, if any (codes are unique within a region). */
  async findByCode(regionCode: string, code: string): Promise<OrganizationEntity | null> {
    return this.organizations.findOneBy({ regionCode, code });
  }

  /**
   * Inserts, or leaves an existing organisation with the same id, or the same code in the region, untouched;
   * returns whether it was new. `auditEntry`: appended in the same transaction when the organisation is new.
   */
  async insertOrganization(org: NewOrganization, auditEntry?: (created: OrganizationEntity) => AuditEntryInput): Promise<boolean> {
    const insert = async (manager: EntityManager): Promise<boolean> => {
      const result = await manager
        .getRepository(OrganizationEntity)
        .createQueryBuilder()
        .insert()
        .values({ ...org, parentId: org.parentId ?? null, code: org.code ?? null })
        .orIgnore()
        .execute();
      const created = (result.raw as unknown[]).length > 0;
      if (created && auditEntry) {
        const stored = await manager.getRepository(OrganizationEntity).findOneByOrFail({ id: org.id });
        await this.audit.append(auditEntry(stored), manager);
      }
      return created;
    };
    return auditEntry ? this.dataSource.transaction(insert) : insert(this.dataSource.manager);
  }

  /** The ministry that supervises a region's tasks by default. */
  async findRegionMinistry(regionCode: string): Promise<OrganizationEntity | null> {
    return this.organizations.findOne({ where: { regionCode, kind: 'ministry' }, order: { createdAt: 'ASC' } });
  }

  async findPerson(id: string): Promise<PersonEntity | null> {
    return id ? this.people.findOneBy({ id }) : null;
  }

  async findPersonByEmail(organizationId: string, email: string): Promise<PersonEntity | null> {
    return this.people
      .createQueryBuilder('p')
      .where('p.organization_id = :organizationId', { organizationId })
      .andWhere('lower(p.email) = lower(:email)', { email })
      .getOne();
  }

  /** The first person with this e-mail in any organisation. */
  async findPersonAnywhereByEmail(email: string): Promise<PersonEntity | null> {
    return this.people.createQueryBuilder('p').where('lower(p.email) = lower(:email)', { email }).getOne();
  }

  /** The organisation's people as the directory lists them, without substitutions applied. */
  async listMembers(organizationId: string): Promise<PersonEntity[]> {
    return this.people.find({ where: { organizationId }, order: { isHead: 'DESC', fullName: 'ASC' } });
  }

  /**
   * Who receives the organisation's e-mails (reminders): its people, each replaced by their deputy while a
   * substitution is in force; the deputy's name then carries «(за <principal>)».
   */
  async listPeople(organizationId: string, now: Date = new Date()): Promise<PersonEntity[]> {
    return this.recipients(organizationId, false, now);
  }

  /** Who receives escalations to the organisation: its heads, or their deputies as in `listPeople`. */
  async listHeads(organizationId: string, now: Date = new Date()): Promise<PersonEntity[]> {
    return this.recipients(organizationId, true, now);
  }

  /**
   * Who receives the copy of an escalation as the curators of a school in a cycle: the curators in force, each
   * replaced by their deputy as in `listPeople`.
   */
  async listCurators(cycleId: string, schoolId: string, now: Date = new Date()): Promise<PersonEntity[]> {
    const ids = await this.curatorships.activeCuratorIds(cycleId, schoolId);
    if (ids.length === 0) return [];
    const acting = Or(IsNull(), Not(In(READ_ONLY_ROLES)));
    const curators = await this.people.find({ where: { id: In(ids), role: acting } });
    curators.sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id));
    return this.withDeputies(curators, now);
  }

  private async recipients(organizationId: string, headsOnly: boolean, now: Date): Promise<PersonEntity[]> {
    // Reminders and escalations are for the people who act on the organisation's tasks: an auditor only reads.
    const acting = Or(IsNull(), Not(In(READ_ONLY_ROLES)));
    const members = await this.people.find({
      where: headsOnly ? { organizationId, isHead: true, role: acting } : { organizationId, role: acting },
      order: { isHead: 'DESC', fullName: 'ASC' },
    });
    return this.withDeputies(members, now);
  }

  /** Each person replaced by their deputy while a substitution is in force, the deputy's name marked «(за …)». */
  private async withDeputies(members: PersonEntity[], now: Date): Promise<PersonEntity[]> {
    if (members.length === 0) return [];
    const active = await this.activeSubstitutions('person_id', members.map((m) => m.id), now);
    const deputies = await this.findPeople(active.map((s) => s.deputyPersonId));
    const byRecipient = new Map<string, { person: PersonEntity; onBehalfOf: string[] }>();
    for (const member of members) {
      const substitution = active.find((s) => s.personId === member.id);
      const deputy = substitution ? deputies.get(substitution.deputyPersonId) : undefined;
      const recipient = deputy ?? member;
      const entry = byRecipient.get(recipient.id) ?? { person: recipient, onBehalfOf: [] };
      if (deputy) entry.onBehalfOf.push(member.fullName);
      byRecipient.set(recipient.id, entry);
    }
    return [...byRecipient.values()].map(({ person, onBehalfOf }) =>
      onBehalfOf.length
        ? this.people.create({ ...person, fullName: `${person.fullName} (за ${onBehalfOf.join(', ')})` })
        : person,
    );
  }

  async findPeople(ids: string[]): Promise<Map<string, PersonEntity>> {
    const unique = [...new Set(ids.filter(Boolean))];
    const rows = unique.length ? await this.people.findBy({ id: In(unique) }) : [];
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * The person who logs in with this e-mail (unique among people with a password), with the password hash; null
   * while the log-in is withdrawn.
   */
  async findLoginByEmail(email: string): Promise<PersonEntity | null> {
    return this.people
      .createQueryBuilder('p')
      .addSelect('p.passwordHash')
      .where('lower(p.email) = lower(:email)', { email })
      .andWhere('p.password_hash IS NOT NULL')
      .andWhere('p.role IS NOT NULL')
      .andWhere('p.login_disabled_at IS NULL')
      .getOne();
  }

  /**
   * Whoever holds this e-mail as a log-in name, withdrawn or not (the unique index covers both): the e-mail is
   * not free for another person's log-in while either holds it.
   */
  async findLoginHolderByEmail(email: string): Promise<PersonEntity | null> {
    return this.people
      .createQueryBuilder('p')
      .where('lower(p.email) = lower(:email)', { email })
      .andWhere('p.password_hash IS NOT NULL')
      .getOne();
  }

  /** A person who can log in, by id (the token's subject); null once their log-in is taken away or withdrawn. */
  async findLoginById(id: string): Promise<PersonEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return this.people
      .createQueryBuilder('p')
      .where('p.id = :id', { id })
      .andWhere('p.password_hash IS NOT NULL')
      .andWhere('p.role IS NOT NULL')
      .andWhere('p.login_disabled_at IS NULL')
      .getOne();
  }

  /** Everyone with this e-mail, in any organisation (e-mail-only people may be listed in several). */
  async findPeopleByEmail(email: string): Promise<PersonEntity[]> {
    return this.people.createQueryBuilder('p').where('lower(p.email) = lower(:email)', { email }).orderBy('p.created_at').getMany();
  }

  /** Gives or changes a person's log-in; null for both takes it away. */
  async setLogin(personId: string, role: string | null, passwordHash: string | null): Promise<void> {
    await this.people.update(
      { id: personId },
      { role, passwordHash, passwordSetAt: passwordHash ? new Date() : null, ...(passwordHash ? {} : { loginDisabledAt: null }) },
    );
  }

  // --- substitutions («исполняющий обязанности») ---

  /**
   * Substitutions in force at `now` for these people (as `column`): not revoked, and today's date in the
   * principal's organisation's zone within [starts_on, ends_on].
   */
  private async activeSubstitutions(
    column: 'person_id' | 'deputy_person_id',
    personIds: string[],
    now: Date,
  ): Promise<SubstitutionEntity[]> {
    if (personIds.length === 0) return [];
    return this.dataSource
      .getRepository(SubstitutionEntity)
      .createQueryBuilder('s')
      .innerJoin(PersonEntity, 'p', 'p.id = s.person_id')
      .innerJoin(OrganizationEntity, 'o', 'o.id = p.organization_id')
      .where(`s.${column} IN (:...personIds)`, { personIds })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('(CAST(:now AS timestamptz) AT TIME ZONE o.time_zone)::date BETWEEN s.starts_on AND s.ends_on', { now })
      .orderBy('s.created_at', 'ASC')
      .getMany();
  }

  /** The people whose deputy this person is today: the deputy may act for their organisations. */
  async listActivePrincipals(deputyPersonId: string, now: Date = new Date()): Promise<ActivePrincipal[]> {
    const active = await this.activeSubstitutions('deputy_person_id', [deputyPersonId], now);
    const principals = await this.findPeople(active.map((s) => s.personId));
    const orgs = await this.findOrganizations([...principals.values()].map((p) => p.organizationId));
    return active.flatMap((substitution) => {
      const principal = principals.get(substitution.personId);
      const organization = principal && orgs.get(principal.organizationId);
      return principal && organization ? [{ principal, organization, substitution }] : [];
    });
  }

  /** Today's date (YYYY-MM-DD) in the person's organisation's zone: the day substitutions are judged by. */
  async localDateOf(personId: string, now: Date = new Date()): Promise<string | null> {
    const rows: { today: string }[] = await this.dataSource.query(
      `SELECT to_char(($2::timestamptz AT TIME ZONE o.time_zone)::date, 'YYYY-MM-DD') AS today
         FROM people p JOIN organizations o ON o.id = p.organization_id WHERE p.id = $1`,
      [personId, now],
    );
    return rows[0]?.today ?? null;
  }

  /**
   * Stores a substitution unless another unrevoked one of the same person overlaps its dates; returns that one
   * instead. The person's row is locked first, so two concurrent requests cannot both pass the check.
   * `manager`: the caller's transaction (to append the audit entry in it).
   */
  async insertSubstitution(
    manager: EntityManager,
    input: NewSubstitution,
  ): Promise<{ created: SubstitutionEntity } | { conflict: SubstitutionEntity }> {
    await manager.query('SELECT id FROM people WHERE id = $1 FOR UPDATE', [input.personId]);
    const repository = manager.getRepository(SubstitutionEntity);
    const conflict = await repository
      .createQueryBuilder('s')
      .where('s.person_id = :personId', { personId: input.personId })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.starts_on <= :endsOn AND s.ends_on >= :startsOn', { startsOn: input.startsOn, endsOn: input.endsOn })
      .orderBy('s.starts_on', 'ASC')
      .getOne();
    if (conflict) return { conflict };
    return { created: await repository.save(repository.create({ ...input, revokedAt: null, revokedBy: null })) };
  }

  /**
   * insertSubstitution in a transaction of its own, with `auditEntry` appended in it when the substitution is stored:
   * both commit or neither.
   */
  async createSubstitution(
    input: NewSubstitution,
    auditEntry: (created: SubstitutionEntity) => AuditEntryInput,
  ): Promise<{ created: SubstitutionEntity } | { conflict: SubstitutionEntity }> {
    return this.dataSource.transaction(async (manager) => {
      const result = await this.insertSubstitution(manager, input);
      if ('created' in result) await this.audit.append(auditEntry(result.created), manager);
      return result;
    });
  }

  /** revokeSubstitution with `auditEntry` appended in the same transaction when this call revoked it. */
  async revokeSubstitutionRecorded(id: string, revokedBy: string, at: Date, auditEntry: AuditEntryInput): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.revokeSubstitution(manager, id, revokedBy, at))) return false;
      await this.audit.append(auditEntry, manager);
      return true;
    });
  }

  async findSubstitution(id: string): Promise<SubstitutionEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return this.dataSource.getRepository(SubstitutionEntity).findOneBy({ id });
  }

  /** Revokes unless already revoked; returns whether this call revoked it. */
  async revokeSubstitution(manager: EntityManager, id: string, revokedBy: string, at: Date): Promise<boolean> {
    const result = await manager
      .getRepository(SubstitutionEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: at, revokedBy })
      .where('id = :id AND revoked_at IS NULL', { id })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Substitutions where the person is the principal or the deputy, newest first, with both people. */
  async listSubstitutionsOf(personId: string): Promise<SubstitutionWithPeople[]> {
    const rows = await this.dataSource
      .getRepository(SubstitutionEntity)
      .createQueryBuilder('s')
      .where('s.person_id = :personId OR s.deputy_person_id = :personId', { personId })
      .orderBy('s.starts_on', 'DESC')
      .addOrderBy('s.created_at', 'DESC')
      .getMany();
    return this.withPeople(rows);
  }

  async withPeople(rows: SubstitutionEntity[]): Promise<SubstitutionWithPeople[]> {
    const people = await this.findPeople(rows.flatMap((s) => [s.personId, s.deputyPersonId]));
    return rows.flatMap((substitution) => {
      const principal = people.get(substitution.personId);
      const deputy = people.get(substitution.deputyPersonId);
      return principal && deputy ? [{ substitution, principal, deputy }] : [];
    });
  }

  /**
   * Adds a person unless one with the same e-mail is already in the organisation; returns the stored person.
   * `auditEntry`: appended in the same transaction when the person is new.
   */
  async addPerson(
    person: NewPerson,
    auditEntry?: (created: PersonEntity) => AuditEntryInput,
  ): Promise<{ person: PersonEntity; created: boolean }> {
    const existing = await this.findPersonByEmail(person.organizationId, person.email);
    if (existing) return { person: existing, created: false };
    const insert = async (manager: EntityManager): Promise<PersonEntity> => {
      const people = manager.getRepository(PersonEntity);
      const saved = await people.save(
        people.create({
          ...person,
          position: person.position ?? '',
          isHead: person.isHead ?? false,
          role: person.role ?? null,
          passwordHash: person.passwordHash ?? null,
          passwordSetAt: person.passwordHash ? new Date() : null,
          loginDisabledAt: null,
        }),
      );
      // Read back so the answer is what any other read gives: without the password hash.
      const stored = await people.findOneByOrFail({ id: saved.id });
      if (auditEntry) await this.audit.append(auditEntry(stored), manager);
      return stored;
    };
    try {
      const stored = auditEntry ? await this.dataSource.transaction(insert) : await insert(this.dataSource.manager);
      return { person: stored, created: true };
    } catch (err) {
      // Added by a concurrent request since the check above.
      if (!isUniqueViolation(err)) throw err;
      const rival = await this.findPersonByEmail(person.organizationId, person.email);
      if (!rival) throw err;
      return { person: rival, created: false };
    }
  }

  // --- the ministry administrator's directory screen ---

  /** The organisation's people with whether each has a password, heads first. */
  async listMembersWithLogin(organizationId: string): Promise<DirectoryPerson[]> {
    const rows = await this.people
      .createQueryBuilder('p')
      .addSelect('p.passwordHash')
      .where('p.organization_id = :organizationId', { organizationId })
      .orderBy('p.is_head', 'DESC')
      .addOrderBy('p.full_name', 'ASC')
      .getMany();
    return rows.map(withoutHash);
  }

  /** One person of the organisation with whether a password is set; null when not found there. */
  async findMember(organizationId: string, personId: string): Promise<DirectoryPerson | null> {
    if (!/^[0-9a-f-]{36}$/i.test(personId)) return null;
    const row = await this.people
      .createQueryBuilder('p')
      .addSelect('p.passwordHash')
      .where('p.id = :personId AND p.organization_id = :organizationId', { personId, organizationId })
      .getOne();
    return row ? withoutHash(row) : null;
  }

  /**
   * Changes the role and/or withdraws or gives back the log-in, appends the audit entries built from the row
   * before and after, and ends the person's sessions when the log-in is withdrawn: all in one transaction, with
   * the person's row locked so two administrators' changes do not interleave. Null when the person is gone.
   */
  async changeLogin(
    personId: string,
    change: LoginChange,
    auditEntries: (before: PersonEntity, after: PersonEntity) => AuditEntryInput[],
  ): Promise<DirectoryPerson | null> {
    return this.dataSource.transaction(async (manager) => {
      const people = manager.getRepository(PersonEntity);
      const before = await people.findOne({ where: { id: personId }, lock: { mode: 'pessimistic_write' } });
      if (!before) return null;
      const set: Partial<PersonEntity> = {};
      if (change.role !== undefined) set.role = change.role;
      if (change.disabledAt !== undefined) set.loginDisabledAt = change.disabledAt;
      if (Object.keys(set).length) await people.update({ id: personId }, set);
      const after = await people.createQueryBuilder('p').addSelect('p.passwordHash').where('p.id = :personId', { personId }).getOneOrFail();
      if (change.disabledAt) await this.sessions.revokeAllOf(personId, change.disabledAt, manager);
      // Last in the transaction: the audit chain's lock is held from here to the commit.
      for (const entry of auditEntries(before, after)) await this.audit.append(entry, manager);
      return withoutHash(after);
    });
  }

  /**
   * Sets a new password (and the role, when given: a log-in for someone who had none), ends every session the
   * person has open and appends the audit entry, in one transaction. A withdrawn log-in stays withdrawn.
   */
  async setPassword(
    personId: string,
    input: { passwordHash: string; role?: string; at: Date },
    auditEntry: (before: PersonEntity, after: PersonEntity) => AuditEntryInput,
  ): Promise<DirectoryPerson | null> {
    return this.dataSource.transaction(async (manager) => {
      const people = manager.getRepository(PersonEntity);
      const before = await people.findOne({ where: { id: personId }, lock: { mode: 'pessimistic_write' } });
      if (!before) return null;
      await people.update(
        { id: personId },
        { passwordHash: input.passwordHash, passwordSetAt: input.at, ...(input.role ? { role: input.role } : {}) },
      );
      const after = await people.findOneByOrFail({ id: personId });
      await this.sessions.revokeAllOf(personId, input.at, manager);
      await this.audit.append(auditEntry(before, after), manager);
      return { person: after, hasPassword: true };
    });
  }

  /**
   * People of these organisations whose name, e-mail or position contains `q`, by name; for choosing a person
   * (whom to deputise, who deputises).
   */
  async searchPeople(search: PeopleSearch): Promise<FoundPerson[]> {
    if (search.organizationIds?.length === 0) return [];
    const query = this.people
      .createQueryBuilder('p')
      .addSelect('p.passwordHash')
      .innerJoin(OrganizationEntity, 'o', 'o.id = p.organization_id')
      .addSelect(['o.name', 'o.kind'])
      .orderBy('p.full_name', 'ASC')
      .addOrderBy('p.email', 'ASC')
      .limit(search.limit);
    if (search.organizationIds) query.andWhere('p.organization_id IN (:...ids)', { ids: search.organizationIds });
    const needle = search.q?.trim().toLowerCase();
    if (needle) {
      const like = `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query.andWhere('(lower(p.full_name) LIKE :like OR lower(p.email) LIKE :like OR lower(p.position) LIKE :like)', { like });
    }
    if (search.withLogin) {
      query.andWhere('p.password_hash IS NOT NULL AND p.role IS NOT NULL AND p.login_disabled_at IS NULL');
    }
    const { entities, raw } = await query.getRawAndEntities<{ p_id: string; o_name: string; o_kind: OrganizationKind }>();
    const orgOf = new Map(raw.map((r) => [r.p_id, r]));
    return entities.map((row) => {
      const org = orgOf.get(row.id);
      return { ...withoutHash(row), organizationName: org?.o_name ?? row.organizationId, organizationKind: org?.o_kind ?? 'school' };
    });
  }

  /**
   * Substitutions not revoked and not yet over (today in the principal's organisation's zone) where the principal or
   * the deputy belongs to the organisation, earliest first, with both people.
   */
  async listCurrentSubstitutionsOfOrganization(organizationId: string, now: Date = new Date()): Promise<SubstitutionWithPeople[]> {
    const rows = await this.dataSource
      .getRepository(SubstitutionEntity)
      .createQueryBuilder('s')
      .innerJoin(PersonEntity, 'p', 'p.id = s.person_id')
      .innerJoin(OrganizationEntity, 'o', 'o.id = p.organization_id')
      .innerJoin(PersonEntity, 'd', 'd.id = s.deputy_person_id')
      .where('(p.organization_id = :organizationId OR d.organization_id = :organizationId)', { organizationId })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.ends_on >= (CAST(:now AS timestamptz) AT TIME ZONE o.time_zone)::date', { now })
      .orderBy('s.starts_on', 'ASC')
      .addOrderBy('s.created_at', 'ASC')
      .getMany();
    return this.withPeople(rows);
  }
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION;
}

/** The row without its password hash, and whether it had one: the hash never leaves this file. */
function withoutHash(row: PersonEntity): DirectoryPerson {
  const hasPassword = row.passwordHash !== null && row.passwordHash !== undefined;
  const person = Object.assign(Object.create(PersonEntity.prototype) as PersonEntity, row);
  delete (person as Partial<PersonEntity>).passwordHash;
  return { person, hasPassword };
}
