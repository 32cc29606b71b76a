import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { CURATOR_KIND_TITLES, type CuratorKind } from '../../../libs/domain/curators';
import type { CuratorshipEntity, OrganizationEntity, PersonEntity } from '../../../libs/persistence';
import { RequiredReason, REQUIRED } from '../common/fields';

const CURATOR_KINDS = Object.keys(CURATOR_KIND_TITLES) as CuratorKind[];
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class NameCuratorDto {
  @ApiProperty({ description: 'The participant school of the cycle', example: 'demo-school-severny-1' })
  @IsString({ message: 'укажите школу-участницу (идентификатор организации)' })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  schoolId!: string;

  @ApiProperty({
    format: 'uuid',
    description: "The curator: a person of the region's institute or of another school of the region (ids in GET /api/organizations/:id)",
  })
  @IsUUID('all', { message: 'идентификатор сотрудника (UUID) из карточки организации GET /api/organizations/:id' })
  curatorPersonId!: string;

  @ApiProperty({ description: 'Why this person: the order or roadmap clause', example: 'Приказ министерства от 01.09.2026 № 512, приложение 3' })
  @RequiredReason()
  basis!: string;
}

export class RemoveCuratorDto {
  @ApiProperty({ example: 'Переход куратора на другую работу' })
  @RequiredReason()
  reason!: string;
}

export class ListCuratorsQueryDto {
  @ApiPropertyOptional({ description: 'Only the curators of this school' })
  @IsOptional()
  @IsString({ message: 'идентификатор школы' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  schoolId?: string;

  @ApiPropertyOptional({ default: false, description: 'With the curators removed earlier (kept for auditors)' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'true или false' })
  includeRemoved?: boolean;
}

export class CuratorPersonView {
  @ApiProperty() personId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() email!: string;
  @ApiProperty() position!: string;
  @ApiProperty({ description: 'Where the curator works: the institute or the partner school' }) organizationId!: string;
  @ApiProperty() organizationName!: string;
}

export class CuratorshipView {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiPropertyOptional({ description: "The school's municipality" }) municipalityId?: string;
  @ApiProperty({ type: CuratorPersonView }) curator!: CuratorPersonView;
  @ApiProperty({ enum: CURATOR_KINDS }) curatorKind!: CuratorKind;
  @ApiProperty({ example: 'институт развития образования' }) curatorKindTitle!: string;
  @ApiProperty() basis!: string;
  @ApiProperty({ description: 'E-mail of the ministry administrator who named the curator' }) namedBy!: string;
  @ApiProperty({ format: 'date-time' }) namedAt!: string;
  @ApiProperty({ description: 'False once removed' }) active!: boolean;
  @ApiPropertyOptional({ format: 'date-time' }) removedAt?: string;
  @ApiPropertyOptional() removedBy?: string;
  @ApiPropertyOptional() removalReason?: string;
}

/** The directory rows a curatorship's answer names. */
export interface CuratorshipNames {
  school: OrganizationEntity | undefined;
  curator: PersonEntity | undefined;
  curatorOrganization: OrganizationEntity | undefined;
}

export function mapCuratorship(row: CuratorshipEntity, names: CuratorshipNames): CuratorshipView {
  const { school, curator, curatorOrganization } = names;
  const curatorKind: CuratorKind = curatorOrganization?.kind === 'institute' ? 'institute' : 'partner_school';
  return {
    id: row.id,
    cycleId: row.cycleId,
    schoolId: row.schoolId,
    schoolName: school?.name ?? row.schoolId,
    municipalityId: school?.parentId ?? undefined,
    curator: {
      personId: row.curatorPersonId,
      fullName: curator?.fullName ?? '',
      email: curator?.email ?? '',
      position: curator?.position ?? '',
      organizationId: row.curatorOrganizationId,
      organizationName: curatorOrganization?.name ?? row.curatorOrganizationId,
    },
    curatorKind,
    curatorKindTitle: CURATOR_KIND_TITLES[curatorKind],
    basis: row.basis,
    namedBy: row.namedBy,
    namedAt: row.namedAt.toISOString(),
    active: row.removedAt === null,
    removedAt: row.removedAt?.toISOString(),
    removedBy: row.removedBy ?? undefined,
    removalReason: row.removalReason ?? undefined,
  };
}
