/**
 * One organisation of the directory: what it is, where it belongs, its people with their roles and log-ins, and the
 * substitutions of its people. The ministry administrator also adds people, gives, withdraws and restores log-ins,
 * changes roles, sets new passwords and names deputies here; everyone else (the auditor included) only reads.
 */
import { DownOutlined, PlusOutlined } from '@ant-design/icons';
import { App, Breadcrumb, Button, Descriptions, Dropdown, Flex, Form, Input, Select, Table, Tag, Typography, type MenuProps, type TableProps } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError, errorMessage, useMe } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { countOf, formatDate, zoneLabel } from '../../format';
import { LOGIN_STATES, PERSON_FORMS, type LoginState, type OrganizationDetail, type Person, type Role } from '../directory/labels';
import { OrganizationSubstitutions } from '../directory/OrganizationSubstitutions';
import { useUpdatePerson } from '../directory/queries';
import { ORGANIZATION_KINDS, ROLE_TITLES } from './labels';
import './audit.css';
import { municipalityOf } from './OrganizationsPage';
import { useOrganization, useOrganizations } from './queries';

// The administrator's forms load only when one is opened.
const AddPersonModal = lazy(async () => ({ default: (await import('../directory/AddPersonModal')).AddPersonModal }));
const RoleModal = lazy(async () => ({ default: (await import('../directory/LoginModals')).RoleModal }));
const PasswordModal = lazy(async () => ({ default: (await import('../directory/LoginModals')).PasswordModal }));
const DeputyModal = lazy(async () => ({ default: (await import('../directory/DeputyModal')).DeputyModal }));

type Dialog = { kind: 'add' } | { kind: 'role' | 'password' | 'deputy'; person: Person } | null;

const LOGIN_ORDER: LoginState[] = ['active', 'withdrawn', 'none'];

export default function OrganizationPage() {
  const { id = '' } = useParams();
  const organization = useOrganization(id);
  const all = useOrganizations();
  const me = useMe();
  const admin = me.data?.role === 'ministry_admin';
  const byId = useMemo(() => new Map((all.data ?? []).map((o) => [o.id, o])), [all.data]);
  const children = useMemo(
    () => (all.data ?? []).filter((o) => o.parentId === id).sort((a, b) => a.name.localeCompare(b.name, 'ru')),
    [all.data, id],
  );
  const [dialog, setDialog] = useState<Dialog>(null);

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
  const close = () => setDialog(null);

  return (
    <Flex vertical gap={24}>
      <div>
        {crumbs}
        <Typography.Title level={1} style={{ marginTop: 8 }}>
          {org.name}
        </Typography.Title>
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
      </div>
      <PeopleSection organization={org} admin={admin} ownPersonId={me.data?.personId} onDialog={setDialog} />
      <OrganizationSubstitutions organizationId={org.id} canRevoke={admin} />
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
      {admin && dialog && (
        <Suspense fallback={null}>
          {dialog.kind === 'add' && <AddPersonModal organization={org} open onClose={close} />}
          {dialog.kind === 'role' && <RoleModal organization={org} person={dialog.person} onClose={close} />}
          {dialog.kind === 'password' && <PasswordModal organization={org} person={dialog.person} onClose={close} />}
          {dialog.kind === 'deputy' && <DeputyModal person={dialog.person} onClose={close} />}
        </Suspense>
      )}
    </Flex>
  );
}

interface PeopleSectionProps {
  organization: OrganizationDetail;
  admin: boolean;
  ownPersonId: string | undefined;
  onDialog(dialog: Dialog): void;
}

/** «Сотрудники»: searchable, filterable by log-in and role, sortable, paged; the administrator's actions per person. */
function PeopleSection({ organization: org, admin, ownPersonId, onDialog }: PeopleSectionProps) {
  const { message, modal } = App.useApp();
  const update = useUpdatePerson(org.id);
  const [query, setQuery] = useState('');
  const [login, setLogin] = useState<LoginState>();

  const people = useMemo(() => {
    const needle = query.trim().toLocaleLowerCase('ru');
    return [...org.people]
      .filter((p) => !login || p.login === login)
      .filter((p) => !needle || [p.fullName, p.email, p.position].some((text) => text.toLocaleLowerCase('ru').includes(needle)))
      .sort((a, b) => Number(b.isHead) - Number(a.isHead) || a.fullName.localeCompare(b.fullName, 'ru'));
  }, [org.people, query, login]);
  const counts = useMemo(() => {
    const byState = { active: 0, withdrawn: 0, none: 0 } satisfies Record<LoginState, number>;
    for (const p of org.people) byState[p.login] += 1;
    return byState;
  }, [org.people]);
  const roles = useMemo(() => [...new Set(org.people.flatMap((p) => (p.role ? [p.role] : [])))], [org.people]);

  const toggleLogin = (person: Person, enable: boolean) => {
    modal.confirm({
      title: enable ? `Открыть вход: ${person.fullName}?` : `Закрыть вход: ${person.fullName}?`,
      content: enable
        ? 'Сотрудник снова сможет входить со своим прежним паролем и прежней ролью.'
        : 'Все открытые сеансы сотрудника завершатся сразу, а войти снова он не сможет, пока вход не откроют. Письма ему по-прежнему приходят.',
      okText: enable ? 'Открыть вход' : 'Закрыть вход',
      okButtonProps: { danger: !enable },
      cancelText: 'Отмена',
      onOk: () =>
        update.mutateAsync({ personId: person.id, body: { loginEnabled: enable } }).then(
          () => void message.success(enable ? `Вход открыт снова: ${person.fullName}` : `Вход закрыт: ${person.fullName}`),
          (error: unknown) => void message.error(errorMessage(error)),
        ),
    });
  };

  const actions = (person: Person): MenuProps['items'] => {
    const self = person.id === ownPersonId;
    return [
      { key: 'deputy', label: 'Назначить заместителя', onClick: () => onDialog({ kind: 'deputy', person }) },
      ...(person.login === 'none'
        ? [{ key: 'grant', label: 'Выдать вход', onClick: () => onDialog({ kind: 'password', person }) }]
        : [
            { key: 'role', label: 'Изменить роль', disabled: self, onClick: () => onDialog({ kind: 'role', person }) },
            { key: 'password', label: 'Задать новый пароль', onClick: () => onDialog({ kind: 'password', person }) },
            person.login === 'withdrawn'
              ? { key: 'restore', label: 'Открыть вход', onClick: () => toggleLogin(person, true) }
              : { key: 'withdraw', label: 'Закрыть вход', danger: true, disabled: self, onClick: () => toggleLogin(person, false) },
          ]),
    ];
  };

  const columns: TableProps<Person>['columns'] = [
    {
      title: 'Сотрудник',
      key: 'name',
      sorter: (a, b) => a.fullName.localeCompare(b.fullName, 'ru'),
      render: (_, p) => (
        <Flex vertical>
          <span>
            {p.fullName}{' '}
            {p.isHead && (
              <Tag className="audit-tag" color="blue">
                руководитель
              </Tag>
            )}
          </span>
          <Typography.Text type="secondary">{p.position}</Typography.Text>
        </Flex>
      ),
    },
    {
      title: 'Электронная почта',
      key: 'email',
      sorter: (a, b) => a.email.localeCompare(b.email),
      render: (_, p) => <a href={`mailto:${p.email}`}>{p.email}</a>,
    },
    {
      title: 'Роль',
      key: 'role',
      render: (_, p) => (p.role ? ROLE_TITLES[p.role] : '—'),
      sorter: (a, b) => (a.role ? ROLE_TITLES[a.role] : '').localeCompare(b.role ? ROLE_TITLES[b.role] : '', 'ru'),
      filters: roles.map((r: Role) => ({ text: ROLE_TITLES[r], value: r })),
      onFilter: (value, p) => p.role === value,
    },
    {
      title: 'Вход в систему',
      key: 'login',
      sorter: (a, b) => LOGIN_ORDER.indexOf(a.login) - LOGIN_ORDER.indexOf(b.login),
      render: (_, p) => (
        <Flex vertical>
          <span>
            <Tag className="audit-tag" color={LOGIN_STATES[p.login].color}>
              {LOGIN_STATES[p.login].text}
            </Tag>
          </span>
          {p.login === 'withdrawn' && p.loginWithdrawnAt && (
            <Typography.Text type="secondary">с {formatDate(p.loginWithdrawnAt, org.timeZone)}</Typography.Text>
          )}
          {p.login === 'active' && admin && p.passwordSetAt && (
            <Typography.Text type="secondary">пароль задан {formatDate(p.passwordSetAt, org.timeZone)}</Typography.Text>
          )}
        </Flex>
      ),
    },
    ...(admin
      ? [
          {
            title: <span className="visually-hidden">Действия</span>,
            key: 'actions',
            render: (_: unknown, p: Person) => (
              <Dropdown menu={{ items: actions(p) }} trigger={['click']}>
                <Button size="small" aria-label={`Действия: ${p.fullName}`}>
                  Действия <DownOutlined aria-hidden />
                </Button>
              </Dropdown>
            ),
          },
        ]
      : []),
  ];

  const total = org.people.length;
  const summary =
    total === 0
      ? ''
      : [
          countOf(total, PERSON_FORMS),
          `может входить: ${counts.active}`,
          ...(counts.withdrawn ? [`вход закрыт: ${counts.withdrawn}`] : []),
          `только получают письма: ${counts.none}`,
        ].join(' · ');

  return (
    <section aria-labelledby="people-heading">
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Typography.Title level={2} id="people-heading" style={{ fontSize: 20, margin: 0 }}>
          Сотрудники
        </Typography.Title>
        {admin && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => onDialog({ kind: 'add' })}>
            Добавить сотрудника
          </Button>
        )}
      </Flex>
      {summary && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {summary}
        </Typography.Paragraph>
      )}
      {total > 0 && (
        <Form layout="vertical" className="audit-filters" aria-label="Фильтры сотрудников">
          <Form.Item label="Поиск" htmlFor="people-search">
            <Input
              id="people-search"
              allowClear
              placeholder="ФИО, почта или должность"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              style={{ width: 280 }}
            />
          </Form.Item>
          <Form.Item label="Вход в систему" htmlFor="people-login">
            <Select
              id="people-login"
              allowClear
              placeholder="Все"
              value={login}
              onChange={(v?: LoginState) => setLogin(v ?? undefined)}
              options={LOGIN_ORDER.map((s) => ({ value: s, label: LOGIN_STATES[s].text }))}
              style={{ width: 240 }}
            />
          </Form.Item>
        </Form>
      )}
      <Table<Person>
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={people}
        pagination={{ defaultPageSize: 20, hideOnSinglePage: true, showSizeChanger: people.length > 20 }}
        scroll={{ x: true }}
        locale={{
          emptyText:
            total > 0 ? (
              <EmptyState>Под выбранные условия не подходит ни один сотрудник.</EmptyState>
            ) : (
              <EmptyState>
                {admin
                  ? 'Сотрудники не указаны: напоминания этой организации некому отправлять. Добавьте их кнопкой «Добавить сотрудника».'
                  : 'Сотрудники не указаны: напоминания этой организации некому отправлять. Их добавляет администратор министерства.'}
              </EmptyState>
            ),
        }}
      />
    </section>
  );
}
