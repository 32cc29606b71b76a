/**
 * The dry run as a timeline: grouped by stage (in the template's order), then by organisation (ministry, institute,
 * municipalities, schools, then those chosen while the cycle runs), each task with its deadline in the plan's zone,
 * the marks of a deadline moved off a non-working day or issued late, its reminders and its escalations with whose
 * heads they reach; the steps whose date the roadmap left to be set later are listed apart. «Календарь» shows the
 * same tasks as a month calendar (DryRunCalendar, loaded when first chosen).
 */
import { ClockCircleOutlined } from '@ant-design/icons';
import { Alert, Collapse, Flex, Segmented, Skeleton, Tag, Timeline, Typography } from 'antd';
import { lazy, Suspense, useMemo, useState } from 'react';
import { countOf, formatDateTime, formatDateTimeInZone, zoneLabel } from '../../format';
import { ACTION, CHOSEN_LATER, formatLocal, NOTIFY } from './labels';
import type { DryRunView, DryRunTask, OrganizationView } from './types';

const DryRunCalendar = lazy(() => import('./DryRunCalendar'));

const TASK = { one: 'задача', few: 'задачи', many: 'задач' };
const KIND_ORDER: Record<string, number> = { ministry: 0, institute: 1, municipality: 2, school: 3 };
const PARTY: Record<string, string> = { school: 'школа', partner: 'школа-партнёр', municipality: 'муниципалитет' };

/** What the task asks for; the OpenAPI document types `action` as an object (a TypeScript union the plugin cannot read). */
function actionOf(task: DryRunTask): string | undefined {
  const action: unknown = task.action;
  return typeof action === 'string' ? action : undefined;
}

export type ScheduleView = 'timeline' | 'calendar';

interface Props {
  result: DryRunView;
  /** Stage ids and titles in the template's order. */
  stages: { id: string; title: string }[];
  organizations: OrganizationView[];
  /** The view chosen; the page keeps it, so that a dry run checked again opens the same way. */
  view?: ScheduleView;
  onViewChange?: (view: ScheduleView) => void;
}

export default function DryRunSchedule({ result, stages, organizations, view: chosenView, onViewChange }: Props) {
  const [ownView, setOwnView] = useState<ScheduleView>('timeline');
  const view = chosenView ?? ownView;
  const zone = result.timeZone;
  const orgs = useMemo(() => new Map(organizations.map((o) => [o.id, o])), [organizations]);
  const nameOf = (id: string) => (id === CHOSEN_LATER ? 'Будет выбрана по ходу цикла' : (orgs.get(id)?.name ?? id));
  const sortKey = (id: string) => {
    const o = orgs.get(id);
    return [id === CHOSEN_LATER ? 9 : (KIND_ORDER[o?.kind ?? ''] ?? 5), nameOf(id)] as const;
  };

  const grouped = useMemo(() => {
    const byStage = new Map<string, Map<string, DryRunTask[]>>();
    for (const task of result.tasks) {
      const stage = byStage.get(task.stageId) ?? new Map<string, DryRunTask[]>();
      byStage.set(task.stageId, stage);
      stage.set(task.organizationId, [...(stage.get(task.organizationId) ?? []), task]);
    }
    const order = [...stages.map((s) => s.id), ...[...byStage.keys()].filter((id) => !stages.some((s) => s.id === id))];
    return order.filter((id) => byStage.has(id)).map((id) => ({ stageId: id, orgs: byStage.get(id)! }));
  }, [result.tasks, stages]);

  const moved = result.tasks.filter((t) => t.movedFromNonWorkingDay).length;
  const late = result.tasks.filter((t) => t.lateIssueNote).length;
  const titleOf = (stageId: string) => stages.find((s) => s.id === stageId)?.title ?? stageId;

  const taskItem = (task: DryRunTask) => ({
    key: `${task.stepKey}|${task.periodId ?? ''}|${actionOf(task) ?? ''}|${task.party ?? ''}|${task.dueAt}`,
    color: task.lateIssueNote ? 'orange' : task.movedFromNonWorkingDay ? 'blue' : 'gray',
    content: (
      <Flex vertical gap={4} style={{ paddingBottom: 8 }}>
        <Typography.Text>
          <Typography.Text type="secondary">Срок: </Typography.Text>
          <strong>{formatDateTimeInZone(task.dueAt, zone)}</strong>
        </Typography.Text>
        <Typography.Text strong>{task.title}</Typography.Text>
        <Flex wrap gap={4}>
          {actionOf(task) && <Tag>{ACTION[actionOf(task)!] ?? actionOf(task)}</Tag>}
          {task.periodId && <Tag>период {task.periodId}</Tag>}
          {task.party && <Tag>сторона соглашения: {PARTY[task.party.replace(/^\d+-/, '')] ?? task.party}</Tag>}
          {task.subjectOrganizationId && <Tag>о работе: {nameOf(task.subjectOrganizationId)}</Tag>}
          {task.movedFromNonWorkingDay && <Tag color="blue">перенесён с выходного</Tag>}
          {task.plannedDueLocal && <Tag color="orange">по плану {formatLocal(task.plannedDueLocal)}</Tag>}
        </Flex>
        {task.lateIssueNote && (
          <Typography.Text style={{ fontSize: 13, color: '#874d00' }}>
            <ClockCircleOutlined aria-hidden /> {task.lateIssueNote}
          </Typography.Text>
        )}
        <Typography.Text style={{ fontSize: 13 }}>
          <Typography.Text type="secondary">Напоминания: </Typography.Text>
          {task.reminders.length ? task.reminders.map((r) => formatDateTime(r, zone)).join('; ') : 'нет (срок слишком близко к выдаче)'}
        </Typography.Text>
        <Typography.Text style={{ fontSize: 13 }}>
          <Typography.Text type="secondary">Эскалации: </Typography.Text>
          {task.escalations.length
            ? task.escalations.map((e) => `${formatDateTime(e.at, zone)} — ${NOTIFY[e.notify] ?? e.notify} (${nameOf(e.organizationId)})`).join('; ')
            : 'нет'}
        </Typography.Text>
        {task.legalBasis && (
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Основание: {task.legalBasis}
          </Typography.Text>
        )}
      </Flex>
    ),
  });

  return (
    <Flex vertical gap={12}>
      <Typography.Paragraph style={{ margin: 0 }}>
        {countOf(result.tasks.length, TASK)} по шаблону «{result.templateId}», версия {result.templateVersion}. Все сроки — по
        часовому поясу плана: <strong>{zoneLabel(zone)}</strong> ({zone}), на рабочие дни производственного календаря.
        {moved > 0 && ` Перенесено с выходных и праздников: ${moved}.`}
        {late > 0 && ` Выдаются позже плана (срок отодвинут): ${late}.`}
      </Typography.Paragraph>
      <Segmented<ScheduleView>
        aria-label="Вид расписания"
        value={view}
        onChange={(v) => {
          setOwnView(v);
          onViewChange?.(v);
        }}
        options={[
          { value: 'timeline', label: 'Лента' },
          { value: 'calendar', label: 'Календарь' },
        ]}
        style={{ alignSelf: 'start' }}
      />
      {result.datesToSet.length > 0 && (
        <Alert
          type="info"
          showIcon
          title="Срок будет установлен"
          description={
            <ul style={{ margin: 0, paddingInlineStart: 20 }}>
              {result.datesToSet.map((d) => (
                <li key={`${d.stepKey}|${d.organizationId}`}>
                  {d.title} — {nameOf(d.organizationId)} ({titleOf(d.stageId)}): «{d.wording}», {d.text}; не позже{' '}
                  {formatLocal(d.latestLocal)}
                </li>
              ))}
            </ul>
          }
        />
      )}
      {view === 'calendar' ? (
        <Suspense fallback={<Skeleton active paragraph={{ rows: 8 }} />}>
          <DryRunCalendar result={result} stages={stages} organizations={organizations} />
        </Suspense>
      ) : (
        <Collapse
          defaultActiveKey={grouped.slice(0, 1).map((g) => g.stageId)}
          items={grouped.map(({ stageId, orgs: byOrg }) => {
            const tasks = [...byOrg.values()].flat();
            const first = tasks.reduce((a, b) => (a.dueAt < b.dueAt ? a : b));
            const last = tasks.reduce((a, b) => (a.dueAt > b.dueAt ? a : b));
            const orgIds = [...byOrg.keys()].sort((a, b) => {
              const [ka, na] = sortKey(a);
              const [kb, nb] = sortKey(b);
              return ka - kb || na.localeCompare(nb, 'ru');
            });
            return {
              key: stageId,
              label: (
                <Flex wrap gap={8} align="baseline">
                  <Typography.Text strong>{titleOf(stageId)}</Typography.Text>
                  <Typography.Text type="secondary">
                    {countOf(tasks.length, TASK)}, {formatDateTime(first.dueAt, zone).slice(0, 10)} –{' '}
                    {formatDateTime(last.dueAt, zone).slice(0, 10)}
                  </Typography.Text>
                </Flex>
              ),
              children: (
                <Flex vertical gap={8}>
                  {orgIds.map((orgId) => (
                    <div key={orgId}>
                      {/* Level 2: the page's h1 is the only heading above it (cards and panels have no heading role). */}
                      <Typography.Title level={2} style={{ fontSize: 15, marginTop: 4 }}>
                        {nameOf(orgId)}
                      </Typography.Title>
                      <Timeline items={byOrg.get(orgId)!.map(taskItem)} />
                    </div>
                  ))}
                </Flex>
              ),
            };
          })}
        />
      )}
    </Flex>
  );
}
