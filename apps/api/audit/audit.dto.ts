import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import type { AuditExportKind, AuditLogVerification, SignedCheckpoint } from '../../../libs/audit';
import { DATE_TIME, FREE_FORM_OBJECT } from '../common/views';

export const EXPORT_SCOPES: readonly AuditExportKind[] = ['cycle', 'organization', 'task'];
export const EXPORT_FORMATS = ['json', 'csv'] as const;
export const CSV_DELIMITERS = ['comma', 'semicolon'] as const;

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class AuditExportQueryDto {
  @ApiProperty({ enum: EXPORT_SCOPES })
  @IsIn(EXPORT_SCOPES, { message: 'cycle (цикл), organization (организация) или task (задача)' })
  scope!: AuditExportKind;

  @ApiProperty({ description: 'The cycle, organisation or task id', example: 'demo-2026' })
  @IsString({ message: 'обязательное поле' })
  @MinLength(1, { message: 'обязательное поле' })
  @MaxLength(200, { message: 'не длиннее 200 символов' })
  id!: string;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS, { message: 'json или csv' })
  format: (typeof EXPORT_FORMATS)[number] = 'json';

  @ApiPropertyOptional({ description: "Every workflow's full history in the JSON (a task's export always has its own)", default: false })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'true или false' })
  includeHistories?: boolean;

  @ApiPropertyOptional({
    enum: CSV_DELIMITERS,
    default: 'comma',
    description: 'CSV separator: semicolon is what Excel with Russian regional settings splits on',
  })
  @IsOptional()
  @IsIn(CSV_DELIMITERS, { message: 'comma (запятая) или semicolon (точка с запятой)' })
  delimiter?: (typeof CSV_DELIMITERS)[number];
}

export class WorkflowHistoryQueryDto {
  @ApiPropertyOptional({ description: 'One run of the workflow (a UUID, as Temporal gives it); the latest when omitted', format: 'uuid' })
  @IsOptional()
  @IsString({ message: 'ожидается идентификатор запуска' })
  @MinLength(1, { message: 'ожидается идентификатор запуска' })
  @MaxLength(100, { message: 'не длиннее 100 символов' })
  // Temporal refuses any other run id as an invalid argument, which the history's lookup took for an outage (503).
  @IsUUID(undefined, { message: 'идентификатор запуска — UUID, как его показывает Temporal' })
  runId?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------------------------

export class AuditExportScopeView {
  @ApiProperty({ enum: EXPORT_SCOPES }) kind!: AuditExportKind;
  @ApiProperty() id!: string;
  @ApiProperty() includeHistories!: boolean;
}

export class AuditExportOrganizationView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() kind!: string;
}

export class AuditExportEntryView {
  @ApiProperty({ description: 'Position in the whole log (a bigint, as text)' }) chainSeq!: string;
  @ApiProperty({ type: String, nullable: true }) prevHash!: string | null;
  @ApiProperty() hash!: string;
  @ApiProperty({ description: 'ISO 8601, UTC' }) occurredAt!: string;
  @ApiProperty() actor!: string;
  @ApiProperty({ description: "The code the log stores ('submission_made')" }) type!: string;
  @ApiProperty({ description: 'What it means, in Russian' }) typeLabel!: string;
  @ApiProperty() subjectType!: string;
  @ApiProperty() subjectId!: string;
  @ApiProperty({ type: Number, nullable: true }) seq!: number | null;
  @ApiProperty({ type: String, nullable: true }) cycleId!: string | null;
  @ApiProperty({ type: [String] }) organizationIds!: string[];
  @ApiProperty({ ...FREE_FORM_OBJECT, description: 'What the entry records; its keys depend on the type' }) data!: Record<string, unknown>;
}

export class AuditExportTaskView {
  @ApiProperty() id!: string;
  @ApiProperty() workflowId!: string;
  @ApiProperty() title!: string;
  @ApiProperty() assigneeOrganizationId!: string;
  @ApiProperty() supervisorOrganizationId!: string;
  @ApiProperty({ type: String, nullable: true }) subjectOrganizationId!: string | null;
  @ApiProperty({ type: String, nullable: true }) cycleId!: string | null;
  @ApiProperty() dueAt!: string;
  @ApiProperty() status!: string;
  @ApiProperty({ type: String, nullable: true }) completedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) completedBy!: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Null while not completed' }) late!: boolean | null;
  @ApiProperty({ type: String, nullable: true }) legalBasis!: string | null;
}

export class NotificationRecipientView {
  @ApiProperty() personId!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty() email!: string;
}

export class AuditExportNotificationView {
  @ApiProperty() taskId!: string;
  @ApiProperty() kind!: string;
  @ApiProperty() step!: string;
  @ApiProperty() target!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() messageId!: string;
  @ApiProperty({ type: [NotificationRecipientView] }) recipients!: NotificationRecipientView[];
  @ApiProperty() status!: string;
  @ApiProperty({ type: String, nullable: true }) sentAt!: string | null;
}

/** One event of a workflow history in Proto3 JSON; its `…EventAttributes` member depends on the type. */
export class WorkflowHistoryEventView {
  @ApiProperty({ description: '1, 2, … (an int64, as text)', example: '1' }) eventId!: string;
  @ApiProperty({ description: 'UTC instant' }) eventTime!: string;
  @ApiProperty({ example: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' }) eventType!: string;
}

export class WorkflowHistoryJsonView {
  @ApiProperty({ type: [WorkflowHistoryEventView], description: 'As `temporal workflow show --output json` prints them' })
  events!: unknown[];
}

export class AuditExportWorkflowView {
  @ApiProperty() workflowId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty() type!: string;
  @ApiProperty() status!: string;
  @ApiProperty() startTime!: string;
  @ApiProperty({ type: String, nullable: true }) closeTime!: string | null;
  @ApiProperty() eventCount!: number;
  @ApiPropertyOptional({ type: WorkflowHistoryJsonView, description: "Only for a task's export or with includeHistories" })
  history?: WorkflowHistoryJsonView;
}

export class ChainBreakView {
  @ApiProperty() chainSeq!: string;
  @ApiProperty({ description: 'Russian' }) reason!: string;
}

export class AuditExportVerificationView {
  @ApiProperty() ok!: boolean;
  @ApiProperty() checked!: number;
  @ApiProperty({ type: [ChainBreakView] }) failures!: ChainBreakView[];
}

export class AuditExportView {
  @ApiProperty({ type: AuditExportScopeView }) scope!: AuditExportScopeView;
  @ApiProperty() generatedAt!: string;
  @ApiProperty({ type: [String], description: 'The organisations the export is about' }) scopeOrganizationIds!: string[];
  @ApiProperty({ type: [AuditExportOrganizationView], description: 'Every organisation named in the export' })
  organizations!: AuditExportOrganizationView[];
  @ApiProperty({ type: [AuditExportEntryView], description: 'In chronological order' }) entries!: AuditExportEntryView[];
  @ApiProperty({ type: [AuditExportTaskView] }) tasks!: AuditExportTaskView[];
  @ApiProperty({ type: [AuditExportNotificationView] }) notifications!: AuditExportNotificationView[];
  @ApiProperty({ type: [AuditExportWorkflowView] }) workflows!: AuditExportWorkflowView[];
  @ApiProperty({ type: AuditExportVerificationView, description: 'Whether this part of the chain was changed since it was written' })
  verification!: AuditExportVerificationView;
}

export class AuditCheckpointView {
  @ApiProperty({ description: 'Position of the chain head the checkpoint signed' }) chainSeq!: string;
  @ApiProperty({ description: 'That entry\'s hash' }) hash!: string;
  @ApiProperty({ description: 'Entries in the log up to it' }) count!: number;
  @ApiProperty({ ...DATE_TIME, description: 'When the head was read and signed' }) at!: string;
}

export class AuditCheckpointsView {
  @ApiProperty({ description: 'False when the API has no checkpoint directory (AUDIT_CHECKPOINT_DIR): deleting the newest entries goes unnoticed' })
  configured!: boolean;
  @ApiProperty({ description: 'Lines in the checkpoint file' }) total!: number;
  @ApiProperty({ description: 'Lines with a valid HMAC-SHA256 signature' }) valid!: number;
  @ApiProperty({ description: 'Every line is correctly signed (true for an empty file)' }) signaturesValid!: boolean;
  @ApiProperty({ type: AuditCheckpointView, nullable: true, description: 'The newest correctly signed checkpoint' })
  latest!: AuditCheckpointView | null;
  @ApiProperty({ type: [String], description: 'Russian: bad lines, and checkpoints the log no longer matches (truncation included)' })
  problems!: string[];
}

export class AuditChainVerificationView {
  @ApiProperty({ description: 'The chain is intact and matches every checkpoint, and every checkpoint is correctly signed' }) ok!: boolean;
  @ApiProperty({ description: 'Entries verified before the first break (all of them when ok)' }) checked!: number;
  @ApiPropertyOptional({ type: ChainBreakView, description: 'The earliest tampered position, found by the chain walk or by a checkpoint' })
  brokenAt?: ChainBreakView;
  @ApiProperty({ type: AuditCheckpointsView }) checkpoints!: AuditCheckpointsView;
}

function mapCheckpoint(c: SignedCheckpoint): AuditCheckpointView {
  return { chainSeq: c.chainSeq, hash: c.hash, count: c.count, at: c.at };
}

export function mapAuditChainVerification(v: AuditLogVerification): AuditChainVerificationView {
  const { checkpoints: c } = v;
  return {
    ok: v.ok,
    checked: v.checked,
    ...(v.brokenAt ? { brokenAt: { chainSeq: v.brokenAt.chainSeq, reason: v.brokenAt.reason } } : {}),
    checkpoints: {
      configured: c.configured,
      total: c.total,
      valid: c.valid,
      signaturesValid: c.signaturesValid,
      latest: c.latest ? mapCheckpoint(c.latest) : null,
      problems: [...c.problems],
    },
  };
}

export const WORKFLOW_KINDS = ['cycle', 'track', 'step', 'task'] as const;
export type WorkflowKind = (typeof WORKFLOW_KINDS)[number];

export class WorkflowHistoryView {
  @ApiProperty() workflowId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty() workflowType!: string;
  @ApiProperty({ example: 'COMPLETED' }) status!: string;
  @ApiProperty(DATE_TIME) startTime!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) closeTime!: string | null;
  @ApiProperty() eventCount!: number;
  @ApiProperty({ enum: ['archive', 'temporal'], description: 'archive: the copy kept in PostgreSQL; temporal: read live' })
  source!: 'archive' | 'temporal';
  @ApiProperty() running!: boolean;
  @ApiProperty({ ...DATE_TIME, nullable: true }) archivedAt!: string | null;
  @ApiProperty({ type: WorkflowHistoryJsonView }) history!: WorkflowHistoryJsonView;
}

export class CycleWorkflowView {
  @ApiProperty() workflowId!: string;
  @ApiProperty() runId!: string;
  @ApiProperty({ enum: WORKFLOW_KINDS }) kind!: WorkflowKind;
  @ApiProperty() workflowType!: string;
  @ApiProperty({ example: 'RUNNING' }) status!: string;
  @ApiProperty(DATE_TIME) startTime!: string;
  @ApiProperty({ ...DATE_TIME, nullable: true }) closeTime!: string | null;
  @ApiProperty({ description: 'Its history is kept in PostgreSQL' }) archived!: boolean;
}

export class CycleWorkflowsView {
  @ApiProperty() cycleId!: string;
  @ApiProperty({ description: 'False when Temporal did not answer: only archived runs are listed' }) live!: boolean;
  @ApiProperty() total!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' }, description: 'How many runs are in each status' })
  byStatus!: Record<string, number>;
  @ApiProperty({ type: [CycleWorkflowView] }) workflows!: CycleWorkflowView[];
}
