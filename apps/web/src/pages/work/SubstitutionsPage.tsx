/**
 * «Заместители»: naming a deputy for an absence (POST /api/substitutions): while it lasts, the person's e-mails go to
 * the deputy, who may act for the organisation. The person's own substitutions and those where they are the deputy
 * (GET /api/substitutions), each cancellable while it has not ended (DELETE /api/substitutions/:id). A ministry
 * administrator may name a deputy for anyone of the region, found by name; everyone else names their own.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, DatePicker, Form, Input, Popconfirm, Table, Tag, Typography, type TableProps } from 'antd';
import type { Dayjs } from 'dayjs';
import { Link } from 'react-router';
import { api, errorMessage, meQueryKey, unwrap, useMe } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { formatLocalDate } from '../../format';
import { PersonPicker } from '../directory/PersonPicker';
import { directoryKeys } from '../directory/queries';
import { workKeys, type Substitution } from './queries';
import './work.css';

const STATE: Record<Substitution['state'], { text: string; color: string }> = {
  scheduled: { text: 'запланировано', color: 'blue' },
  active: { text: 'действует', color: 'green' },
  ended: { text: 'завершено', color: 'default' },
  revoked: { text: 'отменено', color: 'default' },
};

interface NewSubstitution {
  deputyEmail: string;
  personEmail?: string;
  period: [Dayjs, Dayjs];
  reason: string;
}

function personText(p: Substitution['person']): string {
  return `${p.fullName} (${p.email})`;
}

export function SubstitutionsPage() {
  const me = useMe();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<NewSubstitution>();
  const list = useQuery({ queryKey: workKeys.substitutions, queryFn: () => unwrap(api.GET('/api/substitutions')) });
  const admin = me.data?.role === 'ministry_admin';
  const personEmail = Form.useWatch('personEmail', form)?.trim() ?? '';
  const principalEmail = personEmail || me.data?.email || '';

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: workKeys.substitutions }),
      queryClient.invalidateQueries({ queryKey: meQueryKey }),
      // The organisations' pages list their people's substitutions.
      queryClient.invalidateQueries({ queryKey: directoryKeys.all }),
    ]);

  const create = useMutation({
    mutationFn: (v: NewSubstitution) =>
      unwrap(
        api.POST('/api/substitutions', {
          body: {
            deputyEmail: v.deputyEmail.trim(),
            ...(admin && v.personEmail?.trim() ? { personEmail: v.personEmail.trim() } : {}),
            startsOn: v.period[0].format('YYYY-MM-DD'),
            endsOn: v.period[1].format('YYYY-MM-DD'),
            reason: v.reason.trim(),
          },
        }),
      ),
    onSuccess: async (s) => {
      void message.success(
        s.person.email === me.data?.email
          ? `Заместитель назначен: ${s.deputy.fullName}, ${formatLocalDate(s.startsOn)}–${formatLocalDate(s.endsOn)}`
          : `Замещение назначено: ${s.person.fullName}; заместитель — ${s.deputy.fullName}, ${formatLocalDate(s.startsOn)}–${formatLocalDate(s.endsOn)}`,
      );
      form.resetFields();
      await refresh();
    },
  });

  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/substitutions/{id}', { params: { path: { id } } })),
    onSuccess: async () => {
      void message.success('Замещение отменено');
      await refresh();
    },
    onError: (error) => void message.error(errorMessage(error)),
  });

  const columns = (who: 'person' | 'deputy'): TableProps<Substitution>['columns'] => [
    {
      title: who === 'deputy' ? 'Заместитель' : 'Кого замещаю',
      key: 'who',
      render: (_v, s) => personText(s[who]),
    },
    ...(who === 'deputy'
      ? [{ title: 'Кого замещает', key: 'person', render: (_v: unknown, s: Substitution) => (s.person.email === me.data?.email ? 'вас' : personText(s.person)) }]
      : []),
    {
      title: 'Период',
      key: 'period',
      render: (_v, s) => <span style={{ whiteSpace: 'nowrap' }}>{`${formatLocalDate(s.startsOn)} – ${formatLocalDate(s.endsOn)}`}</span>,
    },
    { title: 'Причина', dataIndex: 'reason', key: 'reason' },
    {
      title: 'Состояние',
      key: 'state',
      render: (_v, s) => <Tag color={STATE[s.state].color}>{STATE[s.state].text}</Tag>,
    },
    {
      title: <span className="visually-hidden">Действия</span>,
      key: 'actions',
      render: (_v, s) =>
        s.state === 'scheduled' || s.state === 'active' ? (
          <Popconfirm
            title="Отменить замещение?"
            description="Письма снова будут приходить самому сотруднику."
            okText="Отменить замещение"
            cancelText="Нет"
            onConfirm={() => revoke.mutateAsync(s.id)}
          >
            <Button size="small" danger loading={revoke.isPending && revoke.variables === s.id} aria-label={`Отменить замещение: ${s.deputy.fullName}, ${formatLocalDate(s.startsOn)}`}>
              Отменить
            </Button>
          </Popconfirm>
        ) : null,
    },
  ];

  if (me.isPending) return <Loading />;

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 28, marginTop: 0 }}>
        Заместители
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        На время отсутствия назначьте заместителя: напоминания и эскалации будут приходить ему, и он сможет выполнять задачи
        вашей организации. Даты — по времени вашей организации, включительно; не больше года.
      </Typography.Paragraph>

      <Card size="small" title="Назначить заместителя" style={{ marginBottom: 24 }}>
        <Form<NewSubstitution> form={form} layout="vertical" onFinish={(v) => create.mutate(v)} disabled={create.isPending} style={{ maxWidth: 640 }}>
          {admin && (
            <Form.Item
              label="Сотрудник, которого замещают"
              name="personEmail"
              extra={
                <>
                  Начните вводить фамилию или адрес: администратор назначает заместителя любому сотруднику региона. Оставьте
                  пустым, чтобы назначить заместителя себе. Замещения других сотрудников видны на странице их организации в
                  разделе{' '}
                  <Link to="/organizations" style={{ textDecoration: 'underline' }}>
                    «Организации»
                  </Link>
                  .
                </>
              }
              rules={[{ type: 'email', message: 'Выберите сотрудника из списка или введите адрес электронной почты' }]}
            >
              <PersonPicker placeholder="Фамилия или электронная почта" />
            </Form.Item>
          )}
          <Form.Item
            label="Заместитель"
            name="deputyEmail"
            extra="Начните вводить фамилию или адрес; заместитель должен иметь вход в Uplift"
            rules={[
              { required: true, whitespace: true, message: 'Укажите заместителя' },
              { type: 'email', message: 'Выберите сотрудника из списка или введите адрес электронной почты' },
            ]}
          >
            <PersonPicker withLogin exclude={principalEmail ? [principalEmail] : []} placeholder="Фамилия или электронная почта" />
          </Form.Item>
          <Form.Item label="Период отсутствия" name="period" rules={[{ required: true, message: 'Укажите первый и последний день' }]}>
            <DatePicker.RangePicker format="DD.MM.YYYY" placeholder={['первый день', 'последний день']} />
          </Form.Item>
          <Form.Item
            label="Причина"
            name="reason"
            rules={[
              { required: true, whitespace: true, message: 'Укажите причину (отпуск, командировка…)' },
              { max: 500, message: 'Не длиннее 500 символов' },
            ]}
          >
            <Input maxLength={500} placeholder="Ежегодный оплачиваемый отпуск" />
          </Form.Item>
          {create.isError && <Alert type="error" showIcon role="alert" title={errorMessage(create.error)} style={{ marginBottom: 16 }} />}
          <Button type="primary" htmlType="submit" loading={create.isPending}>
            Назначить
          </Button>
        </Form>
      </Card>

      {list.isError ? (
        <LoadError error={list.error} title="Не удалось загрузить замещения" onRetry={() => void list.refetch()} />
      ) : (
        <>
          <section aria-label="Мои заместители">
            <Typography.Title level={2} style={{ fontSize: 20 }}>
              Мои заместители
            </Typography.Title>
            <Table<Substitution>
              rowKey="id"
              size="small"
              loading={list.isPending}
              dataSource={list.data?.mine}
              columns={columns('deputy')}
              pagination={false}
              scroll={{ x: 720 }}
              locale={{ emptyText: list.isPending ? ' ' : <EmptyState>Заместителей вы ещё не назначали.</EmptyState> }}
            />
          </section>
          <section aria-label="Я замещаю" style={{ marginTop: 24 }}>
            <Typography.Title level={2} style={{ fontSize: 20 }}>
              Я замещаю
            </Typography.Title>
            <Table<Substitution>
              rowKey="id"
              size="small"
              loading={list.isPending}
              dataSource={list.data?.asDeputy}
              columns={columns('person')}
              pagination={false}
              scroll={{ x: 640 }}
              locale={{ emptyText: list.isPending ? ' ' : <EmptyState>Вас никто не назначал заместителем.</EmptyState> }}
            />
          </section>
        </>
      )}
    </>
  );
}

export default SubstitutionsPage;
