import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsByteLength, IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateBy } from 'class-validator';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import { ORGANIZATION_KINDS, type OrganizationKind } from '../../../libs/persistence';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_CHARACTERS } from '../organizations/login-rules';
import { ROLES, type Role } from './roles';
import { REQUIRED, trimmed } from '../common/fields';

/** Different characters a chosen password has at least: «aaaaaaaaa1» is ten characters but no secret. */
export const PASSWORD_MIN_DISTINCT = 5;

/**
 * The rules for a password a person chooses for themselves, each with its own Russian message: the directory's length
 * limits (bcrypt reads 72 bytes: a Cyrillic letter takes two), letters and something else, enough different
 * characters, no spaces around it (they are lost when it is typed again).
 */
const ChosenPassword = (): PropertyDecorator =>
  applyDecorators(
    IsString({ message: REQUIRED }),
    MinLength(PASSWORD_MIN_CHARACTERS, { message: `не короче ${countOf(PASSWORD_MIN_CHARACTERS, NOUNS.characterGenitive)}` }),
    IsByteLength(0, PASSWORD_MAX_BYTES, {
      message: `не длиннее ${countOf(PASSWORD_MAX_BYTES, NOUNS.byteGenitive)} (латинская буква или цифра — 1 байт, русская буква — 2)`,
    }),
    Matches(/\p{L}/u, { message: 'должен содержать хотя бы одну букву' }),
    Matches(/[^\p{L}]/u, { message: 'должен содержать хотя бы одну цифру или другой знак, кроме букв' }),
    Matches(/^\S(?:[\s\S]*\S)?$/, { message: 'не должен начинаться или заканчиваться пробелом' }),
    ValidateBy({
      name: 'distinctCharacters',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && new Set(value).size >= PASSWORD_MIN_DISTINCT,
        defaultMessage: () => `должен содержать не меньше ${PASSWORD_MIN_DISTINCT} разных символов`,
      },
    }),
  );

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class LoginDto {
  @ApiProperty({ example: 'programme@demo-region.example' })
  @Transform(trimmed)
  @IsEmail({}, { message: 'адрес электронной почты' })
  @MaxLength(254)
  email!: string;

  @ApiProperty({ example: 'uplift-demo' })
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(200, { message: 'не длиннее 200 символов' })
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ description: 'The password the caller logs in with now' })
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(200, { message: 'не длиннее 200 символов' })
  currentPassword!: string;

  @ApiProperty({
    description:
      `At least ${PASSWORD_MIN_CHARACTERS} characters and at most ${PASSWORD_MAX_BYTES} bytes in UTF-8; letters and at least ` +
      `one digit or other sign; at least ${PASSWORD_MIN_DISTINCT} different characters; no spaces at either end; not the ` +
      'current password, nor containing the name of the e-mail address',
    minLength: PASSWORD_MIN_CHARACTERS,
  })
  @ChosenPassword()
  newPassword!: string;
}

export class ActingForView {
  @ApiProperty() personId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ description: 'Last day of the substitution, inclusive' }) until!: string;
}

export class AuthUserView {
  @ApiProperty() personId!: string;
  @ApiProperty() email!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ example: 'администратор министерства' }) roleTitle!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty() organizationName!: string;
  @ApiProperty({ enum: ORGANIZATION_KINDS }) organizationKind!: OrganizationKind;
  @ApiProperty() regionCode!: string;
  @ApiProperty({ type: [ActingForView], description: 'People whose deputy the user is today' })
  actingFor!: ActingForView[];
}

export class LoginView {
  @ApiProperty() accessToken!: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType!: 'Bearer';
  @ApiProperty({ description: 'Seconds until the token expires' }) expiresIn!: number;
  @ApiProperty({ type: AuthUserView }) user!: AuthUserView;
}

export class PasswordChangedView {
  @ApiProperty({ type: () => AuthUserView }) user!: AuthUserView;
  @ApiPropertyOptional({
    description:
      'A new bearer token for a caller that came with one (every earlier token of the person is ended); absent for ' +
      'the browser, whose session and CSRF cookies are renewed instead',
  })
  accessToken?: string;
  @ApiPropertyOptional({ enum: ['Bearer'] }) tokenType?: 'Bearer';
  @ApiProperty({ description: 'Seconds until the new session expires' }) expiresIn!: number;
}

export class CreateSubstitutionDto {
  @ApiProperty({ description: 'The deputy: a person who can log in', example: 'deputy@school1.severny.demo-region.example' })
  @Transform(trimmed)
  @IsEmail({}, { message: 'адрес электронной почты заместителя' })
  @MaxLength(254)
  deputyEmail!: string;

  @ApiPropertyOptional({
    description: 'Whose deputy (ministry_admin only); the caller themselves when omitted',
    example: 'minister@demo-region.example',
  })
  @IsOptional()
  @Transform(trimmed)
  @IsEmail({}, { message: 'адрес электронной почты сотрудника' })
  @MaxLength(254)
  personEmail?: string;

  @ApiProperty({ example: '2026-07-01', description: "First day, inclusive, in the person's organisation's zone" })
  @Matches(ISO_DATE, { message: 'дата в формате ГГГГ-ММ-ДД' })
  startsOn!: string;

  @ApiProperty({ example: '2026-07-28', description: 'Last day, inclusive; at most a year after startsOn' })
  @Matches(ISO_DATE, { message: 'дата в формате ГГГГ-ММ-ДД' })
  endsOn!: string;

  @ApiProperty({ example: 'Ежегодный оплачиваемый отпуск' })
  @Transform(trimmed)
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(500, { message: 'не длиннее 500 символов' })
  reason!: string;
}

export class SubstitutionPersonView {
  @ApiProperty() personId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() email!: string;
  @ApiProperty() organizationId!: string;
}

export class SubstitutionView {
  @ApiProperty() id!: string;
  @ApiProperty({ type: SubstitutionPersonView }) person!: SubstitutionPersonView;
  @ApiProperty({ type: SubstitutionPersonView }) deputy!: SubstitutionPersonView;
  @ApiProperty() startsOn!: string;
  @ApiProperty() endsOn!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
  @ApiPropertyOptional() revokedAt?: string;
  @ApiPropertyOptional() revokedBy?: string;
  @ApiProperty({ enum: ['scheduled', 'active', 'ended', 'revoked'] }) state!: 'scheduled' | 'active' | 'ended' | 'revoked';
}

export class SubstitutionListView {
  @ApiProperty({ type: [SubstitutionView], description: "The caller's own substitutions (they are away)" })
  mine!: SubstitutionView[];
  @ApiProperty({ type: [SubstitutionView], description: 'Substitutions where the caller is the deputy' })
  asDeputy!: SubstitutionView[];
}
