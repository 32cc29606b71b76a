import { In, IsNull, Not, Or, type DataSource, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { OrganizationEntity, PersonEntity, SubstitutionEntity, type OrganizationKind } from '../entities';
import { CuratorshipRepository } from './curatorship.repository';

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

/** Roles that read and never act (apps/api/auth/roles.ts): no reminder or escalation reaches them. */
export const READ_ONLY_ROLES = ['auditor'];

/** Organisations and their people: who is assigned, who is reminded, who is escalated to. */
export class DirectoryRepository {
  private readonly curatorships: CuratorshipRepository;

  constructor(private readonly dataSource: DataSource) {
    this.curatorships = new CuratorshipRepository(dataSource);
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

  /** The organisation of the region that carries this code, if any (codes are unique within a region). */
  async findByCode(regionCode: string, code: string): Promise<OrganizationEntity | null> {
    return this.organizations.findOneBy({ regionCode, code });
  }

  /**
   * Inserts, or leaves an existing organisation with the same id, or the same code in the region, untouched;
   * returns whether it was new.
   */
  async insertOrganization(org: NewOrganization): Promise<boolean> {
    const result = await this.organizations
      .createQueryBuilder()
      .insert()
      .values({ ...org, parentId: org.parentId ?? null, code: org.code ?? null })
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
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

  /** The person who logs in with this e-mail (unique among people with a password), with the password hash. */
  async findLoginByEmail(email: string): Promise<PersonEntity | null> {
    return this.people
      .createQueryBuilder('p')
      .addSelect('p.passwordHash')
      .where('lower(p.email) = lower(:email)', { email })
      .andWhere('p.password_hash IS NOT NULL')
      .andWhere('p.role IS NOT NULL')
      .getOne();
  }

  /** A person who can log in, by id (the token's subject); null once their log-in is taken away. */
  async findLoginById(id: string): Promise<PersonEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return this.people
      .createQueryBuilder('p')
      .where('p.id = :id', { id })
      .andWhere('p.password_hash IS NOT NULL')
      .andWhere('p.role IS NOT NULL')
      .getOne();
  }

  /** Everyone with this e-mail, in any organisation (e-mail-only people may be listed in several). */
  async findPeopleByEmail(email: string): Promise<PersonEntity[]> {
    return this.people.createQueryBuilder('p').where('lower(p.email) = lower(:email)', { email }).orderBy('p.created_at').getMany();
  }

  /** Gives or changes a person's log-in; null for both takes it away. */
  async setLogin(personId: string, role: string | null, passwordHash: string | null): Promise<void> {
    await this.people.update({ id: personId }, { role, passwordHash });
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

  /** Adds a person unless one with the same e-mail is already in the organisation; returns the stored person. */
  async addPerson(person: NewPerson): Promise<{ person: PersonEntity; created: boolean }> {
    const existing = await this.findPersonByEmail(person.organizationId, person.email);
    if (existing) return { person: existing, created: false };
    const saved = await this.people.save(
      this.people.create({
        ...person,
        position: person.position ?? '',
        isHead: person.isHead ?? false,
        role: person.role ?? null,
        passwordHash: person.passwordHash ?? null,
      }),
    );
    // Read back so the answer is what any other read gives: without the password hash.
    return { person: (await this.findPerson(saved.id))!, created: true };
  }
}
