import type { EscalationTarget, NotificationKind } from '../../contracts/deadline-task';

export interface TaskNotificationView {
  kind: NotificationKind;
  target: EscalationTarget | 'assignee';
  taskTitle: string;
  assigneeName: string;
  /** '15.12.2026 18:00' in the region's zone. */
  dueLocal: string;
  timeZone: string;
  taskUrl: string;
  /** The order and clause that set the deadline, when the task has one. */
  legalBasis?: string;
  /** Reminders: «осталось 3 рабочих дня», so that a task's reminders do not read as duplicates. */
  timeLeft?: string;
  /**
   * Set on the copy of an escalation that a school's curators receive: the curated school's name. The letter then
   * says it is a copy and why the reader gets it.
   */
  curatedSchoolName?: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

function lines(view: TaskNotificationView): { subject: string; paragraphs: string[] } {
  const due = `${view.dueLocal} (${view.timeZone})`;
  switch (view.target) {
    case 'assignee':
      return {
        subject: view.timeLeft
          ? `Напоминание: ${view.timeLeft} — задача «${view.taskTitle}», срок ${view.dueLocal}`
          : `Напоминание: срок задачи «${view.taskTitle}» — ${view.dueLocal}`,
        paragraphs: [
          'Здравствуйте!',
          `Напоминаем, что организации «${view.assigneeName}» необходимо выполнить задачу «${view.taskTitle}».`,
          view.timeLeft ? `Срок исполнения: ${due}; ${view.timeLeft}.` : `Срок исполнения: ${due}.`,
        ],
      };
    case 'assignee_head':
      return {
        subject: `Просрочена задача «${view.taskTitle}» (${view.assigneeName})`,
        paragraphs: [
          'Уважаемый руководитель!',
          `Организация «${view.assigneeName}» не выполнила в срок задачу «${view.taskTitle}».`,
          `Срок исполнения истёк: ${due}.`,
          'Просим обеспечить исполнение и сообщить о причинах задержки.',
        ],
      };
    case 'supervisor':
      return {
        subject: `Эскалация: задача «${view.taskTitle}» не выполнена (${view.assigneeName})`,
        paragraphs: [
          'Уважаемые коллеги!',
          `Задача «${view.taskTitle}», назначенная организации «${view.assigneeName}», не выполнена.`,
          `Срок исполнения истёк: ${due}. Руководитель организации был уведомлён ранее.`,
          'Требуется решение курирующего органа.',
        ],
      };
  }
}

/** The curators' copy: the same facts, greeted as a colleague and told why the letter reaches them. */
function curatorCopy(original: { subject: string; paragraphs: string[] }, schoolName: string): { subject: string; paragraphs: string[] } {
  return {
    subject: `Копия куратору: ${original.subject}`,
    paragraphs: [
      'Здравствуйте!',
      `Вы получаете копию этого письма как куратор школы «${schoolName}».`,
      ...original.paragraphs.slice(1),
      'Как куратор вы можете просматривать задачи школы; выполняет их сама школа.',
    ],
  };
}

/** Russian e-mail for a reminder or an escalation step; plain text and HTML carry the same words. */
export function renderTaskNotification(view: TaskNotificationView): RenderedMail {
  const original = lines(view);
  const { subject, paragraphs: own } = view.curatedSchoolName ? curatorCopy(original, view.curatedSchoolName) : original;
  const paragraphs = view.legalBasis ? [...own, `Основание: ${view.legalBasis}.`] : own;
  const footer = 'Это письмо отправлено автоматически системой Uplift. Отвечать на него не нужно.';
  const text = [...paragraphs, `Задача: ${view.taskUrl}`, '', footer].join('\n\n');
  const html = [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(view.taskUrl)}">Открыть задачу</a></p>`,
    `<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p>`,
  ].join('\n');
  return { subject, text, html };
}
