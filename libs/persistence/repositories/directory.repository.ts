import { In, type DataSource, type FindOptionsWhere } from 'typeorm';
import { OrganizationEntity, PersonEntity, type OrganizationKind } from '../entities';

export interface NewOrganization {
  id: string;
  kind: OrganizationKind;
  name: string;
  regionCode: string;
  timeZone: string;
  parentId?: string | null;
}

export interface NewPerson {
  organizationId: string;
  fullName: string;
  email: string;
  position?: string;
  isHead?: boolean;
}

export interface OrganizationFilter {
  regionCode?: string;
  kind?: OrganizationKind;
  parentId?: string;
}

/** Organisations and their people: who is assigned, who is reminded, who is escalated to. */
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

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
    return this.organizations.find({ where, order: { regionCode: 'ASC', kind: 'ASC', name: 'ASC' } });
  }

  /** Inserts, or leaves an existing organisation with the same id untouched; returns whether it was new. */
  async insertOrganization(org: NewOrganization): Promise<boolean> {
    const result = await this.organizations
      .createQueryBuilder()
      .insert()
      .values({ ...org, parentId: org.parentId ?? null })
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

  /** People are identified by e-mail until log-in arrives; the first match is enough to name an actor. */
  async findPersonAnywhereByEmail(email: string): Promise<PersonEntity | null> {
    return this.people.createQueryBuilder('p').where('lower(p.email) = lower(:email)', { email }).getOne();
  }

  async listPeople(organizationId: string): Promise<PersonEntity[]> {
    return this.people.find({ where: { organizationId }, order: { isHead: 'DESC', fullName: 'ASC' } });
  }

  async listHeads(organizationId: string): Promise<PersonEntity[]> {
    return this.people.find({ where: { organizationId, isHead: true }, order: { fullName: 'ASC' } });
  }

  /** Adds a person unless one with the same e-mail is already in the organisation; returns the stored person. */
  async addPerson(person: NewPerson): Promise<{ person: PersonEntity; created: boolean }> {
    const existing = await this.findPersonByEmail(person.organizationId, person.email);
    if (existing) return { person: existing, created: false };
    const saved = await this.people.save(
      this.people.create({ ...person, position: person.position ?? '', isHead: person.isHead ?? false }),
    );
    return { person: saved, created: true };
  }
}
