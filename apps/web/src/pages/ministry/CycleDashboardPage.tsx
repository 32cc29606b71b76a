/**
 * `/cycles/:id`: the cycle's dashboard — its state and the ministry's controls, progress per stage, the dates still to
 * be set, open tasks per municipality and stage coloured by lateness, and the monitoring dynamics (lazy: ECharts).
 *
 * A stage's bar: the whole bar is its step instances (a step once per organisation and period); the green part the
 * finished ones (`stepsDone`), the blue part those issued and not finished (`stepsStarted − stepsDone`); the percent
 * shown is stepsDone / stepsTotal, rounded. This is said on the screen too.
 */
import { ArrowLeftOutlined } from '@ant-design/icons';
import { Alert, Card, Descriptions, Flex, List, Progress, Skeleton, Tag, Typography } from 'antd';
import { lazy, Suspense } from 'react';
import { Link, useParams } from 'react-router';
import { useMe } from '../../api/client';
import { countOf, formatDateTimeInZone, formatNumber, zoneLabel } from '../../format';
import { CycleControls, SetStepDeadline } from './CycleControls';
import { CycleStatusTag } from './CycleStatusTag';
import { formatLocal, formatLocalInZone, percent, STAGE_STATUS, yearText } from './labels';
import LatenessHeatTable from './LatenessHeatTable';
import LatenessRiskPanel from './LatenessRiskPanel';
import LaunchProgress from './LaunchProgress';
import PendingActionsNotice from './PendingActionsNotice';
import { CycleLoadFailed } from './CycleLoadFailed';
import { useCycle, useTemplates } from './queries';
import type { CycleView, StageProgress } from './types';

const DynamicsPanel = lazy(() => import('./DynamicsPanel'));
/** «из 1 шага», «из 2 шагов», «из 5 шагов». */
const STEP_GENITIVE = { one: 'шага', few: 'шагов', many: 'шагов' };

function StageBar({ stage, timeZone }: { stage: StageProgress; timeZone: string }) {
  const done = percent(stage.stepsDone, stage.stepsTotal);
  const started = percent(stage.stepsStarted, stage.stepsTotal);
  const status = STAGE_STATUS[stage.status] ?? { text: stage.status, color: 'default' };
  const labelId = `stage-${stage.id}`;
  return (
    <Flex vertical gap={2}>
      <Flex wrap justify="space-between" gap={8}>
        <Flex wrap gap={8} align="center">
          <Typography.Text strong id={labelId}>
            {stage.title}
          </Typography.Text>
          <Tag color={status.color}>{status.text}</Tag>
          {stage.extendedTo && <Tag color="orange">продлён до {formatLocalInZone(stage.extendedTo, timeZone)}</Tag>}
        </Flex>
        <Typography.Text type="secondary">
          {stage.stepsTotal === 0
            ? 'шаги появятся, когда откроется этап (для школ и муниципалитетов — после утверждения списка)'
            : `выполнено ${formatNumber(stage.stepsDone)} из ${countOf(stage.stepsTotal, STEP_GENITIVE)}, выдано ${formatNumber(stage.stepsStarted)}`}
        </Typography.Text>
      </Flex>
      <Progress
        aria-labelledby={labelId}
        percent={started}
        success={{ percent: done }}
        format={() => `${done}%`}
        status={stage.status === 'cancelled' ? 'exception' : 'normal'}
      />
    </Flex>
  );
}

function DatesToSet({ cycle, canAct }: { cycle: CycleView; canAct: boolean }) {
  const items = cycle.progress?.datesToSet ?? [];
  if (items.length === 0) return null;
  const stageTitle = new Map(cycle.stages.map((s) => [s.id, s.title]));
  const active = cycle.status === 'running' || cycle.status === 'paused';
  return (
    <Card title="Сроки, которые установит министерство" size="small">
      <List
        dataSource={items}
        renderItem={(d) => (
          <List.Item
            actions={
              !d.localDateTime && canAct && active ? [<SetStepDeadline key="set" cycleId={cycle.id} step={d} />] : undefined
            }
          >
            <Flex vertical gap={2}>
              <Typography.Text strong>{d.title}</Typography.Text>
              <Flex vertical gap={2} style={{ color: 'rgba(0, 0, 0, 0.65)' }}>
                <span>
                  {stageTitle.get(d.stageId) ?? d.stageId}; в дорожной карте — «{d.wording}»; не позже {formatLocal(d.latestLocal)}
                </span>
                {d.localDateTime ? (
                  <span>
                    <Tag color="green">установлен</Tag>
                    {formatLocalInZone(d.localDateTime, cycle.timeZone)}
                    {d.basis ? `; основание: ${d.basis}` : ''}
                    {d.setBy ? ` (${d.setBy})` : ''}
                  </span>
                ) : (
                  <span>
                    <Tag color="gold">срок будет установлен</Tag>
                    задачи шага не выдаются, пока срок не установлен
                  </span>
                )}
              </Flex>
            </Flex>
          </List.Item>
        )}
      />
    </Card>
  );
}

export default function CycleDashboardPage() {
  const { id = '' } = useParams();
  const cycle = useCycle(id);
  const me = useMe();
  const templates = useTemplates();
  const canAct = me.data?.role === 'ministry_admin';

  if (cycle.isLoading) return <Skeleton active paragraph={{ rows: 10 }} />;
  if (cycle.error || !cycle.data) return <CycleLoadFailed error={cycle.error} />;

  const c = cycle.data;
  const template = templates.data?.find((t) => t.id === c.templateId);
  const calendarYear = template?.firstCalendarYear != null;
  const progress = c.progress;
  const stages: StageProgress[] =
    progress?.stages ??
    c.stages.map((s) => ({ id: s.id, title: s.title, status: 'waiting', stepsTotal: s.steps.length, stepsStarted: 0, stepsDone: 0 }));

  return (
    <Flex vertical gap={16}>
      <div>
        <Link to="/cycles">
          <ArrowLeftOutlined /> К списку циклов
        </Link>
      </div>
      <Flex wrap justify="space-between" align="start" gap={12}>
        <Flex vertical gap={4} style={{ minWidth: 0, flex: '1 1 480px' }}>
          <Typography.Title level={1} style={{ margin: 0, fontSize: 24 }}>
            {c.title}
          </Typography.Title>
          <Flex wrap gap={8} align="center">
            <CycleStatusTag status={c.status} />
            <Typography.Text type="secondary">
              {c.id} · {yearText(c.academicYear, calendarYear)}
            </Typography.Text>
            {c.compressed && <Tag color="purple">сжатый календарь (тестовый)</Tag>}
          </Flex>
        </Flex>
        {canAct && <CycleControls cycle={c} />}
      </Flex>

      {c.status === 'paused' && (
        <Alert
          type="warning"
          showIcon
          title={`Цикл приостановлен${progress?.pausedAt ? ` с ${formatDateTimeInZone(progress.pausedAt, c.timeZone)}` : ''}`}
          description="Новые задачи не выдаются; выданные сохраняют свои сроки."
        />
      )}
      {c.status === 'cancelled' && (
        <Alert
          type="info"
          showIcon
          title={`Цикл отменён${progress?.cancelledAt ? ` ${formatDateTimeInZone(progress.cancelledAt, c.timeZone)}` : ''}`}
        />
      )}

      <PendingActionsNotice cycleId={c.id} />

      <LaunchProgress cycleId={c.id} />

      <Card size="small">
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 1, md: 1, lg: 2 }}
          items={[
            {
              key: 'template',
              label: 'Шаблон',
              span: 'filled',
              children: `${template?.title ?? c.templateId} (${c.templateId}, версия ${c.templateVersion})`,
            },
            { key: 'zone', label: 'Часовой пояс', children: `${zoneLabel(c.timeZone)} (${c.timeZone})` },
            { key: 'launched', label: 'Запущен', children: `${formatDateTimeInZone(c.launchedAt, c.timeZone)}, ${c.launchedBy}` },
            {
              key: 'list',
              label: 'Список школ',
              children: (
                <>
                  {c.listApprovedAt ? `утверждён ${formatDateTimeInZone(c.listApprovedAt, c.timeZone)}` : 'ещё не утверждён'} ·{' '}
                  <Link to={`/cycles/${encodeURIComponent(c.id)}/identification`}>
                    {c.listApprovedAt ? 'Утверждённый список и рейтинг' : 'Идентификация и утверждение списка'}
                  </Link>
                </>
              ),
            },
            { key: 'participants', label: 'Участники', children: progress ? countOf(progress.participants, { one: 'школа', few: 'школы', many: 'школ' }) : '—' },
            ...(c.closedAt ? [{ key: 'closed', label: 'Закрыт', children: formatDateTimeInZone(c.closedAt, c.timeZone) }] : []),
          ]}
        />
      </Card>

      <Card title="Ход этапов" size="small">
        <Flex vertical gap={12}>
          {stages.map((s) => (
            <StageBar key={s.id} stage={s} timeZone={c.timeZone} />
          ))}
          <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 13 }}>
            Полоса — все экземпляры шагов этапа (шаг для каждой организации и каждого периода): зелёная часть —
            выполненные, синяя — выданные и ещё не выполненные. Процент — доля выполненных.
            {!progress && ' Цикл не ответил о ходе работ; показан состав этапов.'}
          </Typography.Paragraph>
        </Flex>
      </Card>

      <DatesToSet cycle={c} canAct={canAct} />

      <Card title="Открытые задачи по муниципалитетам и этапам" size="small">
        <LatenessHeatTable cycle={c} />
      </Card>

      <Card title="Риск просрочек по муниципалитетам" size="small">
        <LatenessRiskPanel cycleId={c.id} />
      </Card>

      <Card title="Динамика мониторинга" size="small">
        <Suspense fallback={<Skeleton active />}>
          <DynamicsPanel cycleId={c.id} />
        </Suspense>
      </Card>
    </Flex>
  );
}
