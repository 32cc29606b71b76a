import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { LIMITS } from '../../../libs/contracts/deadline-task';
import type { IdentificationCategory } from '../../../libs/domain/analytics';
import { IMPORT_FILE_KINDS, type ImportFileKind } from '../../../libs/import';
import type { ParticipantRow } from '../../../libs/persistence';
import { notLongerThan, OptionalComment, trimmed } from '../common/fields';
import { DATE_TIME, iso } from '../common/views';


export class ListChangeDto {
  @ApiProperty({ description: 'The school (organisation id)' })
  @IsString({ message: 'ожидается идентификатор школы' })
  @MinLength(1, { message: 'укажите школу' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  schoolId!: string;

  @ApiProperty({ description: 'Why the ministry adds or removes the school; kept in the list and the audit log' })
  @Transform(trimmed)
  @IsString({ message: 'ожидается текст' })
  @MinLength(1, { message: 'укажите причину решения' })
  @MaxLength(LIMITS.reasonMax, { message: notLongerThan(LIMITS.reasonMax) })
  reason!: string;
}

export class ApproveListDto {
  @ApiPropertyOptional({ type: [ListChangeDto], description: 'Schools added beyond the ranking, each with its reason' })
  @IsOptional()
  @IsArray({ message: 'ожидается список' })
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => ListChangeDto)
  add?: ListChangeDto[];

  @ApiPropertyOptional({ type: [ListChangeDto], description: 'Ranked schools left out, each with its reason' })
  @IsOptional()
  @IsArray({ message: 'ожидается список' })
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => ListChangeDto)
  remove?: ListChangeDto[];

  @ApiPropertyOptional({ description: 'The order approving the list, or any comment' })
  @OptionalComment()
  comment?: string;
}

export class RankingQueryDto {
  @ApiPropertyOptional({ description: 'Years to analyse, comma-separated (default: the three latest in the results file)', example: '2022,2023,2024' })
  @IsOptional()
  @IsString({ message: 'годы через запятую, например 2022,2023,2024' })
  years?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

const CATEGORIES: IdentificationCategory[] = ['low_results', 'social_risk', 'both'];

export class ImportSummaryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty({ enum: IMPORT_FILE_KINDS }) kind!: ImportFileKind;
  @ApiProperty() fileName!: string;
  @ApiProperty() sha256!: string;
  @ApiProperty() rowCount!: number;
  @ApiProperty() importedBy!: string;
  @ApiProperty(DATE_TIME) importedAt!: string;
}

export function mapImportSummary(row: ImportSummaryRow): ImportSummaryView {
  return {
    id: row.id,
    cycleId: row.cycleId,
    kind: row.kind,
    fileName: row.fileName,
    sha256: row.sha256,
    rowCount: row.rowCount,
    importedBy: row.importedBy,
    importedAt: iso(row.importedAt),
  };
}

/** An import as stored, without its rows. */
export interface ImportSummaryRow {
  id: string;
  cycleId: string;
  kind: ImportFileKind;
  fileName: string;
  sha256: string;
  rowCount: number;
  importedBy: string;
  importedAt: Date;
}

export class YearlyScoreView {
  @ApiProperty() year!: number;
  @ApiProperty({ type: Number, nullable: true, description: "Mean of the school's standardised performances (0 = the region's average)" })
  score!: number | null;
  @ApiProperty() low!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: '1 = the lowest score of the year' }) placeFromBottom!: number | null;
  @ApiProperty({ description: 'How many schools had a score that year' }) schoolsRanked!: number;
}

export class RankedSchoolView {
  @ApiProperty({ description: '1 = the school most in need of support' }) rank!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Null when the school has since left the directory' }) schoolId!: string | null;
  @ApiProperty() schoolCode!: string;
  @ApiProperty({ type: String, nullable: true }) schoolName!: string | null;
  @ApiProperty({ type: String, nullable: true }) municipalityId!: string | null;
  @ApiProperty({ type: String, nullable: true }) municipalityName!: string | null;
  @ApiProperty({ type: String, enum: CATEGORIES, nullable: true, description: 'Null: not proposed for the list' })
  category!: IdentificationCategory | null;
  @ApiProperty() stablyLow!: boolean;
  @ApiProperty() disadvantaged!: boolean;
  @ApiProperty({ type: Number, nullable: true }) averageScore!: number | null;
  @ApiProperty({ type: Number, nullable: true }) socialIndex!: number | null;
  @ApiProperty({ type: [Number] }) lowYears!: number[];
  @ApiProperty({ type: [YearlyScoreView] }) yearlyScores!: YearlyScoreView[];
  @ApiProperty({ type: [String], description: 'Why, in Russian' }) reasons!: string[];
}

export class RankingImportsView {
  @ApiProperty({ type: ImportSummaryView, nullable: true }) results!: ImportSummaryView | null;
  @ApiProperty({ type: ImportSummaryView, nullable: true }) social!: ImportSummaryView | null;
}

export class RankingView {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ type: [Number] }) years!: number[];
  @ApiProperty({ type: RankingImportsView, description: 'The imports the ranking is computed from' }) imports!: RankingImportsView;
  @ApiProperty({
    description: 'How many low years make a school stably low: 2, or every year with results when fewer years have them',
  })
  lowYearsRequired!: number;
  @ApiPropertyOptional({
    description: 'Russian: present when fewer years have results than «stably low» compares, saying what it then means',
  })
  note?: string;
  @ApiProperty({ type: [RankedSchoolView], description: 'Best rank first' }) items!: RankedSchoolView[];
}

export class ParticipantView {
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty({ type: String, nullable: true }) schoolCode!: string | null;
  @ApiProperty() municipalityId!: string;
  @ApiProperty({ type: String, enum: CATEGORIES, nullable: true }) category!: string | null;
  @ApiProperty({ type: Number, nullable: true }) rank!: number | null;
  @ApiProperty({ type: [String] }) reasons!: string[];
  @ApiProperty({ description: 'False: left out of the approved list' }) included!: boolean;
  @ApiProperty({ type: String, nullable: true, description: "The ministry's reason for adding or removing it" }) manualReason!: string | null;
  @ApiProperty() decidedBy!: string;
  @ApiProperty({ type: String, nullable: true, enum: ['continues', 'leaves', 'internship_site'] }) outcome!: string | null;
  @ApiProperty({ type: String, nullable: true }) outcomeReason!: string | null;
}

export function mapParticipant(row: ParticipantRow): ParticipantView {
  return {
    schoolId: row.schoolId,
    schoolName: row.schoolName,
    schoolCode: row.schoolCode,
    municipalityId: row.municipalityId,
    category: row.category,
    rank: row.rank,
    reasons: row.reasons,
    included: row.included,
    manualReason: row.manualReason,
    decidedBy: row.decidedBy,
    outcome: row.outcome,
    outcomeReason: row.outcomeReason,
  };
}

export class ApprovalView {
  @ApiProperty({ description: 'The approve_list task it completed' }) taskId!: string;
  @ApiPropertyOptional() comment?: string;
  @ApiProperty({ description: 'Schools on the approved list' }) included!: number;
  @ApiProperty({ type: [ParticipantView] }) participants!: ParticipantView[];
}
