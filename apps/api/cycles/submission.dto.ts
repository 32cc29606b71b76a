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
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { LIMITS, type ReviewDecision } from '../../../libs/contracts/deadline-task';
import type { FieldChange } from '../../../libs/domain/forms';
import type { RemarkRow, SubmissionRow } from '../../../libs/persistence';
import { OptionalComment, trimmed } from '../common/fields';
import { ANY_JSON_VALUE, DATE_TIME, FREE_FORM_OBJECT, iso, isoOrNull } from '../common/views';


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

  @ApiPropertyOptional({ ...FREE_FORM_OBJECT, description: 'Values of the step\'s form (see the template\'s `forms`)' })
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
  @ApiProperty({ description: 'Earlier version number', type: 'integer', minimum: 1, maximum: 2147483647 })
  @Type(() => Number)
  @IsInt({ message: 'номер версии — целое число' })
  @Min(1, { message: 'номер версии начинается с 1' })
  @Max(2147483647, { message: 'такой версии нет: номер слишком большой' })
  from!: number;

  @ApiProperty({ description: 'Later version number', type: 'integer', minimum: 1, maximum: 2147483647 })
  @Type(() => Number)
  @IsInt({ message: 'номер версии — целое число' })
  @Min(1, { message: 'номер версии начинается с 1' })
  @Max(2147483647, { message: 'такой версии нет: номер слишком большой' })
  to!: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export class RemarkView {
  @ApiProperty() id!: string;
  @ApiProperty({ description: 'The version the remark was made on' }) submissionId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty() subjectOrganizationId!: string;
  @ApiProperty() text!: string;
  @ApiProperty({ enum: ['open', 'answered', 'accepted'] }) status!: RemarkRow['status'];
  @ApiProperty() createdBy!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ type: String, nullable: true }) answer!: string | null;
  @ApiProperty({ type: String, nullable: true }) answeredBy!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) answeredAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The version that answers it' }) answeredInSubmissionId!: string | null;
  @ApiProperty({ type: String, nullable: true }) acceptedBy!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) acceptedAt!: string | null;
}

export function mapRemark(row: RemarkRow): RemarkView {
  return {
    id: row.id,
    submissionId: row.submissionId,
    stepKey: row.stepKey,
    subjectOrganizationId: row.subjectOrganizationId,
    text: row.text,
    status: row.status,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    answer: row.answer,
    answeredBy: row.answeredBy,
    answeredAt: isoOrNull(row.answeredAt),
    answeredInSubmissionId: row.answeredInSubmissionId,
    acceptedBy: row.acceptedBy,
    acceptedAt: isoOrNull(row.acceptedAt),
  };
}

export class SubmissionView {
  @ApiProperty() id!: string;
  @ApiProperty() cycleId!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty() stageId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty({ description: 'What the task asked for (submit, report, describe_practice, perform, propose_pairs, review…)' }) action!: string;
  @ApiProperty({ description: 'Who handed it in' }) organizationId!: string;
  @ApiProperty({ description: 'Whose work it is about' }) subjectOrganizationId!: string;
  @ApiProperty({ type: String, nullable: true }) periodId!: string | null;
  @ApiProperty() round!: number;
  @ApiProperty() version!: number;
  @ApiProperty({ type: String, nullable: true }) documentId!: string | null;
  @ApiProperty({ ...FREE_FORM_OBJECT, nullable: true, description: "Values of the step's form" }) form!: Record<string, unknown> | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() submittedBy!: string;
  @ApiProperty(DATE_TIME) submittedAt!: string;
}

export function mapSubmission(row: SubmissionRow): SubmissionView {
  return {
    id: row.id,
    cycleId: row.cycleId,
    taskId: row.taskId,
    stageId: row.stageId,
    stepKey: row.stepKey,
    action: row.action,
    organizationId: row.organizationId,
    subjectOrganizationId: row.subjectOrganizationId,
    periodId: row.periodId,
    round: row.round,
    version: row.version,
    documentId: row.documentId,
    form: row.form,
    comment: row.comment,
    submittedBy: row.submittedBy,
    submittedAt: iso(row.submittedAt),
  };
}

export class SubmitResultView {
  @ApiProperty({ description: 'The stored version' }) submissionId!: string;
  @ApiPropertyOptional() comment?: string;
  @ApiProperty({ description: 'Its number: 1, then 2 after a return for revision, …' }) version!: number;
}

export class ReviewResultView {
  @ApiProperty({ enum: REVIEW_DECISIONS }) decision!: ReviewDecision;
  @ApiProperty({ description: 'The version reviewed' }) submissionId!: string;
  @ApiPropertyOptional() comment?: string;
  @ApiProperty({ type: [RemarkView], description: 'The remarks made now' }) remarks!: RemarkView[];
}

export class VersionsView {
  @ApiProperty() cycleId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty() subjectOrganizationId!: string;
  @ApiProperty({ type: [SubmissionView], description: 'Oldest first' }) versions!: SubmissionView[];
  @ApiProperty({ type: [RemarkView] }) remarks!: RemarkView[];
}

export class FieldChangeView {
  @ApiProperty({ description: 'The field, dotted for nested ones' }) path!: string;
  @ApiProperty() title!: string;
  @ApiProperty(ANY_JSON_VALUE) before!: unknown;
  @ApiProperty(ANY_JSON_VALUE) after!: unknown;
  @ApiProperty({ enum: ['added', 'removed', 'changed', 'same'] }) change!: FieldChange['change'];
}

export class ComparisonView {
  @ApiProperty({ type: SubmissionView }) from!: SubmissionView;
  @ApiProperty({ type: SubmissionView }) to!: SubmissionView;
  @ApiProperty({ type: [FieldChangeView] }) fields!: FieldChangeView[];
  @ApiProperty() documentChanged!: boolean;
  @ApiProperty({ type: [RemarkView], description: 'The remarks the later version answers' }) remarksAnswered!: RemarkView[];
}
