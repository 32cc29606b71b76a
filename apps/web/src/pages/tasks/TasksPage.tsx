import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Flex, Form, Select, Space, Table, Typography, type TableProps } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { EmptyState, LoadError } from '../../components/states';
import { countOf, formatDateTime, NOUNS, zoneLabel } from '../../format';
import { DeadlineTag, TaskStatusTag, TimeLeft } from './task-labels';

type Task = Schemas['TaskView'];
type Status = NonNullable<Task['status']>;

const PAGE_SIZES = [10, 20, 50, 100];
const DEFAULT_PAGE_SIZE = 20;

const STATUS_OPTIONS: { value: Status; label: string }[] = [
  { value: 'open', label: 'Открытые' },
  { value: 'completed', label: 'Выполненные' },
  { value: 'cancelled', label: 'Отменённые' },
];

function isStatus(value: string | null): value is Status {
  return STATUS_OPTIONS.some((o) => o.value === value);
}

function positiveInt(value: string | null, fallback: number): number {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

/** The inbox's state lives in the address: a filtered page can be bookmarked, reloaded and sent to a colleague. */
function useInboxParams() {
  const [params, setParams] = useSearchParams();
  const statusParam = params.get('status');
  const state = {
    page: positiveInt(params.get('page'), 1),
    pageSize: PAGE_SIZES.includes(Number(params.get('size'))) ? Number(params.get('size')) : DEFAULT_PAGE_SIZE,
    status: isStatus(statusParam) ? statusParam : undefined,
    cycleId: params.get('cycle') || undefined,
    order: params.get('order') === 'desc' ? ('desc' as const) : ('asc' as const),
  };
  const update = (next: Partial<typeof state>) => {
    const merged = { ...state, ...next };
    const out = new URLSearchParams();
    if (merged.page > 1) out.set('page', String(merged.page));
    if (merged.pageSize !== DEFAULT_PAGE_SIZE) out.set('size', String(merged.pageSize));
    if (merged.status) out.set('status', merged.status);
    if (merged.cycleId) out.set('cycle', merged.cycleId);
    if (merged.order === 'desc') out.set('order', 'desc');
    setParams(out, { replace: true });
  };
  return [state, update] as const;
}

export function TasksPage() {
  const [inbox, setInbox] = useInboxParams();

  const tasks = useQuery({
    queryKey: ['tasks', 'list', inbox],
    queryFn: () =>
      unwrap(
        api.GET('/api/tasks', {
          params: {
            query: {
              limit: inbox.pageSize,
              offset: (inbox.page - 1) * inbox.pageSize,
              status: inbox.status,
              cycleId: inbox.cycleId,
              order: inbox.order,
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });

  // The cycle filter lists the region's cycles; if they cannot be read, the filter is simply not offered.
  const cycles = useQuery({ queryKey: ['cycles', 'list'], queryFn: () => unwrap(api.GET('/api/cycles')), staleTime: 60_000 });

  const columns: TableProps<Task>['columns'] = [
    {
      title: 'Задача',
      key: 'title',
      render: (_, task) => (
        <Space orientation="vertical" size={0}>
          <Link to={`/tasks/${encodeURIComponent(task.id)}`}>{task.title}</Link>
          {task.cycle && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {cycles.data?.find((c) => c.id === task.cycle?.cycleId)?.title ?? task.cycle.cycleId}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    { title: 'Исполнитель', key: 'assignee', render: (_, task) => task.assignee.name },
    {
      title: 'Срок',
      key: 'dueAt',
      sorter: true,
      sortOrder: inbox.order === 'desc' ? 'descend' : 'ascend',
      sortDirections: ['ascend', 'descend', 'ascend'],
      showSorterTooltip: { title: 'Сортировать по сроку' },
      render: (_, task) => (
        <Space orientation="vertical" size={0}>
          <span style={{ whiteSpace: 'nowrap' }}>{formatDateTime(task.dueAt, task.timeZone)}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
            {zoneLabel(task.timeZone, task.dueAt)}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: 'Осталось',
      key: 'left',
      render: (_, task) => (
        <Space orientation="vertical" size={2}>
          <DeadlineTag task={task} />
          <TimeLeft task={task} />
        </Space>
      ),
    },
    { title: 'Статус', key: 'status', render: (_, task) => <TaskStatusTag task={task} /> },
  ];

  const filtered = Boolean(inbox.status || inbox.cycleId);
  const total = tasks.data?.total;

  return (
    <>
      <Flex align="baseline" gap={16} wrap>
        <Typography.Title level={1} style={{ fontSize: 28, marginTop: 0 }}>
          Мои задачи
        </Typography.Title>
        {total !== undefined && (
          <Typography.Text type="secondary" aria-live="polite">
            {filtered ? 'Найдено' : 'Всего'}: {countOf(total, NOUNS.task)}
          </Typography.Text>
        )}
      </Flex>
      <Form layout="inline" style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item label="Статус" htmlFor="inbox-status">
          <Select<Status | 'all'>
            id="inbox-status"
            style={{ width: 180 }}
            value={inbox.status ?? 'all'}
            options={[{ value: 'all', label: 'Все' }, ...STATUS_OPTIONS]}
            onChange={(value) => setInbox({ status: value === 'all' ? undefined : value, page: 1 })}
          />
        </Form.Item>
        {cycles.isSuccess && cycles.data.length > 0 && (
          <Form.Item label="Цикл" htmlFor="inbox-cycle">
            <Select<string>
              id="inbox-cycle"
              style={{ width: 320 }}
              value={inbox.cycleId ?? ''}
              options={[
                { value: '', label: 'Все циклы и отдельные задачи' },
                ...cycles.data.map((c) => ({ value: c.id, label: c.title })),
              ]}
              onChange={(value) => setInbox({ cycleId: value || undefined, page: 1 })}
            />
          </Form.Item>
        )}
      </Form>
      {tasks.isError ? (
        <LoadError error={tasks.error} title="Не удалось загрузить задачи" onRetry={() => void tasks.refetch()} />
      ) : (
        <Table<Task>
          rowKey="id"
          columns={columns}
          dataSource={tasks.data?.items}
          loading={tasks.isFetching}
          scroll={{ x: 800 }}
          locale={{
            emptyText: tasks.isPending ? (
              ' '
            ) : (
              <EmptyState>
                {filtered
                  ? 'Нет задач с выбранными условиями. Измените статус или цикл, чтобы увидеть другие задачи.'
                  : 'Задач пока нет. Здесь появятся задачи вашей организации, когда министерство запустит цикл программы или назначит задачу.'}
              </EmptyState>
            ),
          }}
          pagination={{
            current: inbox.page,
            pageSize: inbox.pageSize,
            total: total ?? 0,
            showSizeChanger: true,
            pageSizeOptions: PAGE_SIZES,
            hideOnSinglePage: false,
            showTotal: (all, [from, to]) => `${from}–${to} из ${all}`,
          }}
          onChange={(pagination, _filters, sorter) => {
            const sort = Array.isArray(sorter) ? sorter[0] : sorter;
            const order = sort?.order === 'descend' ? 'desc' : 'asc';
            const pageSize = pagination.pageSize ?? inbox.pageSize;
            setInbox({
              order,
              pageSize,
              // A new order or page size starts from the first page.
              page: order !== inbox.order || pageSize !== inbox.pageSize ? 1 : (pagination.current ?? 1),
            });
          }}
        />
      )}
    </>
  );
}
