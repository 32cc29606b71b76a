export { createTaskActivities, notificationMessageId } from './task-activities';
export type { NotificationDelivery, TaskActivities, TaskActivityDeps } from './task-activities';
