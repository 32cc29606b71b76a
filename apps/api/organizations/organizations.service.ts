import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { isValidTimeZone } from '../../../libs/domain/deadline';
import { DirectoryRepository } from '../../../libs/persistence';
import {
  mapOrganization,
  mapPerson,
  type CreateOrganizationDto,
  type CreatePersonDto,
  type ListOrganizationsQueryDto,
  type OrganizationDetailView,
  type OrganizationView,
  type PersonView,
} from './organization.dto';

@Injectable()
export class OrganizationsService {
  constructor(private readonly directory: DirectoryRepository) {}

  async list(query: ListOrganizationsQueryDto): Promise<OrganizationView[]> {
    return (await this.directory.listOrganizations(query)).map(mapOrganization);
  }

  async get(id: string): Promise<OrganizationDetailView> {
    const org = await this.directory.findOrganization(id);
    if (!org) throw new NotFoundException(`Организация «${id}» не найдена`);
    const people = await this.directory.listPeople(id);
    return { ...mapOrganization(org), people: people.map(mapPerson) };
  }

  async create(dto: CreateOrganizationDto): Promise<OrganizationView> {
    if (!isValidTimeZone(dto.timeZone)) {
      throw new BadRequestException(`Неизвестный часовой пояс «${dto.timeZone}»; ожидается зона IANA, например Europe/Moscow`);
    }
    if (dto.parentId && !(await this.directory.findOrganization(dto.parentId))) {
      throw new UnprocessableEntityException(`parentId: организация «${dto.parentId}» не найдена`);
    }
    const created = await this.directory.insertOrganization({ ...dto, parentId: dto.parentId ?? null });
    if (!created) throw new ConflictException(`Организация с кодом «${dto.id}» уже есть в справочнике`);
    return mapOrganization((await this.directory.findOrganization(dto.id))!);
  }

  async addPerson(organizationId: string, dto: CreatePersonDto): Promise<PersonView> {
    if (!(await this.directory.findOrganization(organizationId))) {
      throw new NotFoundException(`Организация «${organizationId}» не найдена`);
    }
    const { person, created } = await this.directory.addPerson({ organizationId, ...dto, email: dto.email.toLowerCase() });
    if (!created) throw new ConflictException(`Сотрудник с адресом ${dto.email} уже есть в этой организации`);
    return mapPerson(person);
  }
}
