import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
import { OptionalComment } from '../common/fields';


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
