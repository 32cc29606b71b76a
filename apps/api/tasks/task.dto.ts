import { applyDecorators } from '@nestjs/common';
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
  IsUrl,
  Matches,
  MaxLength,
  Min,
  Max,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { LIMITS, TASK_ACTIONS, TASK_STATUSES, type TaskAction, type TaskStatus } from '../../../libs/contracts/deadline-task';
import { countOf, NOUNS } from '../../../libs/domain/russian';
import { notLongerThan, REQUIRED, RequiredReason, trimmed } from '../common/fields';

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/;

/**
 * The longest offset in seconds a rule may name (a year): JavaScript calls 1e308 an integer, and a reminder that far
 * from its deadline made no date at all in the workflow.
 */
const MAX_RULE_SECONDS = 366 * 86_400;
const RuleSeconds = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    IsInt({ message: 'целое число секунд' }),
    Max(MAX_RULE_SECONDS, { message: `не больше ${MAX_RULE_SECONDS} секунд (366 дней)` }),
  );
const LOCAL_DATE_TIME_MESSAGE = 'дата в формате ГГГГ-ММ-ДД или ГГГГ-ММ-ДДTЧЧ:ММ (местное время региона, без смещения)';

export class ReminderRuleDto {
  @ApiPropertyOptional({ description: 'Calendar days before the due date (the reminder moves back to a working day)' })
  @IsOptional()
  @IsInt({ message: 'целое число дней' })
  daysBefore?: number;

  @ApiPropertyOptional({ description: 'Seconds before the due moment (compressed calendars)', maximum: MAX_RULE_SECONDS })
  @RuleSeconds()
  secondsBefore?: number;

  @ApiPropertyOptional({ example: '09:00' })
  @IsOptional()
  @IsString({ message: 'время в формате ЧЧ:ММ' })
  atLocalTime?: string;
}

export class EscalationRuleDto {
  @ApiPropertyOptional({ description: 'Working days after the due date (0 = the due moment itself)' })
  @IsOptional()
  @IsInt({ message: 'целое число рабочих дней' })
  workingDaysAfter?: number;

  @ApiPropertyOptional({ description: 'Seconds after the due moment (compressed calendars)', maximum: MAX_RULE_SECONDS })
  @RuleSeconds()
  secondsAfter?: number;

  @ApiPropertyOptional({ example: '10:00' })
  @IsOptional()
  @IsString({ message: 'время в формате ЧЧ:ММ' })
  atLocalTime?: string;

  @ApiProperty({ enum: ['assignee_head', 'supervisor'] })
  @IsIn(['assignee_head', 'supervisor'], { message: 'assignee_head (руководитель исполнителя) или supervisor (курирующий орган)' })
  notify!: 'assignee_head' | 'supervisor';
}

export class NotificationPolicyDto {
  @ApiProperty({ type: [ReminderRuleDto] })
  @IsArray({ message: 'список напоминаний' })
  @ArrayMaxSize(LIMITS.rulesMax, { message: `не больше ${countOf(LIMITS.rulesMax, NOUNS.reminderGenitive)}` })
  @IsObject({ each: true, message: 'каждый элемент списка должен быть объектом' })
  @ValidateNested({ each: true })
  @Type(() => ReminderRuleDto)
  reminders!: ReminderRuleDto[];

  @ApiProperty({ type: [EscalationRuleDto] })
  @IsArray({ message: 'список эскалаций' })
  @ArrayMaxSize(LIMITS.rulesMax, { message: `не больше ${countOf(LIMITS.rulesMax, NOUNS.escalationGenitive)}` })
  @IsObject({ each: true, message: 'каждый элемент списка должен быть объектом' })
  @ValidateNested({ each: true })
  @Type(() => EscalationRuleDto)
  escalations!: EscalationRuleDto[];

  @ApiPropertyOptional({
    description:
      'Compressed calendars: the deadline is at least this many seconds after the task is issued (moved later, and the move recorded, when the requested one leaves less)',
  })
  @IsOptional()
  @IsInt({ message: 'целое число секунд' })
  minimumLeadSeconds?: number;
}

export class CreateTaskDto {
  @ApiPropertyOptional({
    description: 'Business key of the task; derived from the assignee, due date and title when omitted',
    example: 'plan-2026-demo-mun-severny',
  })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,99}$/, { message: 'латинские строчные буквы, цифры, точка, дефис, подчёркивание; 3–100 символов' })
  id?: string;

  @ApiProperty({ example: 'Представить муниципальный план поддержки школ' })
  @Transform(trimmed)
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(LIMITS.titleMax, { message: notLongerThan(LIMITS.titleMax) })
  title!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'текст' })
  @MaxLength(LIMITS.descriptionMax, { message: notLongerThan(LIMITS.descriptionMax) })
  description?: string;

  @ApiProperty({ example: 'demo-mun-severny' })
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  assigneeOrganizationId!: string;

  @ApiPropertyOptional({ description: "Defaults to the ministry of the assignee's region", example: 'demo-ministry' })
  @IsOptional()
  @IsString()
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  supervisorOrganizationId?: string;

  @ApiProperty({
    description: "Local to the region's time zone; a date alone means the end of that working day (18:00, 17:00 on a shortened pre-holiday day)",
    example: '2026-12-15T18:00',
  })
  @IsString({ message: REQUIRED })
  @Matches(LOCAL_DATE_TIME, { message: LOCAL_DATE_TIME_MESSAGE })
  dueAt!: string;

  @ApiPropertyOptional({ description: "IANA zone; defaults to the assignee organisation's zone", example: 'Asia/Yekaterinburg' })
  @IsOptional()
  @IsString({ message: 'часовой пояс IANA, например Europe/Moscow' })
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({ enum: ['working-days', 'calendar-days'], default: 'working-days' })
  @IsOptional()
  @IsIn(['working-days', 'calendar-days'], { message: 'working-days или calendar-days' })
  calendar?: 'working-days' | 'calendar-days';

  @ApiPropertyOptional({ type: NotificationPolicyDto, description: 'Defaults to reminders 7, 3, 1 days before at 09:00; escalation to the head on the due date and to the ministry 3 working days later' })
  @IsOptional()
  // ValidateNested alone lets an array through (each of its no elements is valid): `policy: []` answered 500.
  @IsObject({ message: 'ожидается объект' })
  @ValidateNested()
  @Type(() => NotificationPolicyDto)
  policy?: NotificationPolicyDto;
}

export class ListTasksQueryDto {
  @ApiPropertyOptional({ description: 'Tasks assigned to or supervised by this organisation' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  organizationId?: string;

  @ApiPropertyOptional({ description: 'Only the tasks of this yearly cycle, e.g. demo-2026' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cycleId?: string;

  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES as TaskStatus[], { message: `одно из значений: ${TASK_STATUSES.join(', ')}` })
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: TASK_ACTIONS, description: 'Only cycle tasks asking for this (e.g. review: documents to review)' })
  @IsOptional()
  @IsIn(TASK_ACTIONS as TaskAction[], { message: `одно из значений: ${TASK_ACTIONS.join(', ')}` })
  action?: TaskAction;

  @ApiPropertyOptional({ description: 'Due at or after this instant (ISO 8601 with offset, or a date)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, { message: 'дата ГГГГ-ММ-ДД или момент времени ISO 8601 со смещением' })
  dueFrom?: string;

  @ApiPropertyOptional({ description: 'Due at or before this instant (ISO 8601 with offset, or a date)' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/, { message: 'дата ГГГГ-ММ-ДД или момент времени ISO 8601 со смещением' })
  dueTo?: string;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc', description: 'By deadline: earliest first, or latest first' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'asc (сначала ранние сроки) или desc (сначала поздние)' })
  order?: 'asc' | 'desc';

  @ApiPropertyOptional({ type: 'integer', default: 50, minimum: 1, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число' })
  @Min(1, { message: 'не меньше 1' })
  @Max(200, { message: 'не больше 200' })
  limit = 50;

  @ApiPropertyOptional({ type: 'integer', default: 0, minimum: 0, maximum: 1_000_000_000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'целое число' })
  @Min(0, { message: 'не меньше 0' })
  // A PostgreSQL OFFSET is a bigint; JavaScript's "integers" go far beyond it.
  @Max(1_000_000_000, { message: 'не больше 1000000000' })
  offset = 0;
}

export class CompleteTaskDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString({ message: 'текст' })
  @MaxLength(LIMITS.commentMax, { message: notLongerThan(LIMITS.commentMax) })
  comment?: string;

  @ApiPropertyOptional({ description: 'Link to the submitted document' })
  @IsOptional()
  @IsUrl({ require_protocol: true, protocols: ['http', 'https'] }, { message: 'ссылка http(s)://…' })
  @MaxLength(LIMITS.urlMax)
  documentUrl?: string;
}

export class ExtendTaskDto {
  @ApiProperty({ example: '2026-12-22T18:00' })
  @IsString({ message: REQUIRED })
  @Matches(LOCAL_DATE_TIME, { message: LOCAL_DATE_TIME_MESSAGE })
  dueAt!: string;

  @ApiProperty({ example: 'Продление по письму управления образования от 10.12.2026 № 123' })
  @RequiredReason()
  reason!: string;
}

export class ReassignTaskDto {
  @ApiProperty({ example: 'demo-mun-yuzhny' })
  @IsString({ message: REQUIRED })
  @MinLength(1, { message: REQUIRED })
  @MaxLength(64)
  organizationId!: string;

  @ApiProperty()
  @RequiredReason()
  reason!: string;
}

export class CancelTaskDto {
  @ApiProperty()
  @RequiredReason()
  reason!: string;
}
