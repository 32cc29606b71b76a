import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Descriptions, Flex, Result, Space, Timeline, Typography, type DescriptionsProps } from 'antd';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap, useMe, type Schemas } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { formatDateTime, formatDateTimeInZone, formatLocalDate, zoneLabel } from '../../format';
import { Section, TaskWork } from './TaskWork';
import { DeadlineTag, eventText, TaskStatusTag, TimeLeft } from './task-labels';

type TimelineEvent = Schemas['TimelineEventView'];

export const taskQueryKey = (id: string) => ['tasks', 'detail', id] as const;

/** '2026-12-15T18:00:00' (local wall-clock time, no zone) as 15.12.2026 18:00. */
function localDateTimeText(local: string): string {
  const time = /T(\d{2}:\d{2})/.exec(local)?.[1];
  return time ? `${formatLocalDate(local)} ${time}` : formatLocalDate(local);
}

export function TaskPage() {
  const { id = '' } = useParams();
  const me = useMe();
  const task = useQuery({
    queryKey: taskQueryKey(id),
    queryFn: () => unwrap(api.GET('/api/tasks/{id}', { params: { path: { id } } })),
  });

  const back = (
    <Link to="/tasks">
      <ArrowLeftOutlined /> К списку задач
    </Link>
  );

  if (task.isPending) return <Loading label="Загрузка задачи…" />;
  if (task.isError) {
    const status = task.error instanceof ApiError ? task.error.status : 0;
    if (status === 403 || status === 404) {
      return (
        <Result
          status={status === 403 ? '403' : '404'}
          title={
            <Typography.Title level={1} style={{ fontSize: 24 }}>
              {status === 403 ? 'Нет доступа к задаче' : 'Задача не найдена'}
            </Typography.Title>
          }
          subTitle={
            status === 403
              ? `${task.error.message}. Если задача должна быть вам доступна, обратитесь к администратору программы в министерстве.`
              : 'Задачи с таким адресом нет. Возможно, ссылка неполная или устарела.'
          }
          extra={back}
        />
      );
    }
    return (
      <>
        {back}
        <div style={{ marginTop: 16 }}>
          <LoadError error={task.error} title="Не удалось загрузить задачу" onRetry={() => void task.refetch()} />
        </div>
      </>
    );
  }

  const t = task.data;
  const zone = t.timeZone;
  const details: DescriptionsProps['items'] = [
    { key: 'assignee', label: 'Исполнитель', children: t.assignee.name },
    { key: 'supervisor', label: 'Контролирует', children: t.supervisor.name },
    {
      key: 'due',
      label: 'Срок',
      children: (
        <Space orientation="vertical" size={0}>
          <strong>{formatDateTimeInZone(t.dueAt, zone)}</strong>
          {t.movedFromNonWorkingDay && (
            <Typography.Text type="secondary">
              Перенесён с нерабочего дня {localDateTimeText(t.requestedDueLocal)} по производственному календарю
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      key: 'left',
      label: 'Осталось',
      children: (
        <Space size={4} wrap>
          <DeadlineTag task={t} />
          <TimeLeft task={t} />
        </Space>
      ),
    },
    {
      key: 'created',
      label: 'Поставлена',
      children: `${formatDateTime(t.createdAt, zone)}, ${t.createdBy === 'system' ? 'Uplift по плану цикла' : t.createdBy}`,
    },
  ];
  if (t.status === 'completed' && t.completedAt) {
    details.push({
      key: 'completed',
      label: 'Выполнена',
      children: `${formatDateTime(t.completedAt, zone)}${t.completedBy ? `, ${t.completedBy}` : ''}${t.completedLate ? ' (с опозданием)' : ''}`,
    });
    if (t.result?.comment) details.push({ key: 'comment', label: 'Комментарий исполнителя', children: <span className="pre-wrap">{t.result.comment}</span> });
  }
  if (t.status === 'cancelled' && t.cancelledAt) {
    details.push({
      key: 'cancelled',
      label: 'Отменена',
      children: `${formatDateTime(t.cancelledAt, zone)}${t.cancelReason ? `: ${t.cancelReason}` : ''}`,
    });
  }

  return (
    <article>
      {back}
      <Flex align="center" gap={12} wrap style={{ marginTop: 16 }}>
        <Typography.Title level={1} style={{ fontSize: 26, margin: 0 }}>
          {t.title}
        </Typography.Title>
        <TaskStatusTag task={t} />
      </Flex>
      {t.deadlineNote && <Alert type="info" showIcon title={t.deadlineNote} style={{ marginTop: 16 }} />}
      {t.attention && (
        <Alert
          type="warning"
          showIcon
          role="alert"
          title="Задача требует внимания"
          description={`${t.attention.message} (${formatDateTimeInZone(t.attention.at, t.timeZone)}, ${zoneLabel(t.timeZone)})`}
          style={{ marginTop: 16 }}
        />
      )}
      <Descriptions
        bordered
        size="small"
        column={1}
        items={details}
        style={{ marginTop: 16 }}
        styles={{ label: { width: 200 } }}
      />

      {t.legalBasis && (
        <Section title="Правовое основание">
          <Typography.Paragraph className="pre-wrap">{t.legalBasis}</Typography.Paragraph>
        </Section>
      )}

      {t.description && (
        <Section title="Описание">
          <Typography.Paragraph className="pre-wrap">{t.description}</Typography.Paragraph>
        </Section>
      )}

      {t.status === 'open' && me.data && <TaskWork task={t} me={me.data} />}

      <Section title="История задачи">
        {t.timeline.length === 0 ? (
          <EmptyState>Здесь появятся события задачи: постановка, напоминания, продления и выполнение.</EmptyState>
        ) : (
          <Timeline items={t.timeline.map((event) => timelineItem(event, zone))} />
        )}
      </Section>
    </article>
  );
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** One line of the history: what happened, when (in the task's zone), who did it, and the reason where there is one. */
function timelineItem(event: TimelineEvent, zone: string) {
  const data = event.data;
  const lines: string[] = [];
  switch (event.type) {
    case 'created': {
      const due = str(data.dueAt);
      if (due) lines.push(`Срок: ${formatDateTimeInZone(due, zone)}`);
      break;
    }
    case 'extended': {
      const from = str(data.previousDueAt);
      const to = str(data.dueAt);
      if (from && to) lines.push(`Было: ${formatDateTime(from, zone)}, стало: ${formatDateTime(to, zone)} (${zoneLabel(zone, to)})`);
      break;
    }
    case 'reassigned': {
      const from = str(data.from);
      const to = str(data.to);
      if (from && to) lines.push(`От «${from}» к «${to}»`);
      break;
    }
    case 'completed': {
      if (data.late === true) lines.push('С опозданием');
      const result = data.result as { comment?: unknown } | undefined;
      const comment = str(result?.comment);
      if (comment) lines.push(`Комментарий: ${comment}`);
      break;
    }
    default:
      break;
  }
  const reason = str(data.reason);
  if (reason) lines.push(`Основание: ${reason}`);
  const actor = event.actor === 'system' ? 'Uplift' : event.actor;
  const color =
    event.type === 'escalation_sent' || event.type === 'cancelled' ? 'red' : event.type === 'completed' ? 'green' : 'blue';
  return {
    key: String(event.seq),
    color,
    content: (
      <div>
        <Typography.Text type="secondary">{formatDateTime(event.occurredAt, zone)}</Typography.Text>{' '}
        <strong>{eventText(event.type)}</strong>
        <Typography.Text type="secondary"> — {actor}</Typography.Text>
        {lines.map((line) => (
          <div key={line} className="pre-wrap">
            {line}
          </div>
        ))}
      </div>
    ),
  };
}
