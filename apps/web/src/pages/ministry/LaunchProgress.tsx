/**
 * The dashboard's «Запуск цикла» card: after the launch (and again after the list of schools is approved) the cycle
 * starts its tracks and issues the first tasks to every organisation over seconds or minutes. The card shows how
 * many of the tasks that wave issues at once are out and how many organisations have theirs (the API's `launch`,
 * counted from the tasks the workflows have written), asking again every few seconds until everything is out. Once
 * done it says so for a while, so that whoever launched sees the end, and can be closed; on a later visit it is gone.
 */
import { CheckCircleOutlined, LoadingOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Progress, Typography } from 'antd';
import { useId, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { formatDateTimeInZone, formatNumber, plural, type PluralForms } from '../../format';
import { percent } from './labels';
import { cycleKeys } from './queries';
import type { CycleView } from './types';

type Launch = NonNullable<CycleView['launch']>;

/** How often to ask while tasks are being issued; a paused cycle issues nothing, so it is asked less often. */
const POLL_MS = 3_000;
const PAUSED_POLL_MS = 15_000;
/** How long a finished wave stays on the dashboard after its last task. */
const DONE_SHOWN_MS = 15 * 60_000;

/** «из 1 задачи», «из 3 задач», «из 5 задач». */
const TASK_GENITIVE: PluralForms = { one: 'задачи', few: 'задач', many: 'задач' };
const ORGANIZATION_GENITIVE: PluralForms = { one: 'организации', few: 'организаций', many: 'организаций' };

function ofTotal(part: number, total: number, forms: PluralForms): string {
  return `${formatNumber(part)} из ${formatNumber(total)} ${plural(total, forms)}`;
}

function waveText(launch: Launch, timeZone: string): string {
  return launch.phase === 'launch'
    ? 'Первая очередь: задачи идентификации и этапов министерства и института, которые не ждут списка школ. ' +
        'Муниципалитеты и школы получат задачи после утверждения списка.'
    : `Список школ утверждён ${formatDateTimeInZone(launch.startedAt, timeZone)}: муниципалитеты и школы-участницы получают ` +
        'задачи первых этапов.';
}

export default function LaunchProgress({ cycleId }: { cycleId: string }) {
  const titleId = useId();
  const [closed, setClosed] = useState<string | null>(null);
  // The dashboard's own query (same key and request): this observer only asks more often while tasks are issued.
  const cycle = useQuery({
    queryKey: cycleKeys.one(cycleId),
    queryFn: () => unwrap(api.GET('/api/cycles/{id}', { params: { path: { id: cycleId } } })),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data?.launch || data.launch.complete) return false;
      return data.status === 'paused' ? PAUSED_POLL_MS : POLL_MS;
    },
  });
  const c = cycle.data;
  const launch = c?.launch;
  if (!c || !launch || launch.stepsExpected === 0 || closed === launch.startedAt) return null;
  const lastIssuedMs = launch.lastIssuedAt ? Date.parse(launch.lastIssuedAt) : Date.parse(launch.startedAt);
  // A finished wave stays for a while after its last task; the next render after that (any refetch) drops it.
  if (launch.complete && Date.now() - lastIssuedMs > DONE_SHOWN_MS) return null;

  const done = percent(launch.stepsIssued, launch.stepsExpected);
  const paused = c.status === 'paused';
  return (
    <section aria-labelledby={titleId}>
      <Card
        size="small"
        title={<span id={titleId}>Запуск цикла</span>}
        extra={
          launch.complete ? (
            <Button size="small" type="text" onClick={() => setClosed(launch.startedAt)}>
              Скрыть
            </Button>
          ) : undefined
        }
      >
        <Flex vertical gap={8}>
          <Typography.Text type="secondary">{waveText(launch, c.timeZone)}</Typography.Text>
          <Progress
            percent={done}
            status={launch.complete ? 'success' : paused ? 'normal' : 'active'}
            aria-label="Выдано задач запуска"
            aria-valuetext={`${done}%: выдано ${ofTotal(launch.stepsIssued, launch.stepsExpected, TASK_GENITIVE)}`}
          />
          <Typography.Text>
            Выдано {ofTotal(launch.stepsIssued, launch.stepsExpected, TASK_GENITIVE)}; получили задачи{' '}
            {ofTotal(launch.organizationsStarted, launch.organizationsExpected, ORGANIZATION_GENITIVE)}.
          </Typography.Text>
          {launch.stages.length > 1 && (
            <ul style={{ margin: 0, paddingInlineStart: 20 }} aria-label="По этапам">
              {launch.stages.map((s) => (
                <li key={s.stageId}>
                  {s.title}: {ofTotal(s.stepsIssued, s.stepsExpected, TASK_GENITIVE)}
                </li>
              ))}
            </ul>
          )}
          {launch.complete ? (
            <Typography.Text role="status">
              <CheckCircleOutlined aria-hidden style={{ color: '#237804' }} /> <strong>Запуск завершён:</strong> все задачи
              выданы{launch.lastIssuedAt ? `, последняя — ${formatDateTimeInZone(launch.lastIssuedAt, c.timeZone)}` : ''}.
            </Typography.Text>
          ) : paused ? (
            <Typography.Text>Цикл приостановлен: остальные задачи будут выданы после возобновления.</Typography.Text>
          ) : (
            <Typography.Text>
              <LoadingOutlined aria-hidden /> Задачи выдаются; данные обновляются каждые несколько секунд.
            </Typography.Text>
          )}
        </Flex>
      </Card>
    </section>
  );
}
