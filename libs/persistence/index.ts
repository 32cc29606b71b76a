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
  SubstitutionWithPeople,
} from './repositories/directory.repository';
export { TaskRepository, TASK_SUBJECT } from './repositories/task.repository';
export type { TaskFilter, TaskTimeline } from './repositories/task.repository';
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
export type { AgreementRow, CycleRow, ParticipantRow, RemarkRow, SubmissionRow } from './repositories/cycle.repository';
export { DocumentRepository } from './repositories/document.repository';
export type { DocumentMeta } from './repositories/document.repository';
export { TemplateRepository } from './repositories/template.repository';
export type { TemplateVersionRow } from './repositories/template.repository';
export { CuratorshipRepository, CURATORSHIP_SUBJECT } from './repositories/curatorship.repository';
export type { CuratorshipFilter, NewCuratorship } from './repositories/curatorship.repository';
export { SessionRepository } from './repositories/session.repository';
export { LoginFailureRepository } from './repositories/login-failure.repository';
export type { LoginFailurePolicy } from './repositories/login-failure.repository';
export { IdempotencyRepository } from './repositories/idempotency.repository';
export type { IdempotencyClaim, IdempotencyClaimRequest, IdempotencyScope } from './repositories/idempotency.repository';
