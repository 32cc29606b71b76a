import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { AgreementRow } from '../../../libs/persistence';
import { OptionalComment } from '../common/fields';
import { DATE_TIME, iso, isoOrNull } from '../common/views';


export class PairDto {
  @ApiProperty({ description: 'The participant school' })
  @IsString({ message: 'ожидается идентификатор школы' })
  @MinLength(1, { message: 'укажите школу' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  schoolId!: string;

  @ApiProperty({ description: 'Its partner school' })
  @IsString({ message: 'ожидается идентификатор школы-партнёра' })
  @MinLength(1, { message: 'укажите школу-партнёра' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  partnerSchoolId!: string;
}

export class ProposePairsDto {
  @ApiProperty({ type: [PairDto], description: 'Exactly one pair for every participant school of the municipality' })
  @IsArray({ message: 'ожидается список пар' })
  @ArrayMinSize(1, { message: 'укажите хотя бы одну пару' })
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => PairDto)
  pairs!: PairDto[];

  @ApiPropertyOptional()
  @OptionalComment()
  comment?: string;
}

export class ConfirmAgreementDto {
  @ApiPropertyOptional({ description: 'The signed agreement, uploaded first through POST /api/documents (required of the municipality)' })
  @IsOptional()
  @IsUUID('all', { message: 'идентификатор документа (UUID) из POST /api/documents' })
  documentId?: string;

  @ApiPropertyOptional()
  @OptionalComment()
  comment?: string;
}

export class SuggestionsQueryDto {
  @ApiProperty({ description: 'The participant school to find partners for' })
  @IsString({ message: 'укажите школу (schoolId)' })
  @MinLength(1, { message: 'укажите школу (schoolId)' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  schoolId!: string;

  @ApiPropertyOptional({ description: 'At most this many suggestions (default 5)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число' })
  @Min(1, { message: 'не меньше 1' })
  @Max(50, { message: 'не больше 50' })
  limit?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export const AGREEMENT_PARTIES = ['school', 'partner', 'municipality'] as const;
export type AgreementParty = (typeof AGREEMENT_PARTIES)[number];

export class PartnerSuggestionView {
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty() schoolCode!: string;
  @ApiProperty() municipalityId!: string;
  @ApiProperty({ type: String, nullable: true }) municipalityName!: string | null;
  @ApiProperty({ description: 'Its results score (higher is stronger)' }) score!: number;
  @ApiProperty({ description: 'Participant schools it is already partner to in the cycle' }) currentLoad!: number;
  @ApiProperty() sameMunicipality!: boolean;
  @ApiProperty({ description: 'Why it is suggested, in Russian' }) reason!: string;
}

export class SuggestionsView {
  @ApiProperty() cycleId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty({ description: 'At most this many participant schools per partner' }) maxLoad!: number;
  @ApiProperty({ type: [PartnerSuggestionView], description: 'Best suggestion first' }) items!: PartnerSuggestionView[];
}

export class AgreementConfirmationView {
  @ApiProperty({ description: 'E-mail of the person who confirmed' }) by!: string;
  @ApiProperty({ description: 'UTC instant' }) at!: string;
}

@ApiExtraModels(AgreementConfirmationView)
export class AgreementView {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty({ description: 'The municipality that proposed the pair' }) municipalityId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty() partnerSchoolId!: string;
  @ApiProperty() partnerSchoolName!: string;
  @ApiProperty({ type: String, nullable: true, description: "The partner school's own municipality, which supervises its steps" })
  partnerMunicipalityId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The proposing municipality\'s name' }) municipalityName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The partner school\'s municipality\'s name' })
  partnerMunicipalityName!: string | null;
  @ApiProperty({ enum: ['proposed', 'signed', 'cancelled'] }) status!: AgreementRow['status'];
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(AgreementConfirmationView) },
    description: 'By party (school, partner, municipality): who confirmed and when',
  })
  confirmations!: Partial<Record<AgreementParty, AgreementConfirmationView>>;
  @ApiProperty({ type: String, nullable: true, description: 'The signed agreement the municipality attached' }) documentId!: string | null;
  @ApiProperty() proposedBy!: string;
  @ApiProperty(DATE_TIME) proposedAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) signedAt!: string | null;
}

export function mapAgreement(row: AgreementRow): AgreementView {
  return {
    id: row.id,
    cycleId: row.cycleId,
    stepKey: row.stepKey,
    municipalityId: row.municipalityId,
    schoolId: row.schoolId,
    schoolName: row.schoolName,
    partnerSchoolId: row.partnerSchoolId,
    partnerSchoolName: row.partnerSchoolName,
    partnerMunicipalityId: row.partnerMunicipalityId,
    municipalityName: row.municipalityName,
    partnerMunicipalityName: row.partnerMunicipalityName,
    status: row.status,
    confirmations: Object.fromEntries(Object.entries(row.confirmations ?? {}).map(([party, c]) => [party, { by: c.by, at: c.at }])),
    documentId: row.documentId,
    proposedBy: row.proposedBy,
    proposedAt: iso(row.proposedAt),
    signedAt: isoOrNull(row.signedAt),
  };
}

export class PairsView {
  @ApiProperty() taskId!: string;
  @ApiProperty({ description: 'The stored proposal' }) submissionId!: string;
  @ApiProperty({ type: [AgreementView], description: "The municipality's agreements of the step, the new ones included" }) agreements!: AgreementView[];
}

export class ConfirmationView {
  @ApiProperty() taskId!: string;
  @ApiProperty({ enum: AGREEMENT_PARTIES }) party!: AgreementParty;
  @ApiProperty({ description: 'Who confirmed, as the official reads it: «школа-партнёр»' }) partyTitle!: string;
  @ApiProperty({ type: AgreementView }) agreement!: AgreementView;
}
