/**
 * `/review` «Рассмотрение»: the documents (plans, programmes, reports, practices) the reader's organisation is to
 * review, earliest deadline first, with whose document it is, the cycle, the version and the working days left. Each
 * row opens the task's page, where the review itself is done (ReviewPanel).
 */
import { Alert, Flex, Form, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMe, type Me } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { countOf, formatDateTime, zoneLabel, type PluralForms } from '../../format';
import { DeadlineTag, TimeLeft } from '../tasks/task-labels';
import { canReview } from '../../layout/roles';
import { useCycleList, useReadableOrganizations, useReviewQueue, type ReviewTask } from './queries';

const DOCUMENT: PluralForms = { one: 'документ', few: 'документа', many: 'документов' };

export default function ReviewQueuePage() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} title="Не удалось загрузить профиль" onRetry={() => void me.refetch()} />;
  if (!canReview(me.data.role)) {
    return (
      <>
        <Title />
        <Alert type="info" showIcon title="Рассмотрение документов доступно министерству, институту развития образования и муниципальным координаторам." />
      </>
    );
  }
  return <ReviewQueue me={me.data} />;
}

function Title() {
  return (
    <Typography.Title level={1} style={{ fontSize: 28, marginTop: 0 }}>
      Рассмотрение
    </Typography.Title>
  );
}

function ReviewQueue({ me }: { me: Me }) {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const cycleFilter = params.get('cycle') || undefined;
  const queue = useReviewQueue(me);
  const cycles = useCycleList();
  const organizations = useReadableOrganizations(me.regionCode);

  const cycleTitle = (id: string) => cycles.data?.find((c) => c.id === id)?.title ?? id;
  const orgName = (id: string) => organizations.data?.find((o) => o.id === id)?.name ?? id;
  const all = queue.data?.items ?? [];
  const rows = cycleFilter ? all.filter((t) => t.cycle?.cycleId === cycleFilter) : all;
  const cycleIds = [...new Set(all.map((t) => t.cycle?.cycleId).filter((id): id is string => Boolean(id)))];
  const overdue = rows.filter((t) => t.overdue).length;

  const columns: TableProps<ReviewTask>['columns'] = [
    {
      title: 'Документ',
      key: 'title',
      render: (_, task) => (
        <Link to={`/tasks/${encodeURIComponent(task.id)}`} onClick={(e) => e.stopPropagation()}>
          {task.title}
        </Link>
      ),
    },
    {
      title: 'Чей документ',
      key: 'subject',
      render: (_, task) => (task.cycle ? orgName(task.cycle.subjectOrganizationId) : '—'),
    },
    {
      title: 'Цикл',
      key: 'cycle',
      render: (_, task) => (task.cycle ? cycleTitle(task.cycle.cycleId) : '—'),
    },
    {
      title: 'Версия',
      key: 'round',
      width: 100,
      render: (_, task) => <span style={{ whiteSpace: 'nowrap' }}>версия {task.cycle?.round ?? 1}</span>,
    },
    {
      title: 'Срок',
      key: 'due',
      width: 170,
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
      width: 190,
      render: (_, task) => (
        <Space orientation="vertical" size={2}>
          <DeadlineTag task={task} />
          <TimeLeft task={task} />
        </Space>
      ),
    },
  ];

  return (
    <>
      <Flex align="baseline" gap={16} wrap>
        <Title />
        {queue.isSuccess && (
          <Typography.Text type="secondary" aria-live="polite">
            {rows.length === 0 ? 'Ждущих рассмотрения нет' : `Ждут рассмотрения: ${countOf(rows.length, DOCUMENT)}`}
            {overdue > 0 && (
              <>
                {' '}
                <Tag color="red">просрочено: {overdue}</Tag>
              </>
            )}
          </Typography.Text>
        )}
      </Flex>
      <Typography.Paragraph type="secondary">
        Документы, которые представили на рассмотрение вашей организации, — сначала с ближайшим сроком. Откройте
        документ, чтобы сравнить версии, утвердить его, вернуть на доработку с замечаниями или отклонить.
      </Typography.Paragraph>
      {cycleIds.length > 1 && (
        <Form layout="inline" style={{ marginBottom: 16 }}>
          <Form.Item label="Цикл" htmlFor="review-cycle">
            <Select<string>
              id="review-cycle"
              style={{ width: 320, maxWidth: '100%' }}
              value={cycleFilter ?? ''}
              options={[{ value: '', label: 'Все циклы' }, ...cycleIds.map((id) => ({ value: id, label: cycleTitle(id) }))]}
              onChange={(value) => setParams(value ? { cycle: value } : {}, { replace: true })}
            />
          </Form.Item>
        </Form>
      )}
      {queue.isSuccess && !queue.data.complete && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title="Показаны не все документы: их слишком много для одной страницы. Сначала рассмотрите документы с ближайшим сроком."
        />
      )}
      {queue.isError ? (
        <LoadError error={queue.error} title="Не удалось загрузить документы на рассмотрение" onRetry={() => void queue.refetch()} />
      ) : (
        <Table<ReviewTask>
          rowKey="id"
          columns={columns}
          dataSource={rows}
          loading={queue.isFetching && !queue.isSuccess}
          scroll={{ x: 900 }}
          pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false, showTotal: (n, [a, b]) => `${a}–${b} из ${n}` } : false}
          onRow={(task) => ({
            onClick: () => void navigate(`/tasks/${encodeURIComponent(task.id)}`),
            style: { cursor: 'pointer' },
          })}
          locale={{
            emptyText: queue.isPending ? (
              ' '
            ) : (
              <EmptyState>
                {cycleFilter
                  ? 'В этом цикле документов на рассмотрении нет. Выберите «Все циклы», чтобы увидеть остальные.'
                  : 'Документов на рассмотрении нет. Они появятся здесь, когда организация, документы которой рассматривает ваша, представит план, программу или отчёт по шагу цикла, — вместе со сроком рассмотрения; возвращённый на доработку документ вернётся сюда следующей версией.'}
              </EmptyState>
            ),
          }}
        />
      )}
    </>
  );
}
