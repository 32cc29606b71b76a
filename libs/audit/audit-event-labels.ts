/**
 * What each audit event type means, in Russian, for the auditor's exports. One map for every type the code base
 * appends to `audit_events`; test/unit/audit-event-labels.spec.ts scans the sources and fails on a type without a
 * label. Codes stay in the exports beside the labels: they are what the log stores and what the hash covers.
 */
import type { ReviewDecision, TaskEventType } from '../contracts/deadline-task';

/** Projected by every deadline task workflow (libs/persistence/repositories/task.repository.ts). */
const TASK_EVENT_LABELS: Record<TaskEventType, string> = {
  created: 'Задача создана',
  reminder_sent: 'Отправлено напоминание',
  escalation_sent: 'Отправлена эскалация',
  completed: 'Задача выполнена',
  extended: 'Срок задачи продлён',
  reassigned: 'Исполнитель изменён',
  cancelled: 'Задача отменена',
  attention_needed: 'Изменение задачи не сохранено, требуется внимание администратора',
};

/** `review_<decision>`, appended when a reviewer decides on a submission (apps/api/cycles/submissions.service.ts). */
const REVIEW_EVENT_LABELS: Record<`review_${ReviewDecision}`, string> = {
  review_approved: 'Материалы утверждены',
  review_returned: 'Материалы возвращены на доработку',
  review_rejected: 'Материалы отклонены',
};

export const AUDIT_EVENT_LABELS: Readonly<Record<string, string>> = {
  ...TASK_EVENT_LABELS,
  ...REVIEW_EVENT_LABELS,
  // The yearly cycle's workflow (workflows/cycle.workflow.ts).
  cycle_launched: 'Цикл запущен',
  cycle_paused: 'Цикл приостановлен',
  cycle_resumed: 'Цикл возобновлён',
  cycle_cancelled: 'Цикл отменён',
  cycle_completed: 'Цикл завершён',
  stage_extended: 'Срок этапа продлён для всех',
  step_deadline_set: 'Установлен срок шага «по специальному графику»',
  participants_approved: 'Школы-участницы приняты в цикл',
  best_practice_invited: 'Школы приглашены описать лучшую практику',
  operator_alert: 'Сбой обработки цикла, требуется вмешательство администратора',
  // Actions through the API.
  identification_file_imported: 'Загружен файл идентификации',
  participants_list_approved: 'Утверждён список школ-участниц',
  submission_made: 'Материалы представлены',
  partner_pairs_proposed: 'Предложены пары школ-партнёров',
  agreement_confirmed: 'Соглашение подтверждено стороной',
  document_uploaded: 'Загружен документ',
  extension_requested: 'Запрошено продление срока',
  extension_granted: 'Продление срока одобрено',
  extension_refused: 'В продлении срока отказано',
  // Four eyes on a cycle's launch, cancellation and deadline overrides (apps/api/cycle-actions).
  cycle_action_requested: 'Запрошено действие с циклом, ожидается подтверждение',
  cycle_action_confirmed: 'Действие с циклом подтверждено вторым сотрудником и выполнено',
  cycle_action_failed: 'Подтверждённое действие с циклом не выполнено',
  cycle_action_refused: 'В действии с циклом отказано',
  cycle_action_withdrawn: 'Запрос действия с циклом отозван',
  cycle_action_expired: 'Срок подтверждения действия с циклом истёк',
  participant_outcome_set: 'Принято решение об итогах участия школы',
  practice_withdrawn: 'Практика снята с публикации',
  substitution_created: 'Назначен заместитель',
  substitution_revoked: 'Замещение отменено',
  curator_named: 'Назначен куратор школы',
  curator_removed: 'Куратор школы снят',
  // The directory (apps/api/organizations/organizations.service.ts).
  organization_created: 'Организация добавлена в справочник',
  person_added: 'Сотрудник добавлен в справочник',
  person_role_changed: 'Роль сотрудника изменена',
  login_withdrawn: 'Вход в систему закрыт',
  login_restored: 'Вход в систему открыт снова',
  login_granted: 'Выдан вход в систему',
  password_reset: 'Пароль сброшен администратором',
  // The person's own change (apps/api/auth/auth.service.ts).
  password_changed: 'Пароль изменён сотрудником',
  access_denied: 'Отказано в доступе',
};

/** The label, or the code itself for a type this version does not know (an entry written by a newer one). */
export function auditEventLabel(type: string): string {
  return Object.hasOwn(AUDIT_EVENT_LABELS, type) ? AUDIT_EVENT_LABELS[type] : type;
}
