/**
 * One practice of the bank (GET /api/practices/:id): the school, when it was published, and the practice's form as
 * the school filled it in — each text field under its own heading — with its keywords and the monitoring improvement
 * when recorded. A withdrawn practice says when, by whom and why.
 */
import { useQuery } from '@tanstack/react-query';
import { Alert, Breadcrumb, Descriptions, Flex, Space, Tag, Typography } from 'antd';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap } from '../../api/client';
import { LoadError, Loading } from '../../components/states';
import { formatDate, formatDateTimeInZone, formatNumber } from '../../format';
import { useOwnZone } from './PracticesPage';
import './practices.css';

interface Section {
  heading?: string;
  text: string;
}

/**
 * The body is written as «field title\nfield text», the fields separated by a blank line. A block whose first line is
 * short and followed by text is a field; any other block continues the field before it (a blank line the school typed).
 */
export function bodySections(body: string): Section[] {
  const sections: Section[] = [];
  for (const block of body.split(/\n\s*\n/)) {
    const trimmed = block.trim();
    if (!trimmed) continue;
    const newline = trimmed.indexOf('\n');
    const first = newline === -1 ? trimmed : trimmed.slice(0, newline);
    if (newline !== -1 && first.length <= 150 && !/[.!?;:]$/.test(first.trim())) {
      sections.push({ heading: first.trim(), text: trimmed.slice(newline + 1).trim() });
    } else if (sections.length) {
      sections[sections.length - 1].text += `\n\n${trimmed}`;
    } else {
      sections.push({ text: trimmed });
    }
  }
  return sections;
}

const IMPROVEMENT_KEYS: Record<string, string> = {
  indicatorId: 'Показатель',
  indicator: 'Показатель',
  improvement: 'Улучшение',
  change: 'Изменение',
  first: 'В начале',
  last: 'В конце',
  steadiness: 'Устойчивость',
  periods: 'Периоды',
};

function improvementValue(value: unknown): string {
  if (typeof value === 'number') return formatNumber(value, 2);
  if (typeof value === 'boolean') return value ? 'да' : 'нет';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

export default function PracticePage() {
  const { id = '' } = useParams();
  const zone = useOwnZone();
  const practice = useQuery({
    queryKey: ['practices', 'one', id],
    queryFn: () => unwrap(api.GET('/api/practices/{id}', { params: { path: { id } } })),
  });

  const crumbs = <Breadcrumb items={[{ title: <Link to="/practices">Банк практик</Link> }, { title: practice.data?.title ?? 'Практика' }]} />;

  if (practice.isPending) return <Loading />;
  if (practice.isError) {
    const notFound = practice.error instanceof ApiError && (practice.error.status === 404 || practice.error.status === 400);
    return (
      <>
        {crumbs}
        <Typography.Title level={1}>{notFound ? 'Практика не найдена' : 'Практика'}</Typography.Title>
        <LoadError error={practice.error} title="Не удалось открыть практику" onRetry={notFound ? undefined : () => void practice.refetch()} />
      </>
    );
  }
  const p = practice.data;
  const sections = bodySections(p.body);
  const improvement = p.improvement && typeof p.improvement === 'object' ? Object.entries(p.improvement) : [];

  return (
    <Flex vertical gap={16} className="practice-page">
      <div>
        {crumbs}
        <Typography.Title level={1} style={{ marginTop: 8 }}>
          {p.title}
        </Typography.Title>
        <Typography.Text type="secondary">
          {p.schoolName}
          {p.municipalityName ? ` · ${p.municipalityName}` : ''}
        </Typography.Text>
      </div>
      {p.status === 'withdrawn' && (
        <Alert
          type="warning"
          showIcon
          title="Практика снята с публикации"
          description={
            p.withdrawal
              ? `${formatDateTimeInZone(p.withdrawal.at, zone)}, ${p.withdrawal.by}. Основание: ${p.withdrawal.reason}`
              : 'Она не показывается в поиске.'
          }
        />
      )}
      <Descriptions
        size="small"
        bordered
        column={{ xs: 1, md: 2 }}
        items={[
          { key: 'school', label: 'Школа', children: p.schoolName },
          { key: 'mun', label: 'Муниципалитет', children: p.municipalityName ?? '—' },
          { key: 'date', label: 'Опубликована', children: formatDate(p.publishedAt, zone) },
          { key: 'by', label: 'Утвердил', children: p.publishedBy },
          { key: 'cycle', label: 'Цикл', children: p.cycleId },
        ]}
      />
      {/* The summary is the first field of the form; it is shown once, under that field's heading when there is one. */}
      {p.summary && !sections.some((s) => s.text.trim() === p.summary.trim()) && (
        <section aria-labelledby="practice-summary">
          <Typography.Title level={2} id="practice-summary" className="practice-section-title">
            Кратко
          </Typography.Title>
          <Typography.Paragraph className="pre-wrap">{p.summary}</Typography.Paragraph>
        </section>
      )}
      {sections.map((s, i) => (
        <section key={i} aria-labelledby={s.heading ? `practice-field-${i}` : undefined}>
          {s.heading && (
            <Typography.Title level={2} id={`practice-field-${i}`} className="practice-section-title">
              {s.heading}
            </Typography.Title>
          )}
          <Typography.Paragraph className="pre-wrap">{s.text}</Typography.Paragraph>
        </section>
      ))}
      {p.keywords.length > 0 && (
        <section aria-labelledby="practice-keywords">
          <Typography.Title level={2} id="practice-keywords" className="practice-section-title">
            Ключевые слова
          </Typography.Title>
          <Space size={[4, 4]} wrap>
            {p.keywords.map((k) => (
              <Link key={k} to={`/practices?q=${encodeURIComponent(`"${k}"`)}`}>
                <Tag>{k}</Tag>
              </Link>
            ))}
          </Space>
        </section>
      )}
      {improvement.length > 0 && (
        <section aria-labelledby="practice-improvement">
          <Typography.Title level={2} id="practice-improvement" className="practice-section-title">
            Результаты мониторинга
          </Typography.Title>
          <Descriptions
            size="small"
            bordered
            column={1}
            items={improvement.map(([key, value]) => ({ key, label: IMPROVEMENT_KEYS[key] ?? key, children: improvementValue(value) }))}
          />
        </section>
      )}
    </Flex>
  );
}
