import { AuditEventEntity } from './audit-event.entity';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { CuratorshipEntity } from './curatorship.entity';
import { LoginFailureEntity } from './login-failure.entity';
import { NotificationEntity } from './notification.entity';
import { OrganizationEntity } from './organization.entity';
import { PersonEntity } from './person.entity';
import { SessionEntity } from './session.entity';
import { SubstitutionEntity } from './substitution.entity';
import { TaskEntity } from './task.entity';
import { WorkflowHistoryEntity } from './workflow-history.entity';

export { AuditEventEntity, NotificationEntity, OrganizationEntity, PersonEntity, SubstitutionEntity, TaskEntity };
export { WorkflowHistoryEntity };
export { CuratorshipEntity };
export { SessionEntity };
export { LoginFailureEntity };
export { IdempotencyKeyEntity };
export type { NotificationRecipient, NotificationStatus } from './notification.entity';
export type { OrganizationKind } from './organization.entity';
export { ORGANIZATION_KINDS } from './organization.entity';

export const ENTITIES = [OrganizationEntity, PersonEntity, TaskEntity, AuditEventEntity, NotificationEntity, SubstitutionEntity, WorkflowHistoryEntity, CuratorshipEntity, SessionEntity, LoginFailureEntity, IdempotencyKeyEntity];
