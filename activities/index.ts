export { createTaskActivities, notificationMessageId } from './task-activities';
export type { NotificationDelivery, TaskActivities, TaskActivityDeps } from './task-activities';
export { createCycleActivities, CYCLE_SUBJECT } from './cycle-activities';
export type { AgreementSummary, CycleActivities, CycleActivityDeps } from './cycle-activities';
