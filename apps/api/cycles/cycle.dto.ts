import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR } from '../../../libs/domain/calendar';
import { trimmed } from '../common/fields';

const ID = /^[a-z0-9][a-z0-9-]{0,99}$/;

const YEAR_DESCRIPTION =
  'The academic year by its first calendar year (2026 = 2026/2027); for a template written with programme.firstCalendarYear, the calendar year';
const ADOPT_ZONE_DESCRIPTION =
  "Run a template written for another time zone in the region's zone, reading its local times as the region's (18:00 stays 18:00). " +
  'Without it such a template is refused with 422 naming both zones';

export class CompressionDto {
  @ApiProperty({ description: 'Seconds one real day lasts (test environments only)', example: 0.5 })
  @IsNumber({}, { message: 'число секунд' })
  @Min(0.01, { message: 'не меньше 0.01 секунды' })
  @Max(3600, { message: 'не больше 3600 секунд' })
  secondsPerDay!: number;
}

export class LaunchCycleDto {
  @ApiProperty({ example: 'default' })
  @Matches(ID, { message: 'идентификатор шаблона: строчные латинские буквы, цифры и дефис' })
  templateId!: string;

  @ApiPropertyOptional({ description: 'Template version; the latest when omitted' })
  @IsOptional()
  @IsInt({ message: 'целое число' })
  @Min(1)
  templateVersion?: number;

  @ApiProperty({ description: YEAR_DESCRIPTION, example: 2026 })
  @IsInt({ message: 'год — целое число: учебный год по году его начала (2026 — это 2026/2027) или календарный год для шаблона по календарным годам' })
  @Min(CALENDAR_FIRST_YEAR, { message: `не раньше ${CALENDAR_FIRST_YEAR}` })
  @Max(CALENDAR_LAST_YEAR, { message: `не позже ${CALENDAR_LAST_YEAR}` })
  academicYear!: number;

  @ApiPropertyOptional({ description: ADOPT_ZONE_DESCRIPTION })
  @IsOptional()
  @IsBoolean({ message: 'true или false' })
  adoptRegionTimeZone?: boolean;

  @ApiPropertyOptional({ type: CompressionDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CompressionDto)
  compression?: CompressionDto;
}

export class CycleControlDto {
  @ApiProperty({ description: 'The basis of the decision (an order, a letter)' })
  @Transform(trimmed)
  @IsString({ message: 'ожидается текст' })
  @MinLength(1, { message: 'укажите основание решения' })
  @MaxLength(1000)
  reason!: string;
}

export class ExtendStageDto extends CycleControlDto {
  @ApiProperty({ description: 'New local deadline: YYYY-MM-DD (the end of that working day) or YYYY-MM-DDTHH:mm', example: '2026-12-25' })
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, { message: 'дата ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ (местное время региона)' })
  dueAt!: string;
}

export class SetStepDeadlineDto extends CycleControlDto {
  @ApiProperty({ description: 'The date set for a step the roadmap left «по специальному графику»: YYYY-MM-DD (the end of that working day) or YYYY-MM-DDTHH:mm, local', example: '2026-12-25' })
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, { message: 'дата ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ (местное время региона)' })
  dueAt!: string;
}

export class TemplateUploadDto {
  @ApiProperty({ enum: ['yaml', 'json'] })
  @IsIn(['yaml', 'json'], { message: 'yaml или json' })
  format!: 'yaml' | 'json';

  @ApiProperty({ description: 'The template document as text' })
  @IsString({ message: 'ожидается текст шаблона' })
  @MinLength(1, { message: 'пустой шаблон' })
  @MaxLength(1_000_000)
  source!: string;
}

export class DryRunSchoolDto {
  @ApiProperty()
  @IsString()
  @MaxLength(64)
  id!: string;

  @ApiProperty()
  @IsString()
  @MaxLength(64)
  municipalityId!: string;
}

export class DryRunDto {
  @ApiProperty({ description: YEAR_DESCRIPTION, example: 2026 })
  @IsInt({ message: 'год — целое число: учебный год по году его начала или календарный год' })
  @Min(CALENDAR_FIRST_YEAR, { message: `не раньше ${CALENDAR_FIRST_YEAR}` })
  @Max(CALENDAR_LAST_YEAR, { message: `не позже ${CALENDAR_LAST_YEAR}` })
  academicYear!: number;

  @ApiPropertyOptional({ description: ADOPT_ZONE_DESCRIPTION })
  @IsOptional()
  @IsBoolean({ message: 'true или false' })
  adoptRegionTimeZone?: boolean;

  @ApiPropertyOptional({ description: 'Schools to plan for; the whole region when omitted', type: [DryRunSchoolDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => DryRunSchoolDto)
  schools?: DryRunSchoolDto[];
}

export class TemplateVersionQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'версия — целое число' })
  @Min(1)
  version?: number;
}
