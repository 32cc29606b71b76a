import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { RequiredReason, trimmed } from '../common/fields';
import { DATE_TIME, FREE_FORM_OBJECT } from '../common/views';


export class SearchPracticesQueryDto {
  @ApiPropertyOptional({
    description: 'Search words, as in a web search engine: "точные фразы", -исключить, or; Russian stemming applies',
    example: 'наставничество молодых учителей',
  })
  @IsOptional()
  @Transform(trimmed)
  @IsString({ message: 'ожидается текст запроса' })
  @MaxLength(500, { message: 'не длиннее 500 символов' })
  q?: string;

  @ApiPropertyOptional({ example: 'demo-2026' })
  @IsOptional()
  @IsString({ message: 'ожидается идентификатор цикла' })
  @MaxLength(100, { message: 'не длиннее 100 символов' })
  cycleId?: string;

  @ApiPropertyOptional({ example: 'demo-school-severny-1' })
  @IsOptional()
  @IsString({ message: 'ожидается идентификатор школы' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  schoolId?: string;

  @ApiPropertyOptional({ default: 20, minimum: 1, maximum: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число' })
  @Min(1, { message: 'не меньше 1' })
  @Max(100, { message: 'не больше 100' })
  limit: number = 20;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число' })
  @Min(0, { message: 'не меньше 0' })
  @Max(1_000_000, { message: 'не больше 1000000' })
  offset: number = 0;
}

export class WithdrawPracticeDto {
  @ApiProperty({ example: 'Практика не подтвердилась результатами мониторинга следующего года' })
  @RequiredReason()
  reason!: string;
}

export const PARTICIPANT_OUTCOMES = ['continues', 'leaves', 'internship_site'] as const;
export type ParticipantOutcome = (typeof PARTICIPANT_OUTCOMES)[number];

export class SetOutcomeDto {
  @ApiProperty({ enum: PARTICIPANT_OUTCOMES, description: 'continues in the programme, leaves the list, or becomes an internship site' })
  @IsIn(PARTICIPANT_OUTCOMES, {
    message: 'continues (продолжает участие), leaves (выходит из списка) или internship_site (становится стажировочной площадкой)',
  })
  outcome!: ParticipantOutcome;

  @ApiProperty({ example: 'Устойчивый рост доли выполнивших ВПР по математике; распоряжение от 20.06.2027 № 812' })
  @RequiredReason()
  reason!: string;
}

export class InternshipSitesQueryDto {
  @ApiPropertyOptional({ description: 'Only this region; every region when omitted', example: 'demo' })
  @IsOptional()
  @Matches(/^[a-z0-9-]{1,20}$/, { message: 'код региона: строчные латинские буквы, цифры и дефис, до 20 символов' })
  regionCode?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export const PRACTICE_STATUSES = ['published', 'withdrawn'] as const;
export type PracticeStatus = (typeof PRACTICE_STATUSES)[number];

export class PracticeSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty({ type: String, nullable: true }) municipalityId!: string | null;
  @ApiProperty({ type: String, nullable: true }) municipalityName!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'The title HTML-escaped, with the matches in <mark>' }) titleHtml!: string;
  @ApiProperty() summary!: string;
  @ApiProperty({ description: 'Fragments of the text HTML-escaped, with the matches in <mark>' }) snippetHtml!: string;
  @ApiProperty({ type: [String] }) keywords!: string[];
  @ApiProperty({ enum: PRACTICE_STATUSES }) status!: PracticeStatus;
  @ApiProperty() publishedBy!: string;
  @ApiProperty(DATE_TIME) publishedAt!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'How well it matches `q`; null without a query' }) rank!: number | null;
}

export class PracticeListView {
  @ApiProperty({ type: [PracticeSummaryView] }) items!: PracticeSummaryView[];
  @ApiProperty() total!: number;
  @ApiProperty() limit!: number;
  @ApiProperty() offset!: number;
  @ApiProperty({ type: String, nullable: true }) q!: string | null;
}

export class PracticeWithdrawalView {
  @ApiProperty() reason!: string;
  @ApiProperty({ description: 'E-mail of the ministry administrator' }) by!: string;
  @ApiProperty(DATE_TIME) at!: string;
}

export class PracticeView {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty({ type: String, nullable: true }) municipalityId!: string | null;
  @ApiProperty({ type: String, nullable: true }) municipalityName!: string | null;
  @ApiProperty({ description: 'The approved practice description it was published from' }) submissionId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() summary!: string;
  @ApiProperty() body!: string;
  @ApiProperty({ type: [String] }) keywords!: string[];
  @ApiProperty({ ...FREE_FORM_OBJECT, nullable: true, description: "The school's monitoring improvement, when recorded" }) improvement!: unknown;
  @ApiProperty({ enum: PRACTICE_STATUSES }) status!: PracticeStatus;
  @ApiProperty() publishedBy!: string;
  @ApiProperty(DATE_TIME) publishedAt!: string;
  @ApiProperty({ type: PracticeWithdrawalView, nullable: true, description: 'When, by whom and why it was withdrawn' })
  withdrawal!: PracticeWithdrawalView | null;
}

export class OutcomeView {
  @ApiProperty() cycleId!: string;
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty({ enum: PARTICIPANT_OUTCOMES }) outcome!: ParticipantOutcome;
  @ApiProperty({ example: 'становится стажировочной площадкой' }) outcomeTitle!: string;
  @ApiProperty() reason!: string;
  @ApiProperty() decidedBy!: string;
  @ApiProperty(DATE_TIME) decidedAt!: string;
  @ApiProperty({ type: String, nullable: true, enum: PARTICIPANT_OUTCOMES, description: 'The outcome this decision replaces' })
  previousOutcome!: string | null;
}

export class InternshipSiteView {
  @ApiProperty() schoolId!: string;
  @ApiProperty() schoolName!: string;
  @ApiProperty({ type: String, nullable: true }) schoolCode!: string | null;
  @ApiProperty() municipalityId!: string;
  @ApiProperty({ type: String, nullable: true }) municipalityName!: string | null;
  @ApiProperty() regionCode!: string;
  @ApiProperty({ description: 'The cycle whose outcome made it one' }) cycleId!: string;
  @ApiProperty() academicYear!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) decidedAt!: string | null;
}
