/**
 * `/agreements` «Соглашения»: a cycle's partner agreements the reader may see (GET /api/cycles/:id/agreements; a
 * school its own, a municipality its own and its schools', the region all), with their parties, who has confirmed,
 * the state and the signed document, filtered by state and municipality. The choice lives in the address.
 */
import { CheckCircleFilled, ClockCircleOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Alert, Flex, Form, Select, Space, Table, Tag, Typography, type TableProps } from 'antd';
import { useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, useMe, type Me, type Schemas } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { countOf, formatDateTime } from '../../format';
import { seesAgreements } from '../../layout/roles';
import { DocumentLink } from '../work/DocumentPicker';
import './agreements.css';
import { AGREEMENT_STATES, isAgreementState, PARTIES, STATE_ORDER, type Agreement, type AgreementState, type Party } from './labels';

type Cycle = Schemas['CycleView'];

const AGREEMENT = { one: 'соглашение', few: 'соглашения', many: 'соглашений' };

/** Newest year first; a running cycle before a closed one of the same year. */
function byRecency(a: Cycle, b: Cycle): number {
  return b.academicYear - a.academicYear || Number(b.status === 'running') - Number(a.status === 'running') || b.launchedAt.localeCompare(a.launchedAt);
}

function useAgreementParams(cycles: Cycle[] | undefined) {
  const [params, setParams] = useSearchParams();
  const stateParam = params.get('state');
  const cycleParam = params.get('cycle');
  const state = {
    cycleId: cycleParam && cycles?.some((c) => c.id === cycleParam) ? cycleParam : cycles?.[0]?.id,
    status: isAgreementState(stateParam) ? stateParam : undefined,
    municipalityId: params.get('municipality') || undefined,
  };
  const update = (next: Partial<typeof state>) => {
    const merged = { ...state, ...next };
    const out = new URLSearchParams();
    if (merged.cycleId) out.set('cycle', merged.cycleId);
    if (merged.status) out.set('state', merged.status);
    if (merged.municipalityId) out.set('municipality', merged.municipalityId);
    setParams(out, { replace: true });
  };
  return [state, update] as const;
}

export default function AgreementsPage() {
  const me = useMe();
  const cycles = useQuery({ queryKey: ['cycles', 'list'], queryFn: () => unwrap(api.GET('/api/cycles')), staleTime: 60_000 });
  const sorted = useMemo(() => (cycles.data ? [...cycles.data].sort(byRecency) : undefined), [cycles.data]);
  const [filters, setFilters] = useAgreementParams(sorted);

  const title = (
    <Typography.Title level={1} style={{ fontSize: 28, marginTop: 0 }}>
      Соглашения о партнёрстве
    </Typography.Title>
  );
  if (me.isPending || cycles.isPending) return <Loading />;
  if (me.isError) return <LoadError error={me.error} title="Не удалось загрузить профиль" onRetry={() => void me.refetch()} />;
  if (!seesAgreements(me.data.role)) {
    return (
      <>
        {title}
        <Alert type="info" showIcon title="Соглашения о партнёрстве видят министерство, муниципалитеты и школы." />
      </>
    );
  }
  if (cycles.isError) {
    return (
      <>
        {title}
        <LoadError error={cycles.error} title="Не удалось загрузить циклы" onRetry={() => void cycles.refetch()} />
      </>
    );
  }
  const cycle = sorted?.find((c) => c.id === filters.cycleId);

  return (
    <>
      {title}
      <Typography.Paragraph type="secondary">
        Пары «школа-участник — школа-партнёр», которые предложил муниципалитет. Соглашение подписано, когда его
        подтвердили обе школы и муниципалитет, приложивший подписанный документ.
      </Typography.Paragraph>
      {!cycle ? (
        <EmptyState>Циклов программы пока нет. Соглашения появятся, когда министерство запустит цикл и муниципалитеты предложат пары школ.</EmptyState>
      ) : (
        <CycleAgreements me={me.data} cycles={sorted ?? []} cycle={cycle} filters={filters} setFilters={setFilters} />
      )}
    </>
  );
}

interface Filters {
  cycleId?: string;
  status?: AgreementState;
  municipalityId?: string;
}

function CycleAgreements({
  me,
  cycles,
  cycle,
  filters,
  setFilters,
}: {
  me: Me;
  cycles: Cycle[];
  cycle: Cycle;
  filters: Filters;
  setFilters: (next: Partial<Filters>) => void;
}) {
  const agreements = useQuery({
    // The task page's confirmation panel reads the same list under this key.
    queryKey: ['work', 'agreements', cycle.id],
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/agreements', { params: { path: { cycleId: cycle.id } } })),
  });
  const all = useMemo(() => agreements.data ?? [], [agreements.data]);
  const municipalities = useMemo(() => {
    const names = new Map<string, string>();
    for (const a of all) {
      names.set(a.municipalityId, a.municipalityName ?? a.municipalityId);
      if (a.partnerMunicipalityId) names.set(a.partnerMunicipalityId, a.partnerMunicipalityName ?? a.partnerMunicipalityId);
    }
    return [...names].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label, 'ru'));
  }, [all]);
  const rows = all.filter(
    (a) =>
      (!filters.status || a.status === filters.status) &&
      (!filters.municipalityId || a.municipalityId === filters.municipalityId || a.partnerMunicipalityId === filters.municipalityId),
  );
  const counts = STATE_ORDER.map((s) => ({ state: s, n: all.filter((a) => a.status === s).length })).filter((c) => c.n > 0);
  const filtered = Boolean(filters.status || filters.municipalityId);
  const zone = cycle.timeZone;

  const partyOf = (a: Agreement, key: Party) => {
    const id = key === 'school' ? a.schoolId : key === 'partner' ? a.partnerSchoolId : a.municipalityId;
    const name = key === 'school' ? a.schoolName : key === 'partner' ? a.partnerSchoolName : (a.municipalityName ?? a.municipalityId);
    return { id, name, mine: id === me.organizationId || me.actingFor.some((p) => p.organizationId === id) };
  };

  const columns: TableProps<Agreement>['columns'] = [
    {
      title: 'Стороны',
      key: 'parties',
      render: (_, a) => (
        <dl className="agreement-parties">
          {PARTIES.map(({ key, title }) => {
            const party = partyOf(a, key);
            return (
              <div key={key}>
                <dt>{title}</dt>
                <dd>
                  {party.name}
                  {party.mine && <Tag style={{ marginInlineStart: 6 }}>вы</Tag>}
                  {key === 'partner' && a.partnerMunicipalityId && a.partnerMunicipalityId !== a.municipalityId && (
                    <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                      {a.partnerMunicipalityName ?? a.partnerMunicipalityId}
                    </Typography.Text>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      ),
    },
    {
      title: 'Подтверждения',
      key: 'confirmations',
      width: 300,
      render: (_, a) => (
        <ul className="agreement-confirmations" aria-label="Подтверждения сторон">
          {PARTIES.map(({ key, title }) => {
            const c = a.confirmations[key];
            return (
              <li key={key}>
                {c ? (
                  <>
                    <CheckCircleFilled style={{ color: '#389e0d' }} aria-hidden /> {title}: подтверждено{' '}
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} title={c.by}>
                      {formatDateTime(c.at, zone)}
                    </Typography.Text>
                  </>
                ) : (
                  <Typography.Text type="secondary">
                    <ClockCircleOutlined aria-hidden /> {title}: {a.status === 'cancelled' ? 'не подтверждено' : 'ждём подтверждения'}
                  </Typography.Text>
                )}
              </li>
            );
          })}
        </ul>
      ),
    },
    {
      title: 'Состояние',
      key: 'state',
      width: 150,
      render: (_, a) => (
        <Space orientation="vertical" size={2}>
          <Tag color={AGREEMENT_STATES[a.status].color}>{AGREEMENT_STATES[a.status].text}</Tag>
          {a.signedAt && (
            <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>
              {formatDateTime(a.signedAt, zone)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: 'Подписанное соглашение',
      key: 'document',
      width: 230,
      render: (_, a) =>
        !a.documentId ? (
          <Typography.Text type="secondary">ещё не приложено</Typography.Text>
        ) : (
          // Every party to an agreement (and whoever may read its municipality) reads its signed document.
          <DocumentLink id={a.documentId} label="Скачать соглашение" />
        ),
    },
  ];

  return (
    <>
      <Form layout="inline" style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item label="Цикл" htmlFor="agreements-cycle">
          <Select<string>
            id="agreements-cycle"
            style={{ width: 340, maxWidth: '100%' }}
            value={cycle.id}
            options={cycles.map((c) => ({ value: c.id, label: `${c.title} (${c.academicYear})` }))}
            onChange={(cycleId) => setFilters({ cycleId, municipalityId: undefined })}
          />
        </Form.Item>
        <Form.Item label="Состояние" htmlFor="agreements-state">
          <Select<AgreementState | ''>
            id="agreements-state"
            style={{ width: 170 }}
            value={filters.status ?? ''}
            options={[{ value: '', label: 'Все' }, ...STATE_ORDER.map((s) => ({ value: s, label: AGREEMENT_STATES[s].text }))]}
            onChange={(status) => setFilters({ status: status || undefined })}
          />
        </Form.Item>
        {municipalities.length > 1 && (
          <Form.Item label="Муниципалитет" htmlFor="agreements-municipality">
            <Select<string>
              id="agreements-municipality"
              style={{ width: 240, maxWidth: '100%' }}
              value={filters.municipalityId ?? ''}
              options={[{ value: '', label: 'Все муниципалитеты' }, ...municipalities]}
              onChange={(municipalityId) => setFilters({ municipalityId: municipalityId || undefined })}
            />
          </Form.Item>
        )}
      </Form>
      {agreements.isSuccess && all.length > 0 && (
        <Flex gap={8} wrap align="center" style={{ marginBottom: 12 }} aria-live="polite">
          <Typography.Text type="secondary">
            {filtered ? `Найдено ${countOf(rows.length, AGREEMENT)} из ${all.length}` : `Всего ${countOf(all.length, AGREEMENT)}`}:
          </Typography.Text>
          {counts.map((c) => (
            <Tag key={c.state} color={AGREEMENT_STATES[c.state].color}>
              {AGREEMENT_STATES[c.state].text}: {c.n}
            </Tag>
          ))}
        </Flex>
      )}
      {agreements.isError ? (
        <LoadError error={agreements.error} title="Не удалось загрузить соглашения" onRetry={() => void agreements.refetch()} />
      ) : (
        <Table<Agreement>
          rowKey="id"
          columns={columns}
          dataSource={rows}
          loading={agreements.isPending}
          scroll={{ x: 960 }}
          pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false, showTotal: (n, [a, b]) => `${a}–${b} из ${n}` } : false}
          locale={{
            emptyText: agreements.isPending ? (
              ' '
            ) : (
              <EmptyState>
                {filtered
                  ? 'Нет соглашений с выбранными условиями. Измените состояние или муниципалитет.'
                  : 'Соглашений в этом цикле пока нет. Они появятся, когда муниципалитеты предложат пары школ на этапе партнёрства; каждая сторона получит задачу подтвердить соглашение.'}
              </EmptyState>
            ),
          }}
        />
      )}
    </>
  );
}
