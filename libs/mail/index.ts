export { Mailer } from './mailer';
export type { OutgoingMail } from './mailer';
export { renderTaskNotification } from './templates/task-notification';
export type { RenderedMail, TaskNotificationView } from './templates/task-notification';
export { renderCycleActionMail } from './templates/cycle-action';
export type { CycleActionMailEventName, CycleActionMailView } from './templates/cycle-action';
