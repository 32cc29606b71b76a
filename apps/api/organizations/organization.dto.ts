import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import {
  ORGANIZATION_KINDS,
  type DirectoryPerson,
  type FoundPerson,
  type OrganizationKind,
  type OrganizationEntity,
  type SubstitutionWithPeople,
} from '../../../libs/persistence';
import type { SubstitutionView } from '../auth/auth.dto';
import { isRole, ROLES, type Role } from '../auth/roles';
import { REQUIRED, trimmed } from '../common/fields';
import { PASSWORD_MAX_CHARACTERS, PASSWORD_MIN_CHARACTERS, ROLES_BY_ORGANIZATION_KIND } from './login-rules';

/**
 * A school's code as the region's registers and the ministry's files write it: text, so leading zeros stay. The
 * identification imports match their «Код ОО» column against it exactly.
 */
const SCHOOL_CODE = /^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё._/-]{0,31}$/;
const SCHOOL_CODE_MESSAGE = 'код школы: цифры и буквы без пробелов (можно . _ / -), до 32 символов, например 000101';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

const RoleField = (): PropertyDecorator =>
  applyDecorators(IsIn(ROLES as Role[], { message: `одно из значений: ${ROLES.join(', ')}` }));

/** An initial password the administrator sets; the byte limit (bcrypt's) is checked by the service. */
const InitialPassword = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: 'текст' }),
    MinLength(PASSWORD_MIN_CHARACTERS, { message: `не короче ${PASSWORD_MIN_CHARACTERS} символов` }),
    MaxLength(PASSWORD_MAX_CHARACTERS, { message: `не длиннее ${PASSWORD_MAX_CHARACTERS} символов` }),
  );

export class CreateOrganizationDto {
  @ApiProperty({ example: 'demo-mun-zapadny', description: 'Business key: lower-case Latin letters, digits and hyphens' })
  @Matches(/^[a-z0-9][a-z0-9-]{1,63}$/, { message: 'латинские строчные буквы, цифры и дефис; 2–64 символа' })
  id!: string;

  @ApiProperty({ enum: ORGANIZATION_KINDS })
  @IsIn(ORGANIZATION_KINDS as OrganizationKind[], { message: `одно из значений: ${ORGANIZATION_KINDS.join(', ')}` })
  kind!: OrganizationKind;

  @ApiProperty({ example: 'Управление образования Западного района' })
  @Transform(trimmed)
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(300, { message: 'не длиннее 300 символов' })
  name!: string;

  @ApiProperty({ example: 'demo' })
  @Matches(/^[a-z0-9-]{1,20}$/, { message: 'код региона: латинские строчные буквы, цифры, дефис; до 20 символов' })
  regionCode!: string;

  @ApiProperty({ example: 'Asia/Yekaterinburg' })
  @IsString({ message: 'часовой пояс IANA, например Europe/Moscow' })
  @MaxLength(64)
  timeZone!: string;

  @ApiPropertyOptional({ example: 'demo-ministry' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  parentId?: string;

  @ApiPropertyOptional({
    example: '000104',
    description:
      "Schools only: the code the ministry's identification files («Код ОО») use for the school, unique within the region. " +
      'A school without one cannot be matched by an import.',
  })
  @IsOptional()
  @Transform(trimmed)
  @Matches(SCHOOL_CODE, { message: SCHOOL_CODE_MESSAGE })
  code?: string;
}

export class CreatePersonDto {
  @ApiProperty({ example: 'Сидорова Наталья Викторовна' })
  @Transform(trimmed)
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(200, { message: 'не длиннее 200 символов' })
  fullName!: string;

  @ApiProperty({ example: 'coordinator@zapadny.demo-region.example' })
  @IsEmail({}, { message: 'адрес электронной почты' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ example: 'Муниципальный координатор' })
  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'не длиннее 200 символов' })
  position?: string;

  @ApiPropertyOptional({ description: 'The head receives the first escalation' })
  @IsOptional()
  @IsBoolean({ message: 'true или false' })
  isHead?: boolean;

  @ApiPropertyOptional({
    enum: ROLES,
    description: "Gives the person a log-in, with `password` (ministry_admin only); one of the organisation's `assignableRoles`",
  })
  @IsOptional()
  @RoleField()
  role?: Role;

  @ApiPropertyOptional({
    description: 'Initial password, 10–72 characters and at most 72 bytes (with `role`; ministry_admin only)',
    minLength: PASSWORD_MIN_CHARACTERS,
    maxLength: PASSWORD_MAX_CHARACTERS,
  })
  @IsOptional()
  @InitialPassword()
  password?: string;
}

/** What the ministry administrator changes of a person's log-in; at least one field. */
export class UpdatePersonDto {
  @ApiPropertyOptional({ enum: ROLES, description: "A new role for a person who has a log-in; one of the organisation's `assignableRoles`" })
  @IsOptional()
  @RoleField()
  role?: Role;

  @ApiPropertyOptional({
    description: 'false withdraws the log-in (the person is logged out everywhere at once); true gives it back as it was',
  })
  @IsOptional()
  @IsBoolean({ message: 'true или false' })
  loginEnabled?: boolean;
}

/** A new initial password, set by the ministry administrator; with `role`, a log-in for someone who had none. */
export class SetPasswordDto {
  @ApiProperty({
    description: 'Initial password, 10–72 characters and at most 72 bytes; the person is told it and changes nothing else',
    minLength: PASSWORD_MIN_CHARACTERS,
    maxLength: PASSWORD_MAX_CHARACTERS,
  })
  @InitialPassword()
  password!: string;

  @ApiPropertyOptional({ enum: ROLES, description: 'Required when the person has no role yet (they receive e-mails only)' })
  @IsOptional()
  @RoleField()
  role?: Role;
}

export class SearchPeopleQueryDto {
  @ApiPropertyOptional({ description: 'Part of the name, e-mail or position, any case', example: 'попова' })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: 'текст' })
  @MaxLength(100, { message: 'не длиннее 100 символов' })
  q?: string;

  @ApiPropertyOptional({ description: 'Only people of this organisation' })
  @IsOptional()
  @IsString({ message: 'текст' })
  @MaxLength(64)
  organizationId?: string;

  @ApiPropertyOptional({ description: 'Only people who can log in now (a deputy must)', default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'true или false' })
  withLogin?: boolean;

  @ApiPropertyOptional({ type: 'integer', default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число' })
  @Min(1, { message: 'не меньше 1' })
  @Max(100, { message: 'не больше 100' })
  limit = 20;
}

export class ListOrganizationsQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,20}$/, { message: 'код региона' })
  regionCode?: string;

  @ApiPropertyOptional({ enum: ORGANIZATION_KINDS })
  @IsOptional()
  @IsIn(ORGANIZATION_KINDS as OrganizationKind[], { message: `одно из значений: ${ORGANIZATION_KINDS.join(', ')}` })
  kind?: OrganizationKind;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  parentId?: string;

  @ApiPropertyOptional({ example: '000101', description: 'A school code, exactly as stored (leading zeros included)' })
  @IsOptional()
  @Matches(SCHOOL_CODE, { message: SCHOOL_CODE_MESSAGE })
  code?: string;
}

export class OrganizationView {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: ORGANIZATION_KINDS }) kind!: OrganizationKind;
  @ApiProperty() name!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty() timeZone!: string;
  @ApiPropertyOptional() parentId?: string;
  @ApiPropertyOptional({ example: '000101', description: "A school's code in the identification files; absent when not set" })
  code?: string;
}

export const LOGIN_STATES = ['active', 'withdrawn', 'none'] as const;
export type LoginState = (typeof LOGIN_STATES)[number];

export class PersonView {
  @ApiProperty() id!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() email!: string;
  @ApiProperty() position!: string;
  @ApiProperty() isHead!: boolean;
  @ApiPropertyOptional({ enum: ROLES, description: 'The role the person logs in with while `login` is active; absent: e-mails only' })
  role?: Role;

  @ApiProperty({
    enum: LOGIN_STATES,
    description: 'active: logs in with `role`; withdrawn: the administrator withdrew the log-in (role and password kept); none: e-mails only',
  })
  login!: LoginState;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the log-in was withdrawn (state withdrawn)' })
  loginWithdrawnAt?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the current password was set, where recorded' })
  passwordSetAt?: string;
}

/** A person found by `GET /api/people`, with their organisation. */
export class FoundPersonView extends PersonView {
  @ApiProperty() organizationName!: string;
  @ApiProperty({ enum: ORGANIZATION_KINDS }) organizationKind!: OrganizationKind;
}

export class OrganizationDetailView extends OrganizationView {
  @ApiProperty({ type: [PersonView] }) people!: PersonView[];

  @ApiProperty({
    enum: ROLES,
    isArray: true,
    description: "The roles a person of this organisation may be given (a role's reach follows its organisation's kind)",
  })
  assignableRoles!: Role[];
}

export function mapOrganization(org: OrganizationEntity): OrganizationView {
  return {
    id: org.id,
    kind: org.kind,
    name: org.name,
    regionCode: org.regionCode,
    timeZone: org.timeZone,
    parentId: org.parentId ?? undefined,
    code: org.code ?? undefined,
  };
}

export function mapPerson({ person, hasPassword }: DirectoryPerson): PersonView {
  const role = isRole(person.role) ? person.role : undefined;
  const login: LoginState = !role || !hasPassword ? 'none' : person.loginDisabledAt ? 'withdrawn' : 'active';
  return {
    id: person.id,
    organizationId: person.organizationId,
    fullName: person.fullName,
    email: person.email,
    position: person.position,
    isHead: person.isHead,
    ...(role ? { role } : {}),
    login,
    ...(login === 'withdrawn' && person.loginDisabledAt ? { loginWithdrawnAt: person.loginDisabledAt.toISOString() } : {}),
    ...(hasPassword && person.passwordSetAt ? { passwordSetAt: person.passwordSetAt.toISOString() } : {}),
  };
}

export function mapFoundPerson(found: FoundPerson): FoundPersonView {
  return { ...mapPerson(found), organizationName: found.organizationName, organizationKind: found.organizationKind };
}

export function mapOrganizationDetail(org: OrganizationEntity, people: DirectoryPerson[]): OrganizationDetailView {
  return { ...mapOrganization(org), people: people.map(mapPerson), assignableRoles: [...ROLES_BY_ORGANIZATION_KIND[org.kind]] };
}

/**
 * A substitution as `GET /api/substitutions` answers it, judged on `today` (YYYY-MM-DD) in the principal's
 * organisation's zone.
 */
export function mapSubstitution({ substitution: s, principal, deputy }: SubstitutionWithPeople, today: string): SubstitutionView {
  const state = s.revokedAt ? 'revoked' : today < s.startsOn ? 'scheduled' : today > s.endsOn ? 'ended' : 'active';
  const ref = (p: typeof principal) => ({ personId: p.id, fullName: p.fullName, email: p.email, organizationId: p.organizationId });
  return {
    id: s.id,
    person: ref(principal),
    deputy: ref(deputy),
    startsOn: s.startsOn,
    endsOn: s.endsOn,
    reason: s.reason,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    ...(s.revokedAt ? { revokedAt: s.revokedAt.toISOString(), revokedBy: s.revokedBy ?? undefined } : {}),
    state,
  };
}
