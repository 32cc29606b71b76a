import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ORGANIZATION_KINDS, type OrganizationKind, type OrganizationEntity, type PersonEntity } from '../../../libs/persistence';
import { isRole, ROLES, type Role } from '../auth/roles';
import { REQUIRED, trimmed } from '../common/fields';

/**
 * A school's code as the region's registers and the ministry's files write it: text, so leading zeros stay. The
 * identification imports match their «Код ОО» column against it exactly.
 */
const SCHOOL_CODE = /^[0-9A-Za-zА-Яа-яЁё][0-9A-Za-zА-Яа-яЁё._/-]{0,31}$/;
const SCHOOL_CODE_MESSAGE = 'код школы: цифры и буквы без пробелов (можно . _ / -), до 32 символов, например 000101';

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

  @ApiPropertyOptional({ enum: ROLES, description: 'Gives the person a log-in, with `password` (ministry_admin only)' })
  @IsOptional()
  @IsIn(ROLES as Role[], { message: `одно из значений: ${ROLES.join(', ')}` })
  role?: Role;

  @ApiPropertyOptional({ description: 'Initial password, 10–72 characters (with `role`; ministry_admin only)' })
  @IsOptional()
  @IsString({ message: 'текст' })
  @MinLength(10, { message: 'не короче 10 символов' })
  @MaxLength(72, { message: 'не длиннее 72 символов' })
  password?: string;
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

export class PersonView {
  @ApiProperty() id!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() email!: string;
  @ApiProperty() position!: string;
  @ApiProperty() isHead!: boolean;
  @ApiPropertyOptional({ enum: ROLES, description: 'Absent: the person receives e-mails but cannot log in' })
  role?: Role;
}

export class OrganizationDetailView extends OrganizationView {
  @ApiProperty({ type: [PersonView] }) people!: PersonView[];
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

export function mapPerson(person: PersonEntity): PersonView {
  return {
    id: person.id,
    organizationId: person.organizationId,
    fullName: person.fullName,
    email: person.email,
    position: person.position,
    isHead: person.isHead,
    ...(isRole(person.role) ? { role: person.role } : {}),
  };
}
