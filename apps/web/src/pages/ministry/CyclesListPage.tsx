/** `/cycles`: the region's yearly cycles, newest first, and the way to launch one. */
import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Flex, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link, useNavigate } from 'react-router';
import { errorMessage, useMe } from '../../api/client';
import { EmptyState } from '../../components/states';
import { formatDateTimeInZone, formatNumber } from '../../format';
import { CycleStatusTag } from './CycleStatusTag';
import { useCycles, useTemplates } from './queries';
import type { CycleView } from './types';

export default function CyclesListPage() {
  const cycles = useCycles();
  const templates = useTemplates();
  const me = useMe();
  const navigate = useNavigate();
  const canLaunch = me.data?.role === 'ministry_admin';
  const templateTitle = new Map((templates.data ?? []).map((t) => [t.id, t.title]));
  // A calendar-year template names its cycle by the calendar year; the list knows it from the template's summary.
  const calendarYear = new Set((templates.data ?? []).filter((t) => t.firstCalendarYear != null).map((t) => t.id));

  const columns: ColumnsType<CycleView> = [
    {
      title: 'Цикл',
      dataIndex: 'title',
      key: 'title',
      width: 340,
      render: (_, c) => (
        <Flex vertical gap={2}>
          <Link to={`/cycles/${encodeURIComponent(c.id)}`}>{c.title}</Link>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {c.id}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: 'Год',
      dataIndex: 'academicYear',
      key: 'year',
      width: 110,
      sorter: (a, b) => a.academicYear - b.academicYear,
      defaultSortOrder: 'descend',
      render: (_, c) => (calendarYear.has(c.templateId) ? String(c.academicYear) : `${c.academicYear}/${c.academicYear + 1}`),
    },
    {
      // The cycle's title is its template's; the column names which template and version the plan came from.
      title: 'Шаблон и версия',
      key: 'template',
      width: 200,
      render: (_, c) => (
        <span title={templateTitle.get(c.templateId)}>
          {c.templateId}, версия {c.templateVersion}
        </span>
      ),
    },
    {
      title: 'Статус',
      dataIndex: 'status',
      key: 'status',
      width: 140,
      render: (_, c) => <CycleStatusTag status={c.status} />,
    },
    {
      title: 'Запущен',
      dataIndex: 'launchedAt',
      key: 'launchedAt',
      width: 190,
      render: (_, c) => formatDateTimeInZone(c.launchedAt, c.timeZone),
    },
    {
      title: 'Участники',
      key: 'participants',
      width: 110,
      align: 'right',
      render: (_, c) => (c.progress ? formatNumber(c.progress.participants) : '—'),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="center" wrap gap={12}>
        <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
          Циклы программы
        </Typography.Title>
        {canLaunch && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => void navigate('/cycles/new')}>
            Запустить цикл
          </Button>
        )}
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
        Годовые циклы поддержки школ с низкими результатами в регионе: один цикл на учебный год, из одной версии
        шаблона. Участники — школы утверждённого списка (до его утверждения — 0).
      </Typography.Paragraph>
      {cycles.error && <Alert type="error" showIcon title={errorMessage(cycles.error)} />}
      <Table<CycleView>
        rowKey="id"
        columns={columns}
        dataSource={cycles.data ?? []}
        loading={cycles.isLoading}
        pagination={false}
        scroll={{ x: 960 }}
        locale={{ emptyText: <EmptyState>Циклов пока нет</EmptyState> }}
      />
    </Flex>
  );
}
