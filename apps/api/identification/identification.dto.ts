import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { LIMITS } from '../../../libs/contracts/deadline-task';
import { notLongerThan, OptionalComment, trimmed } from '../common/fields';


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
