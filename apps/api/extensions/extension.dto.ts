import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { LIMITS } from '../../../libs/contracts/deadline-task';
import { notLongerThan, REQUIRED, RequiredReason, trimmed } from '../common/fields';
import { DATE_TIME } from '../common/views';


/** «Продление по запросу: » goes before the basis in the task's own reason, which the workflow caps at LIMITS.reasonMax. */
export const BASIS_MAX = LIMITS.reasonMax - 100;

export const EXTENSION_STATUSES = ['pending', 'granted', 'refused'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];
export const EXTENSION_DECISIONS = ['granted', 'refused'] as const;
export type ExtensionDecision = (typeof EXTENSION_DECISIONS)[number];

export class CreateExtensionRequestDto {
  @ApiProperty({
    description: "The proposed deadline, local to the task's zone: YYYY-MM-DD (the end of that working day) or YYYY-MM-DDTHH:mm",
    example: '2026-12-22',
  })
  @IsString({ message: REQUIRED })
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/, { message: 'дата ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ (местное время региона)' })
  dueAt!: string;

  @ApiProperty({ example: 'Приказ о составе рабочей группы подписан только 10.12; план не успевает пройти педсовет' })
  @RequiredReason()
  reason!: string;
}

export class ListExtensionRequestsQueryDto {
  @ApiPropertyOptional({ enum: EXTENSION_STATUSES, description: 'Every status when omitted' })
  @IsOptional()
  @IsIn(EXTENSION_STATUSES, { message: 'pending (ожидает решения), granted (продлено) или refused (отказано)' })
  status?: ExtensionStatus;
}

export class DecideExtensionRequestDto {
  @ApiProperty({ enum: EXTENSION_DECISIONS })
  @IsIn(EXTENSION_DECISIONS, { message: 'granted (продлить срок) или refused (отказать)' })
  decision!: ExtensionDecision;

  @ApiProperty({ description: 'The ground of the decision, as the official cites it', example: 'Письмо министерства от 12.12.2026 № 45-01/2026' })
  @Transform(trimmed)
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(BASIS_MAX, { message: notLongerThan(BASIS_MAX) })
  basis!: string;
}

export class ExtensionRequestView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() taskId!: string;
  @ApiProperty({ type: String, nullable: true }) taskTitle!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ['open', 'completed', 'cancelled'] }) taskStatus!: string | null;
  @ApiProperty({ type: String, nullable: true }) cycleId!: string | null;
  @ApiProperty({ description: 'The organisation that asks (the assignee)' }) organizationId!: string;
  @ApiProperty({ type: String, nullable: true }) organizationName!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Whose ministry decides' }) supervisorOrganizationId!: string | null;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ description: "As asked: 'YYYY-MM-DDTHH:mm', local to the task's zone" }) proposedLocalDateTime!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The proposed deadline after the non-working-day shift, UTC' }) proposedDueAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The task's deadline now, UTC (after a grant: the new one)" }) currentDueAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) timeZone!: string | null;
  @ApiProperty({ enum: EXTENSION_STATUSES }) status!: ExtensionStatus;
  @ApiProperty({ type: String, nullable: true }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) decisionBasis!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) decidedAt!: string | null;
  @ApiProperty(DATE_TIME) createdAt!: string;
  @ApiProperty({ description: 'Whether the person asking may grant or refuse it now (pending, and theirs to decide)' }) canDecide!: boolean;
}
