import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { RequiredReason, trimmed } from '../common/fields';


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
