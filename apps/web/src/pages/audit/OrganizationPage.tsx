/** One organisation of the directory: what it is, where it belongs, its people and whether each can log in. */
import { CheckOutlined, MinusOutlined } from '@ant-design/icons';
import { Breadcrumb, Descriptions, Flex, Table, Tag, Typography, type TableProps } from 'antd';
import { useMemo } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, type Schemas } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { countOf, zoneLabel } from '../../format';
import { ORGANIZATION_KINDS, ROLE_TITLES } from './labels';
import './audit.css';
import { municipalityOf } from './OrganizationsPage';
import { useOrganization, useOrganizations } from './queries';

type Person = Schemas['PersonView'];
const PERSON = { one: 'сотрудник', few: 'сотрудника', many: 'сотрудников' };

export default function OrganizationPage() {
  const { id = '' } = useParams();
  const organization = useOrganization(id);
  const all = useOrganizations();
  const byId = useMemo(() => new Map((all.data ?? []).map((o) => [o.id, o])), [all.data]);
  const children = useMemo(
    () => (all.data ?? []).filter((o) => o.parentId === id).sort((a, b) => a.name.localeCompare(b.name, 'ru')),
    [all.data, id],
  );

  const crumbs = <Breadcrumb items={[{ title: <Link to="/organizations">Организации</Link> }, { title: organization.data?.name ?? id }]} />;

  if (organization.isPending) return <Loading />;
  if (organization.isError) {
    const notFound = organization.error instanceof ApiError && organization.error.status === 404;
    return (
      <>
        {crumbs}
        <Typography.Title level={1}>{notFound ? 'Организация не найдена' : 'Организация'}</Typography.Title>
        <LoadError error={organization.error} title="Не удалось загрузить организацию" onRetry={notFound ? undefined : () => void organization.refetch()} />
      </>
    );
  }
  const org = organization.data;
  const parent = org.parentId ? byId.get(org.parentId) : undefined;
  const municipality = org.kind === 'school' ? municipalityOf(org, byId) : undefined;
  const people = [...org.people].sort((a, b) => Number(b.isHead) - Number(a.isHead) || a.fullName.localeCompare(b.fullName, 'ru'));
  const withLogin = people.filter((p) => p.role).length;

  const columns: TableProps<Person>['columns'] = [
    {
      title: 'Сотрудник',
      key: 'name',
      render: (_, p) => (
        <Flex vertical>
          <span>
            {p.fullName} {p.isHead && <Tag className="audit-tag" color="blue">руководитель</Tag>}
          </span>
          <Typography.Text type="secondary">{p.position}</Typography.Text>
        </Flex>
      ),
    },
    { title: 'Электронная почта', key: 'email', render: (_, p) => <a href={`mailto:${p.email}`}>{p.email}</a> },
    { title: 'Роль', key: 'role', render: (_, p) => (p.role ? ROLE_TITLES[p.role] : '—') },
    {
      title: 'Вход в систему',
      key: 'login',
      render: (_, p) =>
        p.role ? (
          <span>
            <CheckOutlined aria-hidden /> может входить
          </span>
        ) : (
          <Typography.Text type="secondary">
            <MinusOutlined aria-hidden /> только получает письма
          </Typography.Text>
        ),
    },
  ];

  return (
    <Flex vertical gap={16}>
      <div>
        {crumbs}
        <Typography.Title level={1} style={{ marginTop: 8 }}>
          {org.name}
        </Typography.Title>
      </div>
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'kind', label: 'Вид', children: ORGANIZATION_KINDS[org.kind] },
          { key: 'code', label: 'Код', children: org.code ?? '—' },
          ...(municipality ? [{ key: 'mun', label: 'Муниципалитет', children: <Link to={`/organizations/${encodeURIComponent(municipality.id)}`}>{municipality.name}</Link> }] : []),
          ...(parent && parent.id !== municipality?.id
            ? [{ key: 'parent', label: 'Входит в', children: <Link to={`/organizations/${encodeURIComponent(parent.id)}`}>{parent.name}</Link> }]
            : []),
          { key: 'zone', label: 'Часовой пояс', children: zoneLabel(org.timeZone) },
          { key: 'id', label: 'Идентификатор', children: <Typography.Text copyable>{org.id}</Typography.Text> },
        ]}
      />
      <section aria-labelledby="people-heading">
        <Typography.Title level={2} id="people-heading" style={{ fontSize: 20 }}>
          Сотрудники
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {people.length === 0
            ? ''
            : withLogin === people.length
              ? `${countOf(people.length, PERSON)}; ${people.length === 1 ? 'может' : 'все могут'} входить в систему.`
              : withLogin === 0
                ? `${countOf(people.length, PERSON)}; никто не входит в систему — все только получают напоминания и эскалации по почте.`
                : `${countOf(people.length, PERSON)}, из них ${withLogin} ${withLogin % 10 === 1 && withLogin % 100 !== 11 ? 'может' : 'могут'} входить в систему; остальные только получают напоминания и эскалации по почте.`}
        </Typography.Paragraph>
        <Table<Person>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={people}
          pagination={false}
          scroll={{ x: true }}
          locale={{ emptyText: <EmptyState>Сотрудники не указаны: напоминания этой организации некому отправлять. Их добавляет администратор министерства.</EmptyState> }}
        />
      </section>
      {children.length > 0 && (
        <section aria-labelledby="children-heading">
          <Typography.Title level={2} id="children-heading" style={{ fontSize: 20 }}>
            {org.kind === 'municipality' ? 'Школы муниципалитета' : 'Подведомственные организации'}
          </Typography.Title>
          <ul className="plain-list">
            {children.map((c) => (
              <li key={c.id}>
                <Link to={`/organizations/${encodeURIComponent(c.id)}`}>{c.name}</Link>
                {c.code && <Typography.Text type="secondary"> · код {c.code}</Typography.Text>}
              </li>
            ))}
          </ul>
        </section>
      )}
    </Flex>
  );
}
