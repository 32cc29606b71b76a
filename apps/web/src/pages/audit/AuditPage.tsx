/**
 * «Аудит»: choose a cycle, an organisation or a task and read its record — the timeline, the e-mails, the tasks and
 * the workflows behind them — check the hash chain and download the export. Nothing on this screen changes anything.
 * The choice and the filters live in the address, so a view can be bookmarked and sent on.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Flex, Form, Result, Segmented, Select, Space, Table, Tabs, Tag, Typography, type TableProps } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, useMe, type Schemas } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { isMinistry } from '../../layout/roles';
import { countOf, formatDate, formatDateTimeInZone } from '../../format';
import { AuditTimeline, auditTaskHref, PAGE_SIZES, type TimelineFilters } from './AuditTimeline';
import { ChainStatus } from './ChainStatus';
import { ExportButtons } from './ExportButtons';
import { isScopeKind, NOTIFICATION_KINDS, NOTIFICATION_STATUSES, NOTIFICATION_TARGETS, SCOPE_KINDS, TASK_STATUSES, type ScopeKind } from './labels';
import './audit.css';
import { useAuditExport, useCycles, useOrganizations, useScopeZone, useTaskChoices } from './queries';
import { CycleWorkflows, ExportedWorkflows, historyHref } from './WorkflowsTable';

type Export = Schemas['AuditExportView'];
const DEFAULT_PAGE_SIZE = 20;
const ENTRY = { one: 'запись', few: 'записи', many: 'записей' };
const ENTRY_OF = { one: 'записи', few: 'записей', many: 'записей' };

interface AuditParams extends TimelineFilters {
  scope: ScopeKind;
  id?: string;
  taskCycle?: string;
  tab: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function useAuditParams() {
  const [params, setParams] = useSearchParams();
  const scopeParam = params.get('scope');
  const size = Number(params.get('size'));
  const pageNumber = Number(params.get('page'));
  const from = params.get('from');
  const to = params.get('to');
  const state: AuditParams = {
    scope: isScopeKind(scopeParam) ? scopeParam : 'cycle',
    id: params.get('id') || undefined,
    taskCycle: params.get('taskCycle') || undefined,
    tab: params.get('tab') || 'timeline',
    from: from && DATE.test(from) ? from : undefined,
    to: to && DATE.test(to) ? to : undefined,
    types: (params.get('types') ?? '').split(',').filter(Boolean),
    actor: params.get('actor') || undefined,
    page: Number.isInteger(pageNumber) && pageNumber > 0 ? pageNumber : 1,
    pageSize: PAGE_SIZES.includes(size) ? size : DEFAULT_PAGE_SIZE,
  };
  const update = (next: Partial<AuditParams>) => {
    const m = { ...state, ...next };
    const out = new URLSearchParams();
    out.set('scope', m.scope);
    if (m.id) out.set('id', m.id);
    if (m.taskCycle) out.set('taskCycle', m.taskCycle);
    if (m.tab !== 'timeline') out.set('tab', m.tab);
    if (m.from) out.set('from', m.from);
    if (m.to) out.set('to', m.to);
    if (m.types.length) out.set('types', m.types.join(','));
    if (m.actor) out.set('actor', m.actor);
    if (m.page > 1) out.set('page', String(m.page));
    if (m.pageSize !== DEFAULT_PAGE_SIZE) out.set('size', String(m.pageSize));
    setParams(out);
  };
  return [state, update] as const;
}

const NO_FILTERS = { from: undefined, to: undefined, types: [], actor: undefined, page: 1, tab: 'timeline' };

function ScopePicker({ state, onChange }: { state: AuditParams; onChange: (next: Partial<AuditParams>) => void }) {
  const cycles = useCycles();
  const organizations = useOrganizations();
  const tasks = useTaskChoices(state.taskCycle, state.scope === 'task');

  const cycleOptions = (cycles.data ?? []).map((c) => ({ value: c.id, label: `${c.title} (${c.id})` }));
  const organizationOptions = (organizations.data ?? [])
    .slice()
    .sort((a, b) => a.name.localeCompare(b.name, 'ru'))
    .map((o) => ({ value: o.id, label: o.code ? `${o.name} (код ${o.code})` : o.name }));
  const taskOptions = (tasks.data?.items ?? []).map((t) => ({
    value: t.id,
    label: `${t.title} — ${t.assignee.name}, срок ${formatDate(t.dueAt, t.timeZone)}`,
  }));
  // A task reached by a link may be older than the 200 latest: it stays chosen under its id.
  if (state.scope === 'task' && state.id && !taskOptions.some((o) => o.value === state.id)) {
    taskOptions.unshift({ value: state.id, label: state.id });
  }

  const source = state.scope === 'cycle' ? cycles : state.scope === 'organization' ? organizations : tasks;
  const options = state.scope === 'cycle' ? cycleOptions : state.scope === 'organization' ? organizationOptions : taskOptions;
  const placeholder = { cycle: 'Выберите цикл', organization: 'Выберите организацию', task: 'Выберите задачу' }[state.scope];

  return (
    <Form layout="vertical" className="audit-scope" aria-label="Что проверяем">
      <Form.Item label="Что проверяем">
        <Segmented<ScopeKind>
          aria-label="Что проверяем"
          value={state.scope}
          options={(Object.keys(SCOPE_KINDS) as ScopeKind[]).map((k) => ({ value: k, label: SCOPE_KINDS[k] }))}
          onChange={(scope) => onChange({ scope, id: undefined, taskCycle: undefined, ...NO_FILTERS })}
        />
      </Form.Item>
      {state.scope === 'task' && (
        <Form.Item label="Задачи цикла" htmlFor="audit-task-cycle">
          <Select
            id="audit-task-cycle"
            allowClear
            placeholder="Все циклы и отдельные задачи"
            value={state.taskCycle}
            options={cycleOptions}
            onChange={(taskCycle?: string) => onChange({ taskCycle: taskCycle ?? undefined })}
            style={{ width: 320, maxWidth: '100%' }}
          />
        </Form.Item>
      )}
      <Form.Item
        label={{ cycle: 'Какой цикл', organization: 'Какая организация', task: 'Какая задача' }[state.scope]}
        htmlFor="audit-scope-id"
        help={
          source.isError
            ? undefined
            : state.scope === 'task' && tasks.data && tasks.data.total > tasks.data.items.length
              ? `Показаны последние ${tasks.data.items.length} из ${tasks.data.total} задач по сроку; выберите цикл, чтобы сузить список`
              : undefined
        }
      >
        <Select
          id="audit-scope-id"
          showSearch={{ optionFilterProp: 'label' }}
          placeholder={placeholder}
          loading={source.isFetching}
          value={state.id}
          options={options}
          onChange={(id: string) => onChange({ id, ...NO_FILTERS })}
          style={{ width: 560, maxWidth: '100%' }}
          notFoundContent={source.isPending ? 'Загрузка…' : 'Ничего не найдено'}
        />
      </Form.Item>
      {source.isError && <LoadError error={source.error} title="Не удалось загрузить список" onRetry={() => void source.refetch()} />}
    </Form>
  );
}

function NotificationsTable({ data, zone }: { data: Export; zone: string }) {
  const titles = new Map(data.tasks.map((t) => [t.id, t.title]));
  type Row = Schemas['AuditExportNotificationView'];
  const columns: TableProps<Row>['columns'] = [
    { title: 'Отправлено', key: 'sentAt', render: (_, n) => (n.sentAt ? formatDateTimeInZone(n.sentAt, zone) : '—') },
    { title: 'Вид', key: 'kind', render: (_, n) => NOTIFICATION_KINDS[n.kind] ?? n.kind },
    { title: 'Задача', key: 'task', render: (_, n) => titles.get(n.taskId) ?? n.taskId, responsive: ['md'] },
    { title: 'Кому', key: 'target', render: (_, n) => NOTIFICATION_TARGETS[n.target] ?? n.target },
    {
      title: 'Получатели',
      key: 'recipients',
      render: (_, n) => (n.recipients.length ? n.recipients.map((r) => `${r.fullName} <${r.email}>`).join('; ') : 'нет получателей'),
    },
    { title: 'Тема', key: 'subject', dataIndex: 'subject', responsive: ['lg'] },
    {
      title: 'Статус',
      key: 'status',
      render: (_, n) => {
        const s = NOTIFICATION_STATUSES[n.status];
        return <Tag className="audit-tag" color={s?.color}>{s?.text ?? n.status}</Tag>;
      },
    },
  ];
  return (
    <Table<Row>
      rowKey={(n) => n.messageId}
      size="small"
      columns={columns}
      dataSource={data.notifications}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: true }}
      locale={{
        emptyText:
          'Писем пока не было. Напоминания уходят за несколько рабочих дней до срока, эскалации — когда срок прошёл, а задача не выполнена.',
      }}
    />
  );
}

function TasksTable({ data, zone, canOpenHistory }: { data: Export; zone: string; canOpenHistory: boolean }) {
  type Row = Schemas['AuditExportTaskView'];
  const orgNames = new Map(data.organizations.map((o) => [o.id, o.name]));
  const columns: TableProps<Row>['columns'] = [
    {
      title: 'Задача',
      key: 'title',
      render: (_, t) => (
        <Link to={auditTaskHref(t.id)}>{t.title}</Link>
      ),
    },
    { title: 'Исполнитель', key: 'assignee', render: (_, t) => orgNames.get(t.assigneeOrganizationId) ?? t.assigneeOrganizationId, responsive: ['md'] },
    { title: 'Срок', key: 'due', render: (_, t) => formatDateTimeInZone(t.dueAt, zone) },
    {
      title: 'Статус',
      key: 'status',
      render: (_, t) => (
        <Space size={4} wrap>
          <span>{TASK_STATUSES[t.status] ?? t.status}</span>
          {t.late !== null && <Tag className="audit-tag" color={t.late ? 'red' : 'green'}>{t.late ? 'с опозданием' : 'в срок'}</Tag>}
        </Space>
      ),
    },
    {
      title: 'Ссылки',
      key: 'links',
      render: (_, t) => (
        <Space wrap size={[8, 0]}>
          <Link to={`/tasks/${encodeURIComponent(t.id)}`}>Карточка задачи</Link>
          {canOpenHistory && <Link to={historyHref(t.workflowId)}>История процесса</Link>}
        </Space>
      ),
    },
  ];
  return (
    <Table<Row>
      rowKey="id"
      size="small"
      columns={columns}
      dataSource={data.tasks}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      scroll={{ x: true }}
      locale={{ emptyText: <EmptyState>Задач нет</EmptyState> }}
    />
  );
}

function ScopeRecord({ state, onChange, zone, canOpenHistory }: { state: AuditParams & { id: string }; onChange: (next: Partial<AuditParams>) => void; zone: string; canOpenHistory: boolean }) {
  const record = useAuditExport(state.scope, state.id);
  const queryClient = useQueryClient();

  if (record.isPending) return <Loading label="Журнал готовится…" />;
  if (record.isError) {
    // A refusal or an unknown id does not change on a retry; a dropped connection or a server error might.
    const final = record.error instanceof ApiError && record.error.status >= 400 && record.error.status < 500;
    return <LoadError error={record.error} title="Не удалось загрузить журнал" onRetry={final ? undefined : () => void record.refetch()} />;
  }
  const data = record.data;
  const task = state.scope === 'task' ? data.tasks.find((t) => t.id === state.id) : undefined;
  const verification = data.verification;

  return (
    <Flex vertical gap={16}>
      <Card size="small" title={<h2 className="card-heading">Выгрузка и проверка</h2>}>
        <Flex vertical gap={12}>
          {verification.ok ? (
            <Alert
              type="success"
              showIcon
              title={`Записи этого объекта не изменялись: проверено ${countOf(verification.checked, ENTRY)}`}
            />
          ) : (
            <Alert
              type="error"
              showIcon
              title={`Нарушена целостность: ${countOf(verification.failures.length, ENTRY)} из ${countOf(verification.checked, ENTRY_OF)}`}
              description={
                <ul className="audit-failures">
                  {verification.failures.map((f) => (
                    <li key={f.chainSeq}>
                      Запись № {f.chainSeq}: {f.reason}
                    </li>
                  ))}
                </ul>
              }
            />
          )}
          <Typography.Text type="secondary">
            Журнал сформирован {formatDateTimeInZone(data.generatedAt, zone)}.{' '}
            <Button
              type="link"
              size="small"
              style={{ padding: 0 }}
              onClick={() => void queryClient.invalidateQueries({ queryKey: ['audit', 'export', state.scope, state.id] })}
            >
              Обновить
            </Button>
          </Typography.Text>
          {task && (
            <Space wrap>
              <Link to={`/tasks/${encodeURIComponent(task.id)}`}>Карточка задачи</Link>
              {canOpenHistory && <Link to={historyHref(task.workflowId)}>История процесса задачи</Link>}
            </Space>
          )}
          <ExportButtons scope={state.scope} id={state.id} />
        </Flex>
      </Card>
      <Tabs
        activeKey={state.tab}
        onChange={(tab) => onChange({ tab })}
        items={[
          {
            key: 'timeline',
            label: `Хронология (${data.entries.length})`,
            children: <AuditTimeline data={data} zone={zone} filters={state} onFilters={onChange} />,
          },
          { key: 'mail', label: `Письма (${data.notifications.length})`, children: <NotificationsTable data={data} zone={zone} /> },
          {
            key: 'tasks',
            label: `Задачи (${data.tasks.length})`,
            children: <TasksTable data={data} zone={zone} canOpenHistory={canOpenHistory} />,
          },
          {
            key: 'workflows',
            label: 'Процессы',
            children:
              state.scope === 'cycle' ? (
                <CycleWorkflows cycleId={state.id} zone={zone} canOpen={canOpenHistory} />
              ) : (
                <ExportedWorkflows runs={data.workflows} zone={zone} canOpen={canOpenHistory} />
              ),
          },
        ]}
      />
    </Flex>
  );
}

export default function AuditPage() {
  const me = useMe();
  const [state, setState] = useAuditParams();
  const zone = useScopeZone(state.id ? state.scope : undefined, state.id, me.data?.organizationId);
  const isAuditor = me.data?.role === 'auditor';
  const navigate = useNavigate();

  // The API decides; this only spares the others a screen of refusals. The menu does not offer them the page.
  if (me.data && !isAuditor && !isMinistry(me.data.role)) {
    return (
      <Result
        status="403"
        title="Нет доступа к журналу аудита"
        subTitle="Журнал аудита читают аудитор и министерство. История ваших задач — в карточке каждой задачи."
        extra={
          <Button type="primary" onClick={() => void navigate('/tasks')}>
            К моим задачам
          </Button>
        }
      />
    );
  }

  return (
    <Flex vertical gap={16}>
      <div>
        <Typography.Title level={1} style={{ marginTop: 0 }}>
          Аудит
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          Журнал действий по циклу, организации или задаче: кто, что и когда сделал, к какому сроку, какие напоминания и эскалации
          кому ушли. Журнал только для чтения: на этих страницах ничего не изменяется.
        </Typography.Paragraph>
      </div>
      {isAuditor && <ChainStatus />}
      <Card size="small">
        <ScopePicker state={state} onChange={setState} />
      </Card>
      {state.id ? (
        zone ? (
          <ScopeRecord state={{ ...state, id: state.id }} onChange={setState} zone={zone} canOpenHistory={isAuditor} />
        ) : (
          <Loading />
        )
      ) : (
        <Typography.Paragraph type="secondary">
          {state.scope === 'cycle'
            ? 'Выберите цикл, чтобы увидеть его журнал.'
            : state.scope === 'organization'
              ? 'Выберите организацию, чтобы увидеть её журнал.'
              : 'Выберите задачу, чтобы увидеть её журнал.'}
        </Typography.Paragraph>
      )}
    </Flex>
  );
}
