/**
 * «Замещения» on an organisation's page: the substitutions in force or planned whose person or deputy works there
 * (GET /api/organizations/:id/substitutions); the ministry administrator revokes them (DELETE /api/substitutions/:id).
 */
import { App, Button, Popconfirm, Table, Tag, Typography, type TableProps } from 'antd';
import { errorMessage } from '../../api/client';
import { EmptyState, LoadError } from '../../components/states';
import { formatLocalDate } from '../../format';
import './directory.css';
import { SUBSTITUTION_STATES, type Substitution } from './labels';
import { useOrganizationSubstitutions, useRevokeSubstitution } from './queries';

export function OrganizationSubstitutions({ organizationId, canRevoke }: { organizationId: string; canRevoke: boolean }) {
  const list = useOrganizationSubstitutions(organizationId);
  const revoke = useRevokeSubstitution();
  const { message } = App.useApp();

  const who = (p: Substitution['person']) => (
    <span>
      {p.fullName}
      <br />
      <Typography.Text type="secondary">{p.email}</Typography.Text>
    </span>
  );

  const columns: TableProps<Substitution>['columns'] = [
    {
      title: 'Кого замещают',
      key: 'person',
      render: (_v, s) => who(s.person),
      sorter: (a, b) => a.person.fullName.localeCompare(b.person.fullName, 'ru'),
    },
    { title: 'Заместитель', key: 'deputy', render: (_v, s) => who(s.deputy) },
    {
      title: 'Период',
      key: 'period',
      render: (_v, s) => <span style={{ whiteSpace: 'nowrap' }}>{`${formatLocalDate(s.startsOn)} – ${formatLocalDate(s.endsOn)}`}</span>,
      sorter: (a, b) => a.startsOn.localeCompare(b.startsOn),
      defaultSortOrder: 'ascend',
    },
    { title: 'Причина', dataIndex: 'reason', key: 'reason' },
    {
      title: 'Состояние',
      key: 'state',
      render: (_v, s) => (
        <Tag className="directory-tag" color={SUBSTITUTION_STATES[s.state].color}>
          {SUBSTITUTION_STATES[s.state].text}
        </Tag>
      ),
      filters: (['active', 'scheduled'] as const).map((state) => ({ text: SUBSTITUTION_STATES[state].text, value: state })),
      onFilter: (value, s) => s.state === value,
    },
    ...(canRevoke
      ? [
          {
            title: <span className="visually-hidden">Действия</span>,
            key: 'actions',
            render: (_v: unknown, s: Substitution) => (
              <Popconfirm
                title="Отменить замещение?"
                description={`Письма снова будут приходить сотруднику ${s.person.fullName}.`}
                okText="Отменить замещение"
                cancelText="Нет"
                onConfirm={() =>
                  revoke.mutateAsync(s.id).then(
                    () => void message.success('Замещение отменено'),
                    (error: unknown) => void message.error(errorMessage(error)),
                  )
                }
              >
                <Button size="small" danger aria-label={`Отменить замещение: ${s.person.fullName}, ${formatLocalDate(s.startsOn)}`}>
                  Отменить
                </Button>
              </Popconfirm>
            ),
          },
        ]
      : []),
  ];

  return (
    <section aria-labelledby="substitutions-heading">
      <Typography.Title level={2} id="substitutions-heading" style={{ fontSize: 20 }}>
        Замещения
      </Typography.Title>
      {list.isError ? (
        <LoadError error={list.error} title="Не удалось загрузить замещения" onRetry={() => void list.refetch()} />
      ) : (
        <Table<Substitution>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={list.data}
          loading={list.isPending}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          scroll={{ x: 720 }}
          locale={{
            emptyText: list.isPending ? (
              ' '
            ) : (
              <EmptyState>
                Сейчас никого не замещают и замещения не запланированы. Здесь появятся заместители сотрудников этой организации и
                те, кого её сотрудники замещают.
              </EmptyState>
            ),
          }}
        />
      )}
    </section>
  );
}
