export * from './entities';
export { dataSourceOptions } from './data-source-options';
export { runMigrations } from './migrate';
export { DirectoryRepository } from './repositories/directory.repository';
export type {
  ActivePrincipal,
  DirectoryPerson,
  FoundPerson,
  NewOrganization,
  NewPerson,
  NewSubstitution,
  OrganizationFilter,
  RegionSchool,
  SubstitutionWithPeople,
} from './repositories/directory.repository';
export { TaskRepository, TASK_SUBJECT } from './repositories/task.repository';
export type { AuditExportTaskRow, AuditExportTaskScope, CycleTaskStateRow, TaskFilter, TaskTimeline } from './repositories/task.repository';
export { NotificationOutboxRepository } from './repositories/notification-outbox.repository';
export type { OutboxMessage } from './repositories/notification-outbox.repository';
export { AuditLogRepository } from './repositories/audit-log.repository';
export type {
  AuditAppendResult,
  AuditChainVerification,
  AuditEntryInput,
  AuditPage,
  AuditScope,
} from './repositories/audit-log.repository';
export { WorkflowHistoryRepository } from './repositories/workflow-history.repository';
export type { WorkflowHistoryRecord, WorkflowHistorySummary } from './repositories/workflow-history.repository';
export { seedDemoRegion } from './seed/demo-region';
export { CycleRepository } from './repositories/cycle.repository';
export type { CycleRow } from './repositories/cycle.repository';
export { CycleParticipantRepository } from './repositories/cycle-participant.repository';
export type { InternshipSiteRow, ParticipantRow } from './repositories/cycle-participant.repository';
export { AgreementRepository } from './repositories/agreement.repository';
export type { AgreementRow } from './repositories/agreement.repository';
export { SubmissionRepository } from './repositories/submission.repository';
export type { SubmissionRow } from './repositories/submission.repository';
export { RemarkRepository } from './repositories/remark.repository';
export type { RemarkRow } from './repositories/remark.repository';
export { DocumentRepository } from './repositories/document.repository';
export type { DocumentMeta } from './repositories/document.repository';
export { TemplateRepository } from './repositories/template.repository';
export type { TemplateVersionRow } from './repositories/template.repository';
export { CuratorshipRepository, CURATORSHIP_SUBJECT } from './repositories/curatorship.repository';
export type { CuratorshipFilter, NewCuratorship } from './repositories/curatorship.repository';
export { SessionRepository } from './repositories/session.repository';
export { LoginFailureRepository } from './repositories/login-failure.repository';
export type { LoginFailurePolicy } from './repositories/login-failure.repository';
export {
  IDEMPOTENCY_OWNER_LOCK_CLASS,
  IdempotencyOwnerSession,
  IdempotencyRepository,
  OWNER_RECONNECT_GRACE_SECONDS,
} from './repositories/idempotency.repository';
export type { IdempotencyClaim, IdempotencyClaimRequest, IdempotencyScope } from './repositories/idempotency.repository';
export { CycleActionRequestRepository, CYCLE_ACTION_SUBJECT, cycleActionMailKey } from './repositories/cycle-action-request.repository';
export type {
  CycleActionAudit,
  CycleActionFilter,
  CycleActionPerson,
  NewCycleActionRequest,
} from './repositories/cycle-action-request.repository';
export { PracticeRepository, PRACTICE_MARK_END, PRACTICE_MARK_START } from './repositories/practice.repository';
export type { PracticeHit, PracticeRow, PracticeSearch } from './repositories/practice.repository';
export { IdentificationImportRepository } from './repositories/identification-import.repository';
export type {
  IdentificationImportSummary,
  NewIdentificationImport,
  StoredIdentificationImport,
} from './repositories/identification-import.repository';
export { DatabaseProbeRepository } from './repositories/database-probe.repository';
export { ExtensionRequestRepository } from './repositories/extension-request.repository';
export type { ExtensionRequestFilter, ExtensionRequestRow, NewExtensionRequest } from './repositories/extension-request.repository';
export { TaskRecordRepository, taskRecordRepository } from './repositories/task-record.repository';
export { CycleJournalRepository } from './repositories/cycle-journal.repository';
