export { createTaskActivities, notificationMessageId } from './task-activities';
export type { NotificationDelivery, TaskActivities, TaskActivityDeps } from './task-activities';
export { createCycleActivities, CYCLE_SUBJECT, OPERATOR_ALERT_EVENT } from './cycle-activities';
export type { AgreementSummary, CycleActivities, CycleActivityDeps, OperatorAlert } from './cycle-activities';
export { DATA_REFUSED, failFastOnRefusedData, isPermanentDataError, sqlStateOf } from './failures';
export { createCycleActionActivities, cycleActionMessageId } from './cycle-action-activities';
export type { CycleActionActivities, CycleActionActivityDeps } from './cycle-action-activities';
