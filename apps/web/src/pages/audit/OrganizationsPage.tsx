/**
 * «Организации»: the region's directory — ministry, institute, municipalities and schools — for the ministry and the
 * auditor (who only reads). The ministry administrator also adds organisations here.
 */
import { PlusOutlined } from '@ant-design/icons';
import { App, Button, Flex, Form, Input, Select, Table, Typography, type TableProps } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMe, type Schemas } from '../../api/client';
import { EmptyState, LoadError } from '../../components/states';
import { countOf, zoneLabel } from '../../format';
import { ORGANIZATION_KINDS } from './labels';
import './audit.css';
import { useOrganizations } from './queries';

// The administrator's form: loaded only when opened, so readers never fetch it.
const AddOrganizationModal = lazy(async () => ({ default: (await import('../directory/AddOrganizationModal')).AddOrganizationModal }));

type Organization = Schemas['OrganizationView'];
type Kind = Organization['kind'];

const KIND_ORDER: Kind[] = ['ministry', 'institute', 'municipality', 'school'];
const ORGANIZATION = { one: 'организация', few: 'организации', many: 'организаций' };

function isKind(value: string | null): value is Kind {
  return value !== null && (KIND_ORDER as string[]).includes(value);
}

/** The municipality a school belongs to (its parent), or the municipality itself. */
export function municipalityOf(org: Organization, byId: Map<string, Organization>): Organization | undefined {
  if (org.kind === 'municipality') return org;
  let parent = org.parentId ? byId.get(org.parentId) : undefined;
  while (parent && parent.kind !== 'municipality') parent = parent.parentId ? byId.get(parent.parentId) : undefined;
  return parent;
}

export default function OrganizationsPage() {
  const organizations = useOrganizations();
  const me = useMe();
  const admin = me.data?.role === 'ministry_admin';
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [adding, setAdding] = useState(false);
  const [params, setParams] = useSearchParams();
  const kindParam = params.get('kind');
  const kind = isKind(kindParam) ? kindParam : undefined;
  const query = params.get('q') ?? '';
  const municipality = params.get('municipality') || undefined;

  const set = (next: { kind?: Kind; q?: string; municipality?: string }) => {
    const merged = { kind, q: query, municipality, ...next };
    const out = new URLSearchParams();
    if (merged.kind) out.set('kind', merged.kind);
    if (merged.q) out.set('q', merged.q);
    if (merged.municipality) out.set('municipality', merged.municipality);
    setParams(out, { replace: true });
  };

  const byId = useMemo(() => new Map((organizations.data ?? []).map((o) => [o.id, o])), [organizations.data]);
  const municipalities = useMemo(
    () => (organizations.data ?? []).filter((o) => o.kind === 'municipality').sort((a, b) => a.name.localeCompare(b.name, 'ru')),
    [organizations.data],
  );

  const rows = useMemo(() => {
    const needle = query.trim().toLocaleLowerCase('ru');
    return (organizations.data ?? [])
      .filter((o) => !kind || o.kind === kind)
      .filter((o) => !municipality || municipalityOf(o, byId)?.id === municipality)
      .filter((o) => !needle || o.name.toLocaleLowerCase('ru').includes(needle) || (o.code ?? '').includes(needle) || o.id.includes(needle))
      .sort(
        (a, b) =>
          KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
          (municipalityOf(a, byId)?.name ?? '').localeCompare(municipalityOf(b, byId)?.name ?? '', 'ru') ||
          a.name.localeCompare(b.name, 'ru'),
      );
  }, [organizations.data, kind, municipality, query, byId]);

  const municipalityName = (o: Organization) => (o.kind === 'school' ? (municipalityOf(o, byId)?.name ?? '') : '');
  const columns: TableProps<Organization>['columns'] = [
    {
      title: 'Организация',
      key: 'name',
      render: (_, o) => <Link to={`/organizations/${encodeURIComponent(o.id)}`}>{o.name}</Link>,
      sorter: (a, b) => a.name.localeCompare(b.name, 'ru'),
    },
    {
      title: 'Вид',
      key: 'kind',
      render: (_, o) => ORGANIZATION_KINDS[o.kind],
      sorter: (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
    },
    {
      title: 'Муниципалитет',
      key: 'municipality',
      render: (_, o) => municipalityName(o) || '—',
      sorter: (a, b) => municipalityName(a).localeCompare(municipalityName(b), 'ru'),
    },
    { title: 'Код', key: 'code', render: (_, o) => o.code ?? '—', sorter: (a, b) => (a.code ?? '').localeCompare(b.code ?? '') },
    { title: 'Часовой пояс', key: 'zone', render: (_, o) => zoneLabel(o.timeZone), responsive: ['lg'] },
  ];
  const ministryZone = (organizations.data ?? []).find((o) => o.kind === 'ministry')?.timeZone;

  return (
    <Flex vertical gap={16}>
      <Flex justify="space-between" align="flex-start" gap={16} wrap>
        <div style={{ flex: '1 1 480px' }}>
          <Typography.Title level={1} style={{ marginTop: 0 }}>
            Организации
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
            Справочник региона: министерство, институт развития образования, муниципалитеты и школы с их кодами в файлах
            идентификации. Откройте организацию, чтобы увидеть её сотрудников
            {admin ? ', выдать им вход в систему и назначить заместителей.' : '.'}
          </Typography.Paragraph>
        </div>
        {admin && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setAdding(true)}>
            Добавить организацию
          </Button>
        )}
      </Flex>
      {admin && me.data && adding && (
        <Suspense fallback={null}>
          <AddOrganizationModal
            open={adding}
            regionCode={me.data.regionCode}
            organizations={organizations.data ?? []}
            defaultTimeZone={ministryZone ?? 'Europe/Moscow'}
            onClose={() => setAdding(false)}
            onCreated={(org) => {
              setAdding(false);
              void message.success(`Организация «${org.name}» добавлена`);
              void navigate(`/organizations/${encodeURIComponent(org.id)}`);
            }}
          />
        </Suspense>
      )}
      <Form layout="vertical" className="audit-filters" aria-label="Фильтры организаций">
        <Form.Item label="Поиск" htmlFor="org-search">
          <Input.Search id="org-search" allowClear placeholder="Название, код или идентификатор" defaultValue={query} onSearch={(q) => set({ q })} style={{ width: 280 }} />
        </Form.Item>
        <Form.Item label="Вид" htmlFor="org-kind">
          <Select
            id="org-kind"
            allowClear
            placeholder="Все"
            value={kind}
            onChange={(k?: Kind) => set({ kind: k ?? undefined })}
            options={KIND_ORDER.map((k) => ({ value: k, label: ORGANIZATION_KINDS[k] }))}
            style={{ width: 240 }}
          />
        </Form.Item>
        <Form.Item label="Муниципалитет" htmlFor="org-municipality">
          <Select
            id="org-municipality"
            allowClear
            placeholder="Все"
            value={municipality}
            onChange={(m?: string) => set({ municipality: m ?? undefined })}
            options={municipalities.map((m) => ({ value: m.id, label: m.name }))}
            style={{ width: 240 }}
          />
        </Form.Item>
      </Form>
      {organizations.isError ? (
        <LoadError error={organizations.error} title="Не удалось загрузить справочник" onRetry={() => void organizations.refetch()} />
      ) : (
        <>
          {organizations.data && (
            <Typography.Text type="secondary" role="status">
              {countOf(rows.length, ORGANIZATION)}
            </Typography.Text>
          )}
          <Table<Organization>
            rowKey="id"
            size="middle"
            columns={columns}
            dataSource={rows}
            loading={organizations.isPending}
            pagination={{ defaultPageSize: 50, hideOnSinglePage: rows.length <= 50, showSizeChanger: true, pageSizeOptions: [25, 50, 100, 200] }}
            scroll={{ x: true }}
            locale={{
              emptyText: organizations.isPending ? ' ' : (
                <EmptyState>
                  {query || kind || municipality
                    ? 'Под выбранные условия не подходит ни одна организация.'
                    : admin
                      ? 'В справочнике пока нет организаций. Добавьте министерство, муниципалитеты и школы кнопкой «Добавить организацию».'
                      : 'В справочнике пока нет организаций. Их добавляет администратор министерства.'}
                </EmptyState>
              ),
            }}
          />
        </>
      )}
    </Flex>
  );
}
