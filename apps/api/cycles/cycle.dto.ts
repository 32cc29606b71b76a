import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { CycleProgress, CycleStatus, StageStatus } from '../../../libs/contracts/cycle';
import type { CycleTemplate, ResolvedCyclePlan, ResolvedStep } from '../../../libs/contracts/cycle-template';
import type { TaskAction } from '../../../libs/contracts/deadline-task';
import { CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR } from '../../../libs/domain/calendar';
import { DATE_TO_BE_SET } from '../../../libs/domain/cycle-template';
import type { CycleRow, TemplateVersionRow } from '../../../libs/persistence';
import { trimmed } from '../common/fields';
import { DATE_TIME, FREE_FORM_OBJECT, iso, isoOrNull } from '../common/views';
import { instanceKey, type LaunchPhase, type LaunchWave } from './launch-wave';

const CYCLE_STATUSES: CycleStatus[] = ['running', 'paused', 'completed', 'cancelled'];
const TASK_ACTIONS: TaskAction[] = ['approve_list', 'perform', 'submit', 'review', 'propose_pairs', 'confirm_agreement', 'report', 'describe_practice'];

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

  @ApiPropertyOptional({ description: 'Template version; the latest when omitted', type: 'integer', minimum: 1, maximum: 2147483647 })
  // Not @IsOptional, which lets null through as well: a null version reached the template's lookup and failed there.
  @ValidateIf((_dto, value) => value !== undefined)
  @IsInt({ message: 'версия шаблона — целое число' })
  @Min(1, { message: 'версия шаблона — не меньше 1' })
  // The versions column is a PostgreSQL integer: a larger number (1e308 is an "integer" to JavaScript) failed there.
  @Max(2147483647, { message: 'такой версии шаблона нет: номер слишком большой' })
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
  // ValidateNested alone passes an array (each of its no elements is valid), which then reached the service.
  @IsObject({ message: 'ожидается объект' })
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
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 2147483647 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'версия — целое число' })
  @Min(1)
  // A PostgreSQL integer column: ?version=9007199254740992 used to answer 500 ("out of range for type integer").
  @Max(2147483647, { message: 'такой версии шаблона нет: номер слишком большой' })
  version?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export class StageProgressView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: ['waiting', 'open', 'closed', 'cancelled'] }) status!: StageStatus;
  @ApiPropertyOptional({ description: 'Local date-time the ministry extended the stage to, if it did' }) extendedTo?: string;
  @ApiProperty() stepsTotal!: number;
  @ApiProperty({ description: 'Step instances issued so far (their first task is out)' }) stepsStarted!: number;
  @ApiProperty() stepsDone!: number;
}

export class StepDateToSetView {
  @ApiProperty() stageId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'The roadmap\'s words: «по специальному графику»' }) wording!: string;
  @ApiProperty({ description: 'The latest date it may be set to' }) latestLocal!: string;
  @ApiPropertyOptional({ description: 'Absent until set: «срок будет установлен»' }) localDateTime?: string;
  @ApiPropertyOptional() basis?: string;
  @ApiPropertyOptional() setBy?: string;
}

export class CycleProgressView {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ enum: CYCLE_STATUSES }) status!: CycleStatus;
  @ApiProperty() templateId!: string;
  @ApiProperty() templateVersion!: number;
  @ApiProperty({ description: 'Participant schools' }) participants!: number;
  @ApiProperty({ type: [StageProgressView] }) stages!: StageProgressView[];
  @ApiPropertyOptional({ type: [StepDateToSetView], description: 'Steps whose date the roadmap left to be set later' })
  datesToSet?: StepDateToSetView[];
  @ApiPropertyOptional() pausedAt?: string;
  @ApiPropertyOptional() cancelledAt?: string;
  @ApiPropertyOptional() completedAt?: string;
  @ApiProperty({ description: 'Bumped on every change of the progress' }) version!: number;
}

export class LaunchStageView {
  @ApiProperty() stageId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'Step instances of the stage the wave issues at once (a step once per organisation and period)' })
  stepsExpected!: number;
  @ApiProperty({ description: 'Of those, the ones whose first task is out' }) stepsIssued!: number;
}

export class CycleLaunchView {
  @ApiProperty({
    enum: ['launch', 'participants'],
    description:
      "'launch': the identification steps and the ministry's and institute's stages that do not wait for the list; " +
      "'participants': after the list is approved, the municipalities' and schools' opening stages (and the regional ones the list unblocked)",
  })
  phase!: LaunchPhase;
  @ApiProperty({ ...DATE_TIME, description: 'When the wave began: the launch, or the approval of the list' }) startedAt!: string;
  @ApiProperty({ description: 'Step instances the wave issues at once, without waiting for anyone\'s work or a later date' })
  stepsExpected!: number;
  @ApiProperty({ description: 'Of those, the ones whose first task is out' }) stepsIssued!: number;
  @ApiProperty({ description: 'Organisations the wave issues tasks to' }) organizationsExpected!: number;
  @ApiProperty({ description: 'Of those, the ones that have received at least one of them' }) organizationsStarted!: number;
  @ApiProperty({ description: 'Every expected step instance is issued' }) complete!: boolean;
  @ApiProperty({ ...DATE_TIME, nullable: true, description: 'When the last task of the wave was issued' }) lastIssuedAt!: string | null;
  @ApiProperty({ type: [LaunchStageView] }) stages!: LaunchStageView[];
}

export class CycleStepView {
  @ApiProperty() key!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'The step kind of the template (submission, review, report, …)' }) kind!: string;
  @ApiProperty({ description: 'Who does it: ministry, institute, municipality, school, partner_school' }) actor!: string;
  @ApiPropertyOptional({ description: 'Absent while a date the roadmap left to be set later is not set yet' }) dueLocal?: string;
  @ApiPropertyOptional({ description: 'The roadmap\'s words for such a date («по специальному графику»)' }) deadlineSetLater?: string;
  @ApiPropertyOptional({ description: '«срок будет установлен» until the ministry sets the date' }) deadlineText?: string;
  @ApiPropertyOptional() legalBasis?: string;
}

export class CycleStageView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: [String] }) dependsOn!: string[];
  @ApiProperty({ type: [CycleStepView] }) steps!: CycleStepView[];
}

export class CycleView {
  @ApiProperty({ example: 'demo-2026' }) id!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty() academicYear!: number;
  @ApiProperty() title!: string;
  @ApiProperty() templateId!: string;
  @ApiProperty() templateVersion!: number;
  @ApiProperty() workflowId!: string;
  @ApiProperty({ enum: CYCLE_STATUSES }) status!: string;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ description: 'Run on a compressed calendar (test environments)' }) compressed!: boolean;
  @ApiProperty() launchedBy!: string;
  @ApiProperty(DATE_TIME) launchedAt!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) listApprovedAt!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) closedAt!: string | null;
  @ApiProperty({ type: CycleProgressView, nullable: true, description: 'Live from the workflow; the stored copy once closed' })
  progress!: CycleProgressView | null;
  @ApiProperty({ type: [CycleStageView] }) stages!: CycleStageView[];
  @ApiPropertyOptional({
    type: CycleLaunchView,
    description: 'GET /api/cycles/:id only, while the cycle runs: how far its latest wave of tasks (the launch, or the list approval) is issued',
  })
  launch?: CycleLaunchView;
}

/** Steps due «по специальному графику» show the date the ministry set, or that it will be set. */
function mapCycleStep(step: ResolvedStep, progress: CycleProgress | null): CycleStepView {
  const base = { key: step.key, title: step.title, kind: step.kind, actor: step.actor, legalBasis: step.legalBasis?.text };
  if (step.deadlineSetLater === undefined) return { ...base, dueLocal: step.dueLocal };
  const set = progress?.datesToSet?.find((d) => d.stepKey === step.key)?.localDateTime;
  return set ? { ...base, dueLocal: set, deadlineSetLater: step.deadlineSetLater } : { ...base, deadlineSetLater: step.deadlineSetLater, deadlineText: DATE_TO_BE_SET };
}

export function mapCycle(row: CycleRow, progress: CycleProgress | null): CycleView {
  return {
    id: row.id,
    regionCode: row.regionCode,
    academicYear: row.academicYear,
    title: row.plan.title,
    templateId: row.templateId,
    templateVersion: row.templateVersion,
    workflowId: row.workflowId,
    status: progress?.status ?? row.status,
    timeZone: row.plan.timeZone,
    compressed: Boolean(row.plan.compression),
    launchedBy: row.launchedBy,
    launchedAt: iso(row.launchedAt),
    listApprovedAt: isoOrNull(row.listApprovedAt),
    closedAt: isoOrNull(row.closedAt),
    progress,
    stages: row.plan.stages.map((s) => ({
      id: s.id,
      title: s.title,
      dependsOn: s.dependsOn,
      steps: s.steps.map((st) => mapCycleStep(st, progress)),
    })),
  };
}

/**
 * The wave's figures: an instance counts as issued for as many of its organisations as have a task of it (never more
 * than expected); stages in the plan's order.
 */
export function mapCycleLaunch(
  plan: ResolvedCyclePlan,
  wave: LaunchWave,
  issued: { byInstance: Map<string, number>; organizations: number; lastIssuedAt: Date | null },
): CycleLaunchView {
  const stages = new Map<string, LaunchStageView>();
  for (const stage of plan.stages) stages.set(stage.id, { stageId: stage.id, title: stage.title, stepsExpected: 0, stepsIssued: 0 });
  for (const instance of wave.instances) {
    const stage = stages.get(instance.stageId);
    if (!stage) continue;
    const expected = instance.organizationIds.length;
    stage.stepsExpected += expected;
    stage.stepsIssued += Math.min(expected, issued.byInstance.get(instanceKey(instance.stepKey, instance.periodId)) ?? 0);
  }
  const inWave = [...stages.values()].filter((s) => s.stepsExpected > 0);
  const stepsExpected = inWave.reduce((n, s) => n + s.stepsExpected, 0);
  const stepsIssued = inWave.reduce((n, s) => n + s.stepsIssued, 0);
  const organizationsExpected = new Set(wave.instances.flatMap((i) => i.organizationIds)).size;
  return {
    phase: wave.phase,
    startedAt: new Date(wave.startedAtMs).toISOString(),
    stepsExpected,
    stepsIssued,
    organizationsExpected,
    organizationsStarted: Math.min(organizationsExpected, issued.organizations),
    complete: stepsIssued >= stepsExpected,
    lastIssuedAt: isoOrNull(issued.lastIssuedAt),
    stages: inWave,
  };
}

export class TemplateStageSummaryView {
  @ApiProperty() id!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ description: 'How many steps the stage has' }) steps!: number;
}

export class TemplateSummaryView {
  @ApiProperty({ example: 'default' }) id!: string;
  @ApiProperty() version!: number;
  @ApiProperty() title!: string;
  @ApiPropertyOptional({ description: 'The order or roadmap the template follows' }) source?: string;
  @ApiProperty() timeZone!: string;
  @ApiPropertyOptional({ description: 'Set when the template\'s dates are written for an academic year' }) firstAcademicYear?: number;
  @ApiPropertyOptional({ description: 'Set when the template\'s dates are written for a calendar year' }) firstCalendarYear?: number;
  @ApiProperty() years!: number;
  @ApiProperty({ type: [TemplateStageSummaryView] }) stages!: TemplateStageSummaryView[];
  @ApiProperty({ description: 'A shipped roadmap' }) builtin!: boolean;
  @ApiProperty({ type: String, nullable: true, description: 'Null for a shipped roadmap' }) ownerRegionCode!: string | null;
  @ApiProperty() createdBy!: string;
  @ApiProperty(DATE_TIME) createdAt!: string;
}

export class TemplateDetailView extends TemplateSummaryView {
  @ApiProperty({ ...FREE_FORM_OBJECT, description: 'The template document, as GET /api/templates/schema describes it' })
  document!: CycleTemplate;
  @ApiProperty() sourceText!: string;
  @ApiProperty({ enum: ['yaml', 'json'] }) sourceFormat!: string;
  @ApiProperty({ type: [Number], description: 'Every version of the template' }) versions!: number[];
}

export class TemplateUploadView {
  @ApiProperty({ description: 'False when this very version was stored before (same text)' }) created!: boolean;
  @ApiProperty({ type: TemplateSummaryView }) template!: TemplateSummaryView;
}

export class TemplateProblemView {
  @ApiProperty({ description: 'JSON pointer into the document; empty for the whole document' }) path!: string;
  @ApiProperty() message!: string;
  @ApiPropertyOptional({ description: '1-based line, for syntax errors' }) line?: number;
  @ApiPropertyOptional() column?: number;
}

export class TemplateValidationView {
  @ApiProperty() valid!: boolean;
  @ApiProperty({ type: [TemplateProblemView] }) problems!: TemplateProblemView[];
}

export class TemplateJsonSchemaView {
  @ApiProperty({ example: 'https://json-schema.org/draft/2020-12/schema' }) $schema!: string;
  @ApiPropertyOptional() $id?: string;
  @ApiPropertyOptional() title?: string;
  @ApiPropertyOptional() description?: string;
  @ApiProperty({ example: 'object' }) type!: string;
  @ApiPropertyOptional({ type: [String] }) required?: string[];
  @ApiPropertyOptional({ ...FREE_FORM_OBJECT, description: 'The properties of a template document' }) properties?: Record<string, unknown>;
  @ApiPropertyOptional({ ...FREE_FORM_OBJECT, description: 'Definitions the properties refer to' }) $defs?: Record<string, unknown>;
  @ApiPropertyOptional({ description: 'False: a template has no members the schema does not name' }) additionalProperties?: boolean;
}

export function mapTemplateSummary(row: TemplateVersionRow): TemplateSummaryView {
  const t = row.document;
  return {
    id: row.id,
    version: row.version,
    title: row.title,
    source: t.source,
    timeZone: t.timeZone,
    ...(t.programme.firstCalendarYear !== undefined
      ? { firstCalendarYear: t.programme.firstCalendarYear }
      : { firstAcademicYear: t.programme.firstAcademicYear }),
    years: t.programme.years,
    stages: t.stages.map((s) => ({ id: s.id, title: s.title, steps: s.steps.length })),
    builtin: row.builtin,
    ownerRegionCode: row.ownerRegionCode,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
  };
}

export function mapTemplateDetail(row: TemplateVersionRow, versions: number[]): TemplateDetailView {
  return { ...mapTemplateSummary(row), document: row.document, sourceText: row.sourceText, sourceFormat: row.sourceFormat, versions };
}

export class DryRunEscalationView {
  @ApiProperty({ description: 'UTC instant' }) at!: string;
  @ApiProperty({ enum: ['assignee_head', 'supervisor'] }) notify!: string;
  @ApiProperty({ description: 'Whose heads receive it' }) organizationId!: string;
}

export class DryRunTaskView {
  @ApiProperty() stageId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty({ description: 'Whose heads the «supervisor» escalation reaches' }) supervisorOrganizationId!: string;
  @ApiPropertyOptional() periodId?: string;
  @ApiPropertyOptional({ description: "A confirmation's party: '1-school', '1-partner', '1-municipality'" }) party?: string;
  @ApiPropertyOptional() opensAt?: string;
  @ApiProperty({ description: "Local 'YYYY-MM-DDTHH:mm:ss' after the non-working-day shift" }) dueLocal!: string;
  @ApiProperty({ description: 'UTC instant' }) dueAt!: string;
  @ApiProperty() movedFromNonWorkingDay!: boolean;
  @ApiPropertyOptional({ description: "The roadmap's date, before a move for a task issued too late" }) plannedDueLocal?: string;
  @ApiPropertyOptional({ description: "Why the deadline differs from the roadmap's, in Russian" }) lateIssueNote?: string;
  @ApiProperty({ type: [String], description: 'UTC instants' }) reminders!: string[];
  @ApiProperty({ type: [DryRunEscalationView] }) escalations!: DryRunEscalationView[];
  @ApiPropertyOptional() legalBasis?: string;
  @ApiPropertyOptional({ enum: TASK_ACTIONS, description: 'What the task asks for' }) action?: TaskAction;
  @ApiPropertyOptional({ description: 'The organisation the work is about when it differs from the assignee' }) subjectOrganizationId?: string;
}

export class DryRunDateToSetView {
  @ApiProperty() stageId!: string;
  @ApiProperty() stepKey!: string;
  @ApiProperty() title!: string;
  @ApiProperty() organizationId!: string;
  @ApiProperty({ description: 'The roadmap\'s words: «по специальному графику»' }) wording!: string;
  @ApiProperty({ description: 'The latest date the ministry may set' }) latestLocal!: string;
  @ApiProperty({ example: 'срок будет установлен' }) text!: string;
}

export class DryRunView {
  @ApiProperty() templateId!: string;
  @ApiProperty() templateVersion!: number;
  @ApiProperty() academicYear!: number;
  @ApiProperty() timeZone!: string;
  @ApiProperty({ type: [DryRunTaskView] }) tasks!: DryRunTaskView[];
  @ApiProperty({ type: [DryRunDateToSetView] }) datesToSet!: DryRunDateToSetView[];
}
