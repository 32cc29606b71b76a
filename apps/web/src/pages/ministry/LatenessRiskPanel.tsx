/**
 * «Риск просрочек по муниципалитетам»: the municipalities most likely to be late, as the API ranks them
 * (GET /api/cycles/:cycleId/lateness-risk; the score is defined in libs/domain/analytics/README.md), each with its
 * score out of 100 as a bar, its level and the reasons in Russian. The formula is said under the table, with the
 * weights and thresholds the API answered with, so the screen and the ranking cannot disagree.
 */
import { Alert, Flex, Progress, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { errorMessage } from '../../api/client';
import { EmptyState } from '../../components/states';
import { countOf, formatNumber, NOUNS } from '../../format';
import { useLatenessRisk, type LatenessRiskRow, type LatenessRiskView } from './lateness-risk-query';

type Level = LatenessRiskRow['level'];

/** Dark text on a light background (contrast above 4.5:1), as on the heat table; the bar carries the level's colour. */
const LEVELS: Record<Level, { text: string; background: string; color: string; bar: string }> = {
  high: { text: 'высокий риск', background: '#fff1f0', color: '#a8071a', bar: '#cf1322' },
  medium: { text: 'средний риск', background: '#fff7e6', color: '#873800', bar: '#d46b08' },
  low: { text: 'низкий риск', background: '#f6ffed', color: '#135200', bar: '#389e0d' },
  insufficient_data: { text: 'мало данных', background: '#fafafa', color: '#434343', bar: '#bfbfbf' },
};

const percentOf = (share: number) => formatNumber(share * 100, 0);
const points = (score: number) => Math.round(score * 100);

function Explanation({ method }: { method: LatenessRiskView['method'] }) {
  const { weights, caps } = method;
  return (
    <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 13 }}>
      Как считается: учитываются задачи муниципалитета и его школ, у которых срок уже наступил (выполненные, просроченные
      и те, по которым была эскалация); отменённые и ещё не наступившие — нет. Оценка от 0 до 100 складывается из трёх
      частей: {percentOf(weights.overdue)}% — доля просроченных задач (выполненных с опозданием или не выполненных после
      срока); {percentOf(weights.escalations)}% — эскалации на задачу (полностью при {formatNumber(caps.escalationsPerTask)} и
      больше); {percentOf(weights.lateness)}% — средняя просрочка в рабочих днях по производственному календарю (полностью
      при {countOf(caps.averageLatenessWorkingDays, NOUNS.workingDay)} и больше). Высокий риск — от{' '}
      {points(method.highFrom)}, средний — от {points(method.mediumFrom)}. Если задач с наступившим сроком меньше{' '}
      {formatNumber(method.minAssessedTasks)}, муниципалитет помечен «мало данных» и стоит в конце списка.
    </Typography.Paragraph>
  );
}

export default function LatenessRiskPanel({ cycleId }: { cycleId: string }) {
  const risk = useLatenessRisk(cycleId);
  const data = risk.data;

  const columns: ColumnsType<LatenessRiskRow> = [
    { title: 'Место', dataIndex: 'rank', key: 'rank', width: 70, align: 'center' },
    {
      title: 'Муниципалитет',
      key: 'name',
      width: 240,
      onCell: () => ({ role: 'rowheader' }),
      render: (_, row) => (
        <Flex vertical gap={0}>
          <span>{row.municipalityName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {countOf(row.counts.tasks, NOUNS.task)}, срок наступил у {formatNumber(row.counts.assessed)}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: 'Оценка риска',
      key: 'score',
      width: 200,
      render: (_, row) => {
        const level = LEVELS[row.level];
        return (
          <Flex vertical gap={2}>
            <Progress
              percent={points(row.score)}
              strokeColor={level.bar}
              format={() => `${points(row.score)} из 100`}
              aria-label={`${row.municipalityName}: оценка риска ${points(row.score)} из 100`}
            />
            <span>
              <Tag style={{ background: level.background, color: level.color, borderColor: level.bar }}>{level.text}</Tag>
            </span>
          </Flex>
        );
      },
    },
    {
      title: 'Почему',
      key: 'reasons',
      render: (_, row) => (
        <ul style={{ margin: 0, paddingInlineStart: 18 }}>
          {row.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      ),
    },
  ];

  const nothingDueYet = data !== undefined && data.items.every((row) => row.counts.assessed === 0);
  const own = data?.scope === 'own_municipality' ? data.items[0] : undefined;

  return (
    <Flex vertical gap={8}>
      {risk.error && <Alert type="error" showIcon title={errorMessage(risk.error)} />}
      {own && (
        <Typography.Text>
          Ваш муниципалитет — на {formatNumber(own.rank)}-м месте из {formatNumber(data!.ranked)} по риску просрочек.
        </Typography.Text>
      )}
      {nothingDueYet ? (
        <EmptyState>
          Рейтинг появится, когда у задач муниципалитетов и их школ наступят сроки: он строится по выполненным и просроченным
          задачам цикла.
        </EmptyState>
      ) : (
        <div role="region" aria-label="Рейтинг муниципалитетов по риску просрочек (прокручивается)" tabIndex={0} style={{ overflowX: 'auto' }}>
          <Table<LatenessRiskRow>
            size="small"
            rowKey="municipalityId"
            columns={columns}
            dataSource={data?.items ?? []}
            loading={risk.isLoading}
            pagination={false}
            locale={{ emptyText: <EmptyState>Нет муниципалитетов для рейтинга</EmptyState> }}
            aria-label="Муниципалитеты с наибольшим риском просрочек"
          />
        </div>
      )}
      {data && <Explanation method={data.method} />}
    </Flex>
  );
}
