import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import {
  CYCLE_ACTION_KINDS,
  CYCLE_ACTION_STATUSES,
  type CycleActionKind,
  type CycleActionRequestEntity,
  type CycleActionStatus,
} from '../../../libs/persistence';
import { describeCycleAction, localDateTimeRu } from '../../../libs/domain/cycle-actions';
import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';
import { OptionalComment, RequiredReason } from '../common/fields';
import { DATE_TIME, iso, isoOrNull } from '../common/views';
import { CycleView } from '../cycles/cycle.dto';

/** Who may confirm or refuse: these roles of the ministry that the request belongs to, never the requester. */
export const CONFIRMING_ROLES: Role[] = ['ministry_admin', 'ministry_reviewer'];

// ---------------------------------------------------------------------------------------------------------------
// Stored payloads: the validated command exactly as confirming it runs it
// ---------------------------------------------------------------------------------------------------------------

export interface LaunchPayload {
  templateId: string;
  /** The version resolved at request time: the confirmer confirms the plan the requester saw. */
  templateVersion: number;
  templateTitle: string;
  academicYear: number;
  programmeYear: string;
  adoptRegionTimeZone?: boolean;
  compression?: { secondsPerDay: number };
}

export interface CancelPayload {
  reason: string;
}

export interface ExtendStagePayload {
  stageId: string;
  stageTitle: string;
  localDateTime: string;
  reason: string;
}

export type CycleActionPayload = LaunchPayload | CancelPayload | ExtendStagePayload;

/** What the confirmer of a launch is shown: the dry run of the plan, in figures. */
export interface LaunchSummary {
  tasks: number;
  organizations: number;
  stages: number;
  firstDueLocal: string | null;
  lastDueLocal: string | null;
  datesToSet: number;
  timeZone: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------------------------------

export class CycleActionListQueryDto {
  @ApiPropertyOptional({ enum: CYCLE_ACTION_STATUSES, description: 'Only requests in this state (pending: waiting for confirmation)' })
  @IsOptional()
  @IsIn(CYCLE_ACTION_STATUSES, { message: `одно из: ${CYCLE_ACTION_STATUSES.join(', ')}` })
  status?: CycleActionStatus;

  @ApiPropertyOptional({ description: 'Only the requests of this cycle' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,99}$/, { message: 'идентификатор цикла: строчные латинские буквы, цифры и дефис' })
  cycleId?: string;
}

export class RefuseCycleActionDto {
  @ApiProperty({ description: 'Why the request is refused' })
  @RequiredReason()
  reason!: string;
}

export class WithdrawCycleActionDto {
  @ApiPropertyOptional({ description: 'Why the request is withdrawn' })
  @OptionalComment()
  reason?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export class LaunchSummaryView {
  @ApiProperty({ description: 'Tasks the dry run schedules for the whole cycle' }) tasks!: number;
  @ApiProperty({ description: 'Organisations that get tasks' }) organizations!: number;
  @ApiProperty() stages!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Earliest local deadline' }) firstDueLocal!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Latest local deadline' }) lastDueLocal!: string | null;
  @ApiProperty({ description: 'Steps whose date the roadmap leaves to be set later' }) datesToSet!: number;
  @ApiProperty() timeZone!: string;
}

export class LaunchActionView {
  @ApiProperty() templateId!: string;
  @ApiProperty() templateVersion!: number;
  @ApiProperty() templateTitle!: string;
  @ApiProperty() academicYear!: number;
  @ApiProperty({ description: 'The year in words: «2026/2027 учебный год»' }) programmeYear!: string;
  @ApiProperty() adoptRegionTimeZone!: boolean;
  @ApiPropertyOptional({ description: 'Seconds one day lasts, for a compressed (test) calendar' }) compressionSecondsPerDay?: number;
  @ApiPropertyOptional({ type: LaunchSummaryView, description: 'The dry run of the plan at request time' }) summary?: LaunchSummaryView;
}

export class CycleActionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: CYCLE_ACTION_KINDS }) kind!: CycleActionKind;
  @ApiProperty({
    enum: CYCLE_ACTION_STATUSES,
    description: 'pending: waiting for a second person; executing: confirmed and running; a pending request past expiresAt shows as expired',
  })
  status!: CycleActionStatus;
  @ApiProperty({ description: 'What confirming does, in Russian' }) description!: string;
  @ApiProperty({ description: 'The cycle acted on; for a launch, the id the cycle will have' }) cycleId!: string;
  @ApiProperty() regionCode!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The basis the requester gave (none for a launch)' }) reason!: string | null;
  @ApiPropertyOptional({ type: LaunchActionView }) launch?: LaunchActionView;
  @ApiPropertyOptional() stageId?: string;
  @ApiPropertyOptional() stageTitle?: string;
  @ApiPropertyOptional({ description: 'The stage\'s new local deadline (an extension)' }) localDateTime?: string;
  @ApiProperty() requestedBy!: string;
  @ApiProperty() requestedByName!: string;
  @ApiProperty(DATE_TIME) requestedAt!: string;
  @ApiProperty({ ...DATE_TIME, description: 'After this the request can no longer be confirmed' }) expiresAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Who confirmed, refused or withdrew it' }) decidedBy!: string | null;
  @ApiProperty({ type: String, nullable: true }) decidedByName!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) decidedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The reason of a refusal or withdrawal' }) decisionReason!: string | null;
  @ApiProperty({ description: 'Times a confirmation started running the command' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Why the last confirmed run failed; the request stays confirmable' })
  lastError!: string | null;
  @ApiProperty({ ...DATE_TIME, nullable: true }) lastErrorAt!: string | null;
  @ApiProperty({ description: 'The user may confirm it now' }) canConfirm!: boolean;
  @ApiProperty({ description: 'The user may refuse it now' }) canRefuse!: boolean;
  @ApiProperty({ description: 'The user (its requester) may withdraw it now' }) canWithdraw!: boolean;
  @ApiPropertyOptional({ type: CycleView, description: 'The cycle after the command ran (the answer to a confirmation)' })
  cycle?: CycleView;
}

export class CycleActionListView {
  @ApiProperty({ type: [CycleActionView] }) items!: CycleActionView[];
}

export { describeCycleAction, localDateTimeRu };

/** A pending request past its expiry reads as expired even before a sweep has closed it. */
export function effectiveStatus(row: Pick<CycleActionRequestEntity, 'status' | 'expiresAt'>, now: Date): CycleActionStatus {
  return row.status === 'pending' && row.expiresAt.getTime() <= now.getTime() ? 'expired' : row.status;
}

export function mayConfirm(user: AuthUser, row: Pick<CycleActionRequestEntity, 'ministryId' | 'requestedByPersonId'>): boolean {
  return CONFIRMING_ROLES.includes(user.role) && user.organizationId === row.ministryId && user.personId !== row.requestedByPersonId;
}

export function mapCycleAction(row: CycleActionRequestEntity, user: AuthUser, now = new Date(), cycle?: CycleView): CycleActionView {
  const status = effectiveStatus(row, now);
  const pending = status === 'pending';
  const base: CycleActionView = {
    id: row.id,
    kind: row.kind,
    status,
    description: describeCycleAction(row),
    cycleId: row.cycleId,
    regionCode: row.regionCode,
    reason: row.reason,
    requestedBy: row.requestedBy,
    requestedByName: row.requestedByName,
    requestedAt: iso(row.requestedAt),
    expiresAt: iso(row.expiresAt),
    decidedBy: row.decidedBy,
    decidedByName: row.decidedByName,
    decidedAt: isoOrNull(row.decidedAt),
    decisionReason: row.decisionReason,
    attempts: row.attempts,
    lastError: row.lastError,
    lastErrorAt: isoOrNull(row.lastErrorAt),
    canConfirm: pending && mayConfirm(user, row),
    canRefuse: pending && mayConfirm(user, row),
    canWithdraw: pending && user.personId === row.requestedByPersonId,
    ...(cycle ? { cycle } : {}),
  };
  switch (row.kind) {
    case 'launch': {
      const p = row.payload as unknown as LaunchPayload;
      const summary = row.summary as unknown as LaunchSummary | null;
      base.launch = {
        templateId: p.templateId,
        templateVersion: p.templateVersion,
        templateTitle: p.templateTitle,
        academicYear: p.academicYear,
        programmeYear: p.programmeYear,
        adoptRegionTimeZone: Boolean(p.adoptRegionTimeZone),
        ...(p.compression ? { compressionSecondsPerDay: p.compression.secondsPerDay } : {}),
        ...(summary ? { summary } : {}),
      };
      break;
    }
    case 'cancel':
      break;
    case 'extend_stage': {
      const p = row.payload as unknown as ExtendStagePayload;
      Object.assign(base, { stageId: p.stageId, stageTitle: p.stageTitle, localDateTime: p.localDateTime });
      break;
    }
  }
  return base;
}
