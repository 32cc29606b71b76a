export { Mailer } from './mailer';
export type { OutgoingMail } from './mailer';
export { renderTaskNotification } from './templates/task-notification';
export type { RenderedMail, TaskNotificationView } from './templates/task-notification';
