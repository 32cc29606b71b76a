import { Tag, Typography } from 'antd';
import type { Schemas } from '../../api/client';
import { workingDaysLeftText } from '../../format';

type Task = Schemas['TaskView'];
export type TaskAction = NonNullable<Task['cycle']>['action'];

/** Red «Просрочена» past the deadline, orange «Сегодня» on its last day; nothing otherwise. */
export function DeadlineTag({ task }: { task: Task }) {
  if (task.status !== 'open') return null;
  if (task.overdue) return <Tag color="red">Просрочена</Tag>;
  if (task.workingDaysLeft === 0) return <Tag color="orange">Сегодня</Tag>;
  return null;
}

/** «осталось 3 рабочих дня», «просрочена на 2 рабочих дня»; a dash for a closed task. */
export function TimeLeft({ task }: { task: Task }) {
  if (task.status !== 'open' || task.workingDaysLeft === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  // On the last day after the deadline's hour the task is overdue by less than a working day.
  const text = task.overdue && task.workingDaysLeft === 0 ? 'срок истёк сегодня' : workingDaysLeftText(task.workingDaysLeft);
  return <Typography.Text type={task.overdue ? 'danger' : undefined}>{text}</Typography.Text>;
}

export function statusText(task: Task): string {
  switch (task.status) {
    case 'open':
      return 'В работе';
    case 'completed':
      return task.completedLate ? 'Выполнена с опозданием' : 'Выполнена';
    case 'cancelled':
      return 'Отменена';
  }
}

export function TaskStatusTag({ task }: { task: Task }) {
  const color = task.status === 'open' ? 'blue' : task.status === 'completed' ? (task.completedLate ? 'gold' : 'green') : 'default';
  return <Tag color={color}>{statusText(task)}</Tag>;
}

/** What a cycle task asks, in the words of the person who must do it. */
export const ACTION_TEXT: Record<TaskAction, string> = {
  approve_list: 'Утвердить список школ — участников программы',
  perform: 'Выполнить мероприятие и представить подтверждение',
  submit: 'Представить документ (план, программу) на рассмотрение',
  review: 'Рассмотреть представленный документ: утвердить, вернуть на доработку с замечаниями или отклонить',
  propose_pairs: 'Предложить пары школ для партнёрства',
  confirm_agreement: 'Подтвердить соглашение о партнёрстве',
  report: 'Представить отчёт',
  describe_practice: 'Описать практику для банка лучших практик',
};

const EVENT_TEXT: Record<string, string> = {
  created: 'Задача поставлена',
  reminder_sent: 'Отправлено напоминание',
  escalation_sent: 'Отправлена эскалация',
  completed: 'Задача выполнена',
  extended: 'Срок продлён',
  reassigned: 'Задача передана другой организации',
  cancelled: 'Задача отменена',
  access_denied: 'Отказ в доступе',
  submission_made: 'Документ представлен на рассмотрение',
  review_approved: 'Документ утверждён',
  review_returned: 'Документ возвращён на доработку',
  review_rejected: 'Документ отклонён',
  participants_list_approved: 'Список школ-участников утверждён',
  partner_pairs_proposed: 'Предложены пары школ',
  agreement_confirmed: 'Соглашение о партнёрстве подтверждено',
  document_uploaded: 'Загружен документ',
};

export function eventText(type: string): string {
  return EVENT_TEXT[type] ?? type;
}
