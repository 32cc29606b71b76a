/**
 * A workflow's own event history (GET /api/audit/workflows/:id/history): from the archive once it has closed, live
 * from Temporal while it runs. Each event in Russian with its time; its attributes, with the JSON payloads decoded,
 * open on demand. Auditors only; reads only.
 */
import { useQuery } from '@tanstack/react-query';
import { Breadcrumb, Descriptions, Flex, Switch, Table, Typography, type TableProps } from 'antd';
import { useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, unwrap, useMe, type Schemas } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { formatDateTimeInZone, formatNumber } from '../../format';
import { workflowEventLabel } from './labels';
import './audit.css';
import { useScopeZone } from './queries';
import { WorkflowStatusTag } from './WorkflowsTable';

type HistoryEvent = Schemas['WorkflowHistoryEventView'];

/** The workflow engine's own bookkeeping, hidden unless asked for. */
const BOOKKEEPING = /^EVENT_TYPE_WORKFLOW_TASK_/;

function decodeBase64(text: string): string | undefined {
  try {
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Temporal's payloads `{metadata: {encoding}, data}` (base64) become the values they carry when they are JSON. */
function decodePayloads(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodePayloads);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (metadata && typeof metadata === 'object' && typeof metadata.encoding === 'string') {
    const encoding = decodeBase64(metadata.encoding);
    if (encoding === 'json/plain' && typeof record.data === 'string') {
      const text = decodeBase64(record.data);
      if (text !== undefined) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return text;
        }
      }
    }
    if (encoding === 'binary/null') return null;
  }
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, decodePayloads(v)]));
}

/** Everything the event carries beyond its number, time and type. */
function attributesOf(event: HistoryEvent): Record<string, unknown> {
  const rest = Object.fromEntries(
    Object.entries(event as object).filter(([key]) => key !== 'eventId' && key !== 'eventTime' && key !== 'eventType'),
  );
  return decodePayloads(rest) as Record<string, unknown>;
}

function get(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** «86400s» as «1 д 0 ч», «90s» as «1 мин 30 с». */
function duration(text: unknown): string | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(text);
  if (!m) return text;
  let s = Math.round(Number(m[1]));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const min = Math.floor(s / 60);
  s -= min * 60;
  return [d && `${d} д`, h && `${h} ч`, min && `${min} мин`, s && `${s} с`].filter(Boolean).join(' ') || '0 с';
}

/** One line of what the event is about: the activity, the timer, the update, the signal, the child, the failure. */
function summaryOf(attributes: Record<string, unknown>): string {
  const attrs = Object.values(attributes).find((v) => typeof v === 'object' && v !== null);
  const parts = [
    get(attrs, 'activityType', 'name'),
    get(attrs, 'workflowType', 'name'),
    get(attrs, 'acceptedRequest', 'input', 'name') ?? get(attrs, 'request', 'input', 'name'),
    get(attrs, 'signalName'),
    get(attrs, 'markerName'),
    get(attrs, 'workflowId') ?? get(attrs, 'workflowExecution', 'workflowId'),
    duration(get(attrs, 'startToFireTimeout')) && `через ${duration(get(attrs, 'startToFireTimeout'))}`,
    get(attrs, 'failure', 'message') ?? get(attrs, 'rejectionFailure', 'message'),
  ].filter((p): p is string => typeof p === 'string' && p.length > 0);
  return [...new Set(parts)].join(' · ');
}

export default function WorkflowHistoryPage() {
  const { workflowId = '' } = useParams();
  const [params] = useSearchParams();
  const runId = params.get('runId') || undefined;
  const me = useMe();
  const zone = useScopeZone(undefined, undefined, me.data?.organizationId) ?? 'UTC';
  const [showBookkeeping, setShowBookkeeping] = useState(false);

  const history = useQuery({
    queryKey: ['audit', 'workflow-history', workflowId, runId ?? null],
    queryFn: () =>
      unwrap(api.GET('/api/audit/workflows/{workflowId}/history', { params: { path: { workflowId }, query: runId ? { runId } : {} } })),
  });

  const events = useMemo(() => {
    const all = history.data?.history.events ?? [];
    return showBookkeeping ? all : all.filter((e) => !BOOKKEEPING.test(e.eventType));
  }, [history.data, showBookkeeping]);

  const columns: TableProps<HistoryEvent>['columns'] = [
    { title: '№', key: 'id', dataIndex: 'eventId', width: 64 },
    {
      title: 'Событие',
      key: 'type',
      render: (_, e) => (
        <Flex vertical>
          <span>{workflowEventLabel(e.eventType)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {e.eventType.replace(/^EVENT_TYPE_/, '')}
          </Typography.Text>
        </Flex>
      ),
    },
    { title: 'Кратко', key: 'summary', render: (_, e) => <span className="audit-entry">{summaryOf(attributesOf(e))}</span>, responsive: ['md'] },
    { title: 'Время', key: 'time', render: (_, e) => (e.eventTime ? formatDateTimeInZone(e.eventTime, zone) : '—') },
  ];

  const heading = (
    <Breadcrumb
      items={[{ title: <Link to="/audit">Аудит</Link> }, { title: 'История процесса' }]}
      style={{ marginBottom: 8 }}
    />
  );

  if (history.isPending) return <>{heading}<Loading label="Загрузка истории процесса…" /></>;
  if (history.isError) {
    return (
      <>
        {heading}
        <Typography.Title level={1} style={{ marginTop: 0 }}>
          История процесса
        </Typography.Title>
        <LoadError error={history.error} title="Не удалось загрузить историю процесса" onRetry={() => void history.refetch()} />
      </>
    );
  }
  const h = history.data;
  const total = h.history.events.length;

  return (
    <Flex vertical gap={16}>
      <div>
        {heading}
        <Typography.Title level={1} style={{ marginTop: 0, wordBreak: 'break-all' }}>
          История процесса {h.workflowId}
        </Typography.Title>
      </div>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'type', label: 'Тип процесса', children: h.workflowType },
          { key: 'status', label: 'Состояние', children: <WorkflowStatusTag status={h.status} /> },
          { key: 'start', label: 'Начат', children: formatDateTimeInZone(h.startTime, zone) },
          { key: 'close', label: 'Завершён', children: h.closeTime ? formatDateTimeInZone(h.closeTime, zone) : 'ещё идёт' },
          {
            key: 'source',
            label: 'Откуда история',
            children:
              h.source === 'archive'
                ? `копия в архиве${h.archivedAt ? ` от ${formatDateTimeInZone(h.archivedAt, zone)}` : ''}`
                : 'прочитана из Temporal (процесс ещё выполняется или не успел попасть в архив)',
          },
          { key: 'count', label: 'Событий', children: formatNumber(h.eventCount) },
          { key: 'run', label: 'Запуск', children: <Typography.Text copyable>{h.runId}</Typography.Text> },
        ]}
      />
      <Flex gap={8} align="center" wrap>
        <Switch id="show-bookkeeping" checked={showBookkeeping} onChange={setShowBookkeeping} />
        <label htmlFor="show-bookkeeping">Показывать служебные шаги исполнителя процессов</label>
        <Typography.Text type="secondary">
          (показано {formatNumber(events.length)} из {formatNumber(total)})
        </Typography.Text>
      </Flex>
      <Table<HistoryEvent>
        rowKey="eventId"
        size="small"
        columns={columns}
        dataSource={events}
        pagination={{ pageSize: 50, hideOnSinglePage: true, showSizeChanger: false }}
        expandable={{
          expandedRowRender: (e) => <pre className="audit-json">{JSON.stringify(attributesOf(e), null, 2)}</pre>,
          expandRowByClick: false,
        }}
        locale={{ emptyText: <EmptyState>В истории нет событий</EmptyState> }}
      />
    </Flex>
  );
}
