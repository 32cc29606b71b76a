import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { LIMITS, type ReviewDecision } from '../../../libs/contracts/deadline-task';
import { OptionalComment, trimmed } from '../common/fields';


export class RemarkAnswerDto {
  @ApiProperty()
  @IsUUID('all', { message: 'идентификатор замечания (UUID)' })
  remarkId!: string;

  @ApiProperty({ description: 'How the new version answers the remark' })
  @Transform(trimmed)
  @IsString({ message: 'ожидается текст' })
  @MinLength(1, { message: 'обязательное поле' })
  @MaxLength(LIMITS.commentMax)
  answer!: string;
}

/** Hands in what the task asks for: a document, a form, or both, and answers to the reviewer's remarks. */
export class SubmitDto {
  @ApiPropertyOptional({ description: 'A document uploaded through POST /api/documents' })
  @IsOptional()
  @IsUUID('all', { message: 'идентификатор документа (UUID) из POST /api/documents' })
  documentId?: string;

  @ApiPropertyOptional({ description: 'Values of the step\'s form (see the template\'s `forms`)', type: Object })
  @IsOptional()
  @IsObject({ message: 'ожидается объект с полями формы' })
  form?: Record<string, unknown>;

  @ApiPropertyOptional()
  @OptionalComment()
  comment?: string;

  @ApiPropertyOptional({ type: [RemarkAnswerDto] })
  @IsOptional()
  @IsArray({ message: 'ожидается список' })
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => RemarkAnswerDto)
  remarkAnswers?: RemarkAnswerDto[];
}

export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['approved', 'returned', 'rejected'];

export class ReviewDto {
  @ApiProperty({ enum: REVIEW_DECISIONS })
  @IsIn(REVIEW_DECISIONS, { message: 'approved (утвердить), returned (вернуть на доработку) или rejected (отклонить)' })
  decision!: ReviewDecision;

  @ApiPropertyOptional({ description: 'New remarks, one per item (required to return for revision)', type: [String] })
  @IsOptional()
  @IsArray({ message: 'ожидается список замечаний' })
  @ArrayMaxSize(100)
  @IsString({ each: true, message: 'каждое замечание — текст' })
  @MinLength(1, { each: true, message: 'замечание не может быть пустым' })
  @MaxLength(LIMITS.commentMax, { each: true })
  remarks?: string[];

  @ApiPropertyOptional({ description: 'Answered remarks the reviewer does not accept: they open again', type: [String] })
  @IsOptional()
  @IsArray({ message: 'ожидается список' })
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true, message: 'идентификатор замечания (UUID)' })
  reopenRemarkIds?: string[];

  @ApiPropertyOptional()
  @OptionalComment()
  comment?: string;
}

export class CompareQueryDto {
  @ApiProperty({ description: 'Earlier version number' })
  @Type(() => Number)
  @IsInt({ message: 'номер версии — целое число' })
  @Min(1, { message: 'номер версии начинается с 1' })
  from!: number;

  @ApiProperty({ description: 'Later version number' })
  @Type(() => Number)
  @IsInt({ message: 'номер версии — целое число' })
  @Min(1, { message: 'номер версии начинается с 1' })
  to!: number;
}
