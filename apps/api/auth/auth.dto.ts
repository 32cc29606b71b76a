import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ORGANIZATION_KINDS, type OrganizationKind } from '../../../libs/persistence';
import { ROLES, type Role } from './roles';
import { REQUIRED, trimmed } from '../common/fields';

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
