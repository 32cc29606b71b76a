/**
 * The history of a cycle, an organisation or a task as a timeline: who did what (the Russian label the API gives),
 * when (in the region's zone, named), against which deadline, and which reminders and escalations went to whom.
 * The export endpoint answers the whole scope at once (it does not page), so the filters and the paging are applied
 * here, in the browser.
 */
import { Button, Collapse, DatePicker, Flex, Form, Pagination, Select, Tag, Timeline, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../../api/client';
import { countOf, formatDateTimeInZone, localIsoDate, zoneLabel } from '../../format';
import { DataList } from './EntryDetails';
import { actorLabel, NOTIFICATION_KINDS, NOTIFICATION_STATUSES, NOTIFICATION_TARGETS } from './labels';

type Export = Schemas['AuditExportView'];
type Entry = Schemas['AuditExportEntryView'];
type Notification = Schemas['AuditExportNotificationView'];

export interface TimelineFilters {
  from?: string;
  to?: string;
  types: string[];
  actor?: string;
  page: number;
  pageSize: number;
}

export const PAGE_SIZES = [20, 50, 100];

/** The audit screen for one task: a link, so it opens in a new tab too and the back button returns. */
export function auditTaskHref(taskId: string): string {
  return `/audit?${new URLSearchParams({ scope: 'task', id: taskId }).toString()}`;
}

const ENTRY_NOUN = { one: 'запись', few: 'записи', many: 'записей' };
/** After «из»: из 1 записи, из 3 записей, из 11 записей. */
const ENTRY_NOUN_OF = { one: 'записи', few: 'записей', many: 'записей' };

interface Deadline {
  due?: string;
  previous?: string;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** The deadline in force at each task entry, replaying `created` and `extended` in order. */
function deadlinesOf(entries: Entry[], tasks: Map<string, Schemas['AuditExportTaskView']>): Map<string, Deadline> {
  const current = new Map<string, string>();
  const out = new Map<string, Deadline>();
  for (const e of entries) {
    if (e.subjectType !== 'task') continue;
    const before = current.get(e.subjectId);
    const due = str(e.data.dueAt);
    if (e.type === 'created' && due) current.set(e.subjectId, due);
    if (e.type === 'extended' && due) {
      current.set(e.subjectId, due);
      out.set(e.chainSeq, { due, previous: str(e.data.previousDueAt) ?? before });
      continue;
    }
    out.set(e.chainSeq, { due: current.get(e.subjectId) ?? before ?? tasks.get(e.subjectId)?.dueAt });
  }
  return out;
}

function colorOf(type: string): string {
  if (type === 'access_denied' || type === 'review_rejected' || type === 'extension_refused') return 'red';
  if (type === 'escalation_sent') return 'orange';
  if (type === 'completed' || type === 'review_approved' || type === 'cycle_completed') return 'green';
  if (type === 'cancelled' || type === 'cycle_cancelled') return 'gray';
  return 'blue';
}

function Recipients({ entry, notification }: { entry: Entry; notification?: Notification }) {
  const target = str(entry.data.target) ?? notification?.target;
  const emails = Array.isArray(entry.data.recipients) ? entry.data.recipients.filter((r): r is string => typeof r === 'string') : [];
  const people = notification?.recipients.length
    ? notification.recipients.map((r) => `${r.fullName} <${r.email}>`)
    : emails;
  const status = str(entry.data.status) ?? notification?.status;
  const statusView = status ? NOTIFICATION_STATUSES[status] : undefined;
  return (
    <>
      <div>
        <Typography.Text type="secondary">Кому: </Typography.Text>
        {target ? (NOTIFICATION_TARGETS[target] ?? target) : '—'}
        {statusView && (
          <Tag className="audit-tag" color={statusView.color} style={{ marginInlineStart: 8 }}>
            {statusView.text}
          </Tag>
        )}
      </div>
      <div>
        <Typography.Text type="secondary">Получатели: </Typography.Text>
        {people.length ? people.join('; ') : 'нет получателей'}
      </div>
      {notification?.subject && (
        <div>
          <Typography.Text type="secondary">Тема письма: </Typography.Text>«{notification.subject}»
        </div>
      )}
    </>
  );
}

export function AuditTimeline({
  data,
  zone,
  filters,
  onFilters,
}: {
  data: Export;
  zone: string;
  filters: TimelineFilters;
  onFilters: (next: Partial<TimelineFilters>) => void;
}) {
  const tasks = useMemo(() => new Map(data.tasks.map((t) => [t.id, t])), [data.tasks]);
  const orgNames = useMemo(() => new Map(data.organizations.map((o) => [o.id, o.name])), [data.organizations]);
  const notifications = useMemo(() => new Map(data.notifications.map((n) => [`${n.taskId}\n${n.step}`, n])), [data.notifications]);
  const deadlines = useMemo(() => deadlinesOf(data.entries, tasks), [data.entries, tasks]);

  const typeOptions = useMemo(() => {
    const seen = new Map<string, string>();
    for (const e of data.entries) seen.set(e.type, e.typeLabel);
    return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label, 'ru'));
  }, [data.entries]);
  const actorOptions = useMemo(() => {
    const seen = new Set(data.entries.map((e) => e.actor));
    return [...seen].sort((a, b) => a.localeCompare(b)).map((a) => ({ value: a, label: actorLabel(a) }));
  }, [data.entries]);

  const filtered = useMemo(
    () =>
      data.entries.filter((e) => {
        if (filters.types.length && !filters.types.includes(e.type)) return false;
        if (filters.actor && e.actor !== filters.actor) return false;
        if (filters.from || filters.to) {
          const day = localIsoDate(e.occurredAt, zone);
          if (filters.from && day < filters.from) return false;
          if (filters.to && day > filters.to) return false;
        }
        return true;
      }),
    [data.entries, filters.types, filters.actor, filters.from, filters.to, zone],
  );

  const pages = Math.max(1, Math.ceil(filtered.length / filters.pageSize));
  const page = Math.min(filters.page, pages);
  const shown = filtered.slice((page - 1) * filters.pageSize, page * filters.pageSize);
  const anyFilter = Boolean(filters.from || filters.to || filters.types.length || filters.actor);
  const range: [Dayjs | null, Dayjs | null] = [filters.from ? dayjs(filters.from) : null, filters.to ? dayjs(filters.to) : null];

  const subjectOf = (e: Entry) => {
    if (e.subjectType === 'task') {
      const task = tasks.get(e.subjectId);
      const label = task ? `«${task.title}»` : e.subjectId;
      return data.scope.kind !== 'task' ? (
        <Link to={auditTaskHref(e.subjectId)}>Задача {label}</Link>
      ) : (
        <>Задача {label}</>
      );
    }
    if (e.subjectType === 'cycle') return <>Цикл {e.subjectId}</>;
    if (e.subjectType === 'organization') return <>Организация «{orgNames.get(e.subjectId) ?? e.subjectId}»</>;
    return (
      <>
        {e.subjectType} {e.subjectId}
      </>
    );
  };

  const items = shown.map((e) => {
    const deadline = deadlines.get(e.chainSeq);
    const notification = e.type === 'reminder_sent' || e.type === 'escalation_sent' ? notifications.get(`${e.subjectId}\n${str(e.data.stepKey) ?? ''}`) : undefined;
    const reason = str(e.data.reason);
    const organizations = e.organizationIds.map((id) => orgNames.get(id) ?? id);
    return {
      key: e.chainSeq,
      color: colorOf(e.type),
      content: (
        <article aria-label={`${e.typeLabel}, ${formatDateTimeInZone(e.occurredAt, zone)}`} className="audit-entry">
          <Flex wrap gap={8} align="baseline">
            <Typography.Text strong>{e.typeLabel}</Typography.Text>
            <Typography.Text type="secondary">
              <time dateTime={e.occurredAt}>{formatDateTimeInZone(e.occurredAt, zone)}</time>
            </Typography.Text>
            {e.type === 'completed' && typeof e.data.late === 'boolean' && (
              <Tag className="audit-tag" color={e.data.late ? 'red' : 'green'}>{e.data.late ? 'с опозданием' : 'в срок'}</Tag>
            )}
            {notification && <Tag>{NOTIFICATION_KINDS[notification.kind] ?? notification.kind}</Tag>}
          </Flex>
          <div>
            <Typography.Text type="secondary">Кто: </Typography.Text>
            {actorLabel(e.actor)}
          </div>
          <div>
            <Typography.Text type="secondary">Что: </Typography.Text>
            {subjectOf(e)}
            {organizations.length > 0 && <Typography.Text type="secondary"> · {organizations.join(', ')}</Typography.Text>}
          </div>
          {deadline?.previous && deadline.due ? (
            <div>
              <Typography.Text type="secondary">Срок: </Typography.Text>
              {formatDateTimeInZone(deadline.previous, zone)} → {formatDateTimeInZone(deadline.due, zone)}
            </div>
          ) : deadline?.due ? (
            <div>
              <Typography.Text type="secondary">Срок: </Typography.Text>
              {formatDateTimeInZone(deadline.due, zone)}
            </div>
          ) : null}
          {(e.type === 'reminder_sent' || e.type === 'escalation_sent') && <Recipients entry={e} notification={notification} />}
          {reason && (
            <div>
              <Typography.Text type="secondary">Основание: </Typography.Text>
              <span className="pre-wrap">{reason}</span>
            </div>
          )}
          <Collapse
            size="small"
            ghost
            items={[
              {
                key: 'details',
                label: 'Подробности записи',
                children: (
                  <DataList
                    data={e.data}
                    zone={zone}
                    extra={[
                      { label: 'Код события', value: e.type },
                      { label: '№ записи в журнале', value: e.chainSeq },
                      { label: 'Хеш записи', value: <code className="audit-hash">{e.hash}</code> },
                    ]}
                  />
                ),
              },
            ]}
          />
        </article>
      ),
    };
  });

  return (
    <Flex vertical gap={16}>
      <Form layout="vertical" className="audit-filters" aria-label="Фильтры хронологии">
        <Form.Item label="Период" htmlFor="audit-period">
          <DatePicker.RangePicker
            id={{ start: 'audit-period', end: 'audit-period-end' }}
            format="DD.MM.YYYY"
            value={range}
            allowEmpty={[true, true]}
            placeholder={['с даты', 'по дату']}
            onChange={(v) =>
              onFilters({ from: v?.[0]?.format('YYYY-MM-DD') ?? undefined, to: v?.[1]?.format('YYYY-MM-DD') ?? undefined, page: 1 })
            }
          />
        </Form.Item>
        <Form.Item label="Вид события" htmlFor="audit-types">
          <Select
            id="audit-types"
            mode="multiple"
            allowClear
            placeholder="Все события"
            value={filters.types}
            options={typeOptions}
            optionFilterProp="label"
            onChange={(types: string[]) => onFilters({ types, page: 1 })}
            style={{ minWidth: 240 }}
          />
        </Form.Item>
        <Form.Item label="Кто" htmlFor="audit-actor">
          <Select
            id="audit-actor"
            allowClear
            showSearch={{ optionFilterProp: 'label' }}
            placeholder="Все участники"
            value={filters.actor}
            options={actorOptions}
            onChange={(actor?: string) => onFilters({ actor: actor ?? undefined, page: 1 })}
            style={{ minWidth: 240 }}
          />
        </Form.Item>
        {anyFilter && (
          <Form.Item label=" ">
            <Button onClick={() => onFilters({ from: undefined, to: undefined, types: [], actor: undefined, page: 1 })}>Сбросить фильтры</Button>
          </Form.Item>
        )}
      </Form>
      <Typography.Text type="secondary" role="status">
        {anyFilter
          ? `Найдено ${countOf(filtered.length, ENTRY_NOUN)} из ${countOf(data.entries.length, ENTRY_NOUN_OF)}`
          : `Всего ${countOf(data.entries.length, ENTRY_NOUN)}`}
        {' · '}время указано по зоне {zoneLabel(zone)}
      </Typography.Text>
      {filtered.length === 0 ? (
        <Typography.Paragraph type="secondary">
          {anyFilter
            ? 'Под выбранные фильтры не попала ни одна запись. Измените период, вид события или участника.'
            : 'В журнале пока нет записей об этом объекте. Они появляются, когда по нему создаются задачи, отправляются письма или принимаются решения.'}
        </Typography.Paragraph>
      ) : (
        <Timeline items={items} />
      )}
      {filtered.length > filters.pageSize && (
        <Pagination
          current={page}
          pageSize={filters.pageSize}
          total={filtered.length}
          pageSizeOptions={PAGE_SIZES}
          showSizeChanger
          onChange={(p, size) => onFilters({ page: size !== filters.pageSize ? 1 : p, pageSize: size })}
          showTotal={(total, [a, b]) => `${a}–${b} из ${total}`}
        />
      )}
    </Flex>
  );
}
