import { BadRequestException, ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { isValidTimeZone } from '../../../libs/domain/deadline';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import { DirectoryRepository } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { AuthService } from '../auth/auth.service';
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

/** bcrypt reads at most 72 bytes; a longer password would be silently cut. */
const PASSWORD_MAX_BYTES = 72;

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
    const org = await this.directory.findOrganization(id);
    if (!org) throw new NotFoundException(`Организация «${id}» не найдена`);
    await this.policy.assertCanRead(user, id, `просмотр организации «${id}»`);
    const people = await this.directory.listMembers(id);
    return { ...mapOrganization(org), people: people.map(mapPerson) };
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
    if (dto.parentId && !(await this.directory.findOrganization(dto.parentId))) {
      throw new UnprocessableEntityException(`parentId: организация «${dto.parentId}» не найдена`);
    }
    if (dto.parentId) await this.policy.assertCanRead(user, dto.parentId, `добавление организации в «${dto.parentId}»`);
    if (dto.code !== undefined && dto.kind !== 'school') {
      throw new BadRequestException({
        message: 'Запрос содержит ошибки',
        details: ['code: код задаётся только школам (kind: school) — по нему файлы идентификации находят школу'],
      });
    }
    await this.assertCodeFree(dto);
    const created = await this.directory.insertOrganization({ ...dto, parentId: dto.parentId ?? null });
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
    if (!(await this.directory.findOrganization(organizationId))) {
      throw new NotFoundException(`Организация «${organizationId}» не найдена`);
    }
    const what = `добавление сотрудника в «${organizationId}»`;
    if (user.role === 'ministry_admin') {
      await this.policy.assertCanRead(user, organizationId, what);
    } else {
      this.policy.assertCanActFor(user, organizationId, what);
      if (dto.role || dto.password) this.policy.assertRole(user, ['ministry_admin'], 'выдача доступа к системе');
    }
    const { role, password, ...person } = dto;
    if (Boolean(role) !== Boolean(password)) {
      throw new BadRequestException({
        message: 'Запрос содержит ошибки',
        details: [role ? 'password: обязательное поле вместе с role' : 'role: обязательное поле вместе с password'],
      });
    }
    if (password && Buffer.byteLength(password, 'utf8') > PASSWORD_MAX_BYTES) {
      throw new BadRequestException({
        message: 'Запрос содержит ошибки',
        details: [`password: не длиннее ${countOf(PASSWORD_MAX_BYTES, NOUNS.byteGenitive)} (кириллическая буква занимает два)`],
      });
    }
    const email = dto.email.toLowerCase();
    if (password && (await this.directory.findLoginByEmail(email))) {
      throw new ConflictException(`Адрес ${dto.email} уже используется для входа другим сотрудником`);
    }
    const passwordHash = password ? await this.auth.hashPassword(password) : null;
    const { person: stored, created } = await this.directory.addPerson({
      organizationId,
      ...person,
      email,
      role: role ?? null,
      passwordHash,
    });
    if (!created) throw new ConflictException(`Сотрудник с адресом ${dto.email} уже есть в этой организации`);
    return mapPerson(stored);
  }
}
