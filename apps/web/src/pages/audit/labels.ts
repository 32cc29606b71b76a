/** Russian words for the codes the audit and directory APIs answer with. */
import type { Schemas } from '../../api/client';

type Role = NonNullable<Schemas['PersonView']['role']>;
type OrganizationKind = Schemas['OrganizationView']['kind'];

export const ROLE_TITLES: Record<Role, string> = {
  ministry_admin: 'администратор министерства',
  ministry_reviewer: 'специалист министерства',
  institute_curator: 'куратор института',
  municipal_coordinator: 'координатор муниципалитета',
  school: 'школа',
  auditor: 'аудитор',
};

export const ORGANIZATION_KINDS: Record<OrganizationKind, string> = {
  ministry: 'министерство',
  institute: 'институт развития образования',
  municipality: 'муниципалитет',
  school: 'школа',
};

export const SCOPE_KINDS = {
  cycle: 'Цикл',
  organization: 'Организация',
  task: 'Задача',
} as const;
export type ScopeKind = keyof typeof SCOPE_KINDS;

export function isScopeKind(value: string | null): value is ScopeKind {
  return value !== null && Object.hasOwn(SCOPE_KINDS, value);
}

/** Whom a reminder or an escalation went to (`target`). */
export const NOTIFICATION_TARGETS: Record<string, string> = {
  assignee: 'исполнителям задачи',
  assignee_head: 'руководителю организации-исполнителя',
  supervisor: 'руководителям курирующей организации',
  curators: 'кураторам школы (копия)',
};

export const NOTIFICATION_KINDS: Record<string, string> = {
  reminder: 'напоминание',
  escalation: 'эскалация',
};

export const NOTIFICATION_STATUSES: Record<string, { text: string; color: string }> = {
  sent: { text: 'отправлено', color: 'success' },
  pending: { text: 'ожидает отправки', color: 'processing' },
  no_recipients: { text: 'некому отправить', color: 'warning' },
  failed: { text: 'не отправлено', color: 'error' },
};

export const TASK_STATUSES: Record<string, string> = {
  open: 'открыта',
  completed: 'выполнена',
  cancelled: 'отменена',
};

/** Temporal's execution statuses, as the API passes them on. */
export const WORKFLOW_STATUSES: Record<string, { text: string; color: string }> = {
  RUNNING: { text: 'выполняется', color: 'processing' },
  COMPLETED: { text: 'завершён', color: 'success' },
  FAILED: { text: 'сбой', color: 'error' },
  CANCELLED: { text: 'отменён', color: 'default' },
  TERMINATED: { text: 'прерван', color: 'error' },
  CONTINUED_AS_NEW: { text: 'продолжен новым запуском', color: 'default' },
  TIMED_OUT: { text: 'истекло время', color: 'error' },
};

export const WORKFLOW_KINDS: Record<string, string> = {
  cycle: 'цикл',
  track: 'организация в цикле',
  step: 'шаг',
  task: 'задача',
};

/** Temporal's history event types (EVENT_TYPE_…) in Russian; an unknown one is shown by its code. */
const WORKFLOW_EVENT_LABELS: Record<string, string> = {
  WORKFLOW_EXECUTION_STARTED: 'Процесс запущен',
  WORKFLOW_EXECUTION_COMPLETED: 'Процесс завершён',
  WORKFLOW_EXECUTION_FAILED: 'Процесс завершился сбоем',
  WORKFLOW_EXECUTION_TIMED_OUT: 'Истекло время процесса',
  WORKFLOW_EXECUTION_CANCELED: 'Процесс отменён',
  WORKFLOW_EXECUTION_CANCEL_REQUESTED: 'Запрошена отмена процесса',
  WORKFLOW_EXECUTION_TERMINATED: 'Процесс прерван',
  WORKFLOW_EXECUTION_CONTINUED_AS_NEW: 'Процесс продолжен новым запуском',
  WORKFLOW_EXECUTION_SIGNALED: 'Получен сигнал',
  WORKFLOW_EXECUTION_UPDATE_ADMITTED: 'Запрос на изменение принят к рассмотрению',
  WORKFLOW_EXECUTION_UPDATE_ACCEPTED: 'Изменение принято',
  WORKFLOW_EXECUTION_UPDATE_REJECTED: 'Изменение отклонено',
  WORKFLOW_EXECUTION_UPDATE_COMPLETED: 'Изменение выполнено',
  WORKFLOW_EXECUTION_OPTIONS_UPDATED: 'Параметры процесса изменены',
  WORKFLOW_PROPERTIES_MODIFIED: 'Свойства процесса изменены',
  UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: 'Обновлены поисковые атрибуты',
  WORKFLOW_TASK_SCHEDULED: 'Шаг процесса запланирован',
  WORKFLOW_TASK_STARTED: 'Шаг процесса начат',
  WORKFLOW_TASK_COMPLETED: 'Шаг процесса выполнен',
  WORKFLOW_TASK_TIMED_OUT: 'Истекло время шага процесса',
  WORKFLOW_TASK_FAILED: 'Сбой шага процесса',
  ACTIVITY_TASK_SCHEDULED: 'Действие запланировано',
  ACTIVITY_TASK_STARTED: 'Действие начато',
  ACTIVITY_TASK_COMPLETED: 'Действие выполнено',
  ACTIVITY_TASK_FAILED: 'Сбой действия',
  ACTIVITY_TASK_TIMED_OUT: 'Истекло время действия',
  ACTIVITY_TASK_CANCEL_REQUESTED: 'Запрошена отмена действия',
  ACTIVITY_TASK_CANCELED: 'Действие отменено',
  TIMER_STARTED: 'Таймер запущен',
  TIMER_FIRED: 'Таймер сработал',
  TIMER_CANCELED: 'Таймер отменён',
  MARKER_RECORDED: 'Записана отметка',
  START_CHILD_WORKFLOW_EXECUTION_INITIATED: 'Запуск дочернего процесса',
  START_CHILD_WORKFLOW_EXECUTION_FAILED: 'Дочерний процесс не запущен',
  CHILD_WORKFLOW_EXECUTION_STARTED: 'Дочерний процесс запущен',
  CHILD_WORKFLOW_EXECUTION_COMPLETED: 'Дочерний процесс завершён',
  CHILD_WORKFLOW_EXECUTION_FAILED: 'Сбой дочернего процесса',
  CHILD_WORKFLOW_EXECUTION_CANCELED: 'Дочерний процесс отменён',
  CHILD_WORKFLOW_EXECUTION_TIMED_OUT: 'Истекло время дочернего процесса',
  CHILD_WORKFLOW_EXECUTION_TERMINATED: 'Дочерний процесс прерван',
  SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: 'Отправка сигнала другому процессу',
  SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: 'Сигнал другому процессу не доставлен',
  EXTERNAL_WORKFLOW_EXECUTION_SIGNALED: 'Сигнал другому процессу доставлен',
  REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED: 'Запрос отмены другого процесса',
  REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED: 'Запрос отмены другого процесса не выполнен',
  EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED: 'Другому процессу отправлен запрос отмены',
};

export function workflowEventLabel(eventType: string): string {
  const code = eventType.replace(/^EVENT_TYPE_/, '');
  return WORKFLOW_EVENT_LABELS[code] ?? code;
}

/** The one who acted: the e-mail the log stores, or the workflow itself. */
export function actorLabel(actor: string): string {
  return actor === 'system' ? 'Система (автоматически)' : actor;
}

/** The data keys of audit entries, for the details list. Unknown keys are shown as they are stored. */
export const DATA_KEYS: Record<string, string> = {
  title: 'Название',
  reason: 'Основание',
  dueAt: 'Срок (UTC)',
  previousDueAt: 'Прежний срок (UTC)',
  localDateTime: 'Срок (местное время)',
  requestedLocalDateTime: 'Запрошенный срок (местное время)',
  movedFromNonWorkingDay: 'Перенесён с нерабочего дня',
  late: 'С опозданием',
  result: 'Результат',
  comment: 'Комментарий',
  from: 'Было',
  to: 'Стало',
  stepKey: 'Шаг',
  stageId: 'Этап',
  target: 'Кому',
  scheduledAt: 'Запланировано (UTC)',
  recipients: 'Получатели',
  status: 'Статус',
  messageId: 'Message-ID',
  templateId: 'Шаблон',
  templateVersion: 'Версия шаблона',
  academicYear: 'Учебный год',
  submissionId: 'Материалы',
  version: 'Версия',
  schedule: 'Расписание напоминаний и эскалаций',
  leadFromIssue: 'Срок после выдачи',
  openTasksExtended: 'Продлено открытых задач',
  action: 'Действие',
  curatorCopy: 'Копия кураторам',
};
