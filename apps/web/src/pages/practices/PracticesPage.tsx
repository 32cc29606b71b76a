/** «Банк практик»: the region's published best practices, searched in Russian (GET /api/practices?q=), paged by the API. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Flex, Input, Pagination, Space, Tag, Typography } from 'antd';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, useMe } from '../../api/client';
import { EmptyState, LoadError, Loading } from '../../components/states';
import { countOf, formatDate } from '../../format';
import { useOrganization } from '../audit/queries';
import { Highlighted } from './Highlighted';
import './practices.css';

const PAGE_SIZE = 10;
const PRACTICE = { one: 'практика', few: 'практики', many: 'практик' };

/** The zone of the person's own organisation, for the publication dates. */
export function useOwnZone(): string {
  const me = useMe();
  return useOrganization(me.data?.organizationId).data?.timeZone ?? 'UTC';
}

export default function PracticesPage() {
  const [params, setParams] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const pageParam = Number(params.get('page'));
  const page = Number.isInteger(pageParam) && pageParam > 0 ? pageParam : 1;
  const zone = useOwnZone();

  const practices = useQuery({
    queryKey: ['practices', 'search', q, page],
    queryFn: () =>
      unwrap(api.GET('/api/practices', { params: { query: { q: q || undefined, limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
  });

  const go = (next: { q?: string; page?: number }) => {
    const out = new URLSearchParams();
    const query = next.q ?? q;
    if (query) out.set('q', query);
    const p = next.page ?? 1;
    if (p > 1) out.set('page', String(p));
    setParams(out);
  };

  const data = practices.data;
  return (
    <Flex vertical gap={16}>
      <div>
        <Typography.Title level={1} style={{ marginTop: 0 }}>
          Банк практик
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
          Описания работы школ, показавших наибольший и устойчивый рост по итогам мониторинга, утверждённые министерством.
        </Typography.Paragraph>
      </div>
      <div role="search" className="practice-search">
        <label htmlFor="practice-search" className="practice-search-label">
          Поиск практик
        </label>
        <Input.Search
          id="practice-search"
          key={q}
          defaultValue={q}
          allowClear
          enterButton="Найти"
          size="large"
          placeholder="Например: наставничество молодых учителей"
          loading={practices.isFetching}
          onSearch={(value) => go({ q: value.trim(), page: 1 })}
        />
        <Typography.Text type="secondary" className="practice-search-hint">
          Слова ищутся во всех формах; «точная фраза» в кавычках, -слово исключает, or — любое из слов.
        </Typography.Text>
      </div>
      {practices.isError ? (
        <LoadError error={practices.error} title="Не удалось выполнить поиск" onRetry={() => void practices.refetch()} />
      ) : (
        <>
          {data && data.total > 0 && (
            <Typography.Text type="secondary" role="status">
              {q ? `По запросу «${q}»: ${countOf(data.total, PRACTICE)}` : `Опубликовано ${countOf(data.total, PRACTICE)}`}
            </Typography.Text>
          )}
          {practices.isPending ? (
            <Loading label="Поиск…" />
          ) : !data || data.items.length === 0 ? (
            q ? (
              <EmptyState>По запросу «{q}» ничего не найдено. Попробуйте другие слова или уберите кавычки и исключения.</EmptyState>
            ) : (
              <EmptyState>
                <Typography.Paragraph style={{ maxWidth: 560, margin: '0 auto' }}>
                  Здесь пока нет практик. Они появляются в конце годового цикла: школы с наибольшим и устойчивым ростом
                  показателей мониторинга получают приглашение описать свою практику, и после утверждения министерством
                  описание публикуется здесь и становится доступно для поиска всем участникам программы.
                </Typography.Paragraph>
              </EmptyState>
            )
          ) : (
            <ul className="practice-list" aria-label="Найденные практики">
              {data.items.map((p) => (
                <li key={p.id}>
                  <Card size="small" className="practice-card">
                    <article aria-labelledby={`practice-${p.id}`}>
                      <Typography.Title level={2} className="practice-title" id={`practice-${p.id}`}>
                        <Link to={`/practices/${encodeURIComponent(p.id)}`}>
                          <Highlighted html={p.titleHtml} />
                        </Link>
                      </Typography.Title>
                      <Typography.Text type="secondary">
                        {p.schoolName}
                        {p.municipalityName ? ` · ${p.municipalityName}` : ''} · опубликована {formatDate(p.publishedAt, zone)}
                      </Typography.Text>
                      <Typography.Paragraph className="practice-snippet">
                        <Highlighted html={p.snippetHtml} />
                      </Typography.Paragraph>
                      {p.keywords.length > 0 && (
                        <Space size={[4, 4]} wrap aria-label="Ключевые слова">
                          {p.keywords.map((k) => (
                            <Tag key={k}>{k}</Tag>
                          ))}
                        </Space>
                      )}
                    </article>
                  </Card>
                </li>
              ))}
            </ul>
          )}
          {data && data.total > PAGE_SIZE && (
            <Pagination
              current={page}
              pageSize={PAGE_SIZE}
              total={data.total}
              showSizeChanger={false}
              onChange={(p) => go({ page: p })}
              showTotal={(total, [a, b]) => `${a}–${b} из ${total}`}
            />
          )}
        </>
      )}
    </Flex>
  );
}
