/**
 * The dry run as a month calendar: each day shows its deadlines (a dot in the stage's colour with their number), how
 * many reminders and escalations go out that day, the deadlines moved there off a non-working day, and whether the
 * day is a working one by the official production calendar (libs/domain/calendar, the very module the API and the
 * workflows count working days with). Choosing a day lists its items — time in the plan's zone, which is named,
 * the task and the organisations — grouped, so that a day with a deadline for five hundred schools stays readable.
 *
 * Keyboard: the days are one tab stop; the arrows move by a day or a week, Home/End to the week's ends, PageUp/PageDown
 * by a month, and the day in focus is the day chosen. Every day's button is labelled with its date and what it holds.
 */
import { BellOutlined, ExclamationCircleOutlined, LeftOutlined, RightOutlined, SwapRightOutlined } from '@ant-design/icons';
import { Button, Calendar, Empty, Flex, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import {
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  decreeNonWorkingDayBasis,
  endOfWorkingDay,
  isWorkingDay,
} from '../../../../../libs/domain/calendar';
import { countOf, formatLocalDate, formatTime, localIsoDate, zoneLabel, type PluralForms } from '../../format';
import { CHOSEN_LATER, formatLocal, NOTIFY } from './labels';
import type { DryRunTask, DryRunView, OrganizationView } from './types';
import './DryRunCalendar.css';

const DEADLINE: PluralForms = { one: 'срок', few: 'срока', many: 'сроков' };
const REMINDER: PluralForms = { one: 'напоминание', few: 'напоминания', many: 'напоминаний' };
const ESCALATION: PluralForms = { one: 'эскалация', few: 'эскалации', many: 'эскалаций' };
const MOVED: PluralForms = { one: 'срок перенесён', few: 'срока перенесены', many: 'сроков перенесены' };
const ORGANIZATION: PluralForms = { one: 'организация', few: 'организации', many: 'организаций' };

/** Stage colours, each at least 3:1 against white (WCAG 1.4.11), in the stages' order. */
const STAGE_COLOURS = ['#1f5fa8', '#ad4e00', '#237804', '#722ed1', '#c41d7f', '#006d75', '#874d00', '#cf1322', '#0958d9', '#5b8c00'];
/** A group lists its organisations inline up to this many; more fold under «показать». */
const INLINE_NAMES = 6;

type DayType = 'workday' | 'weekend' | 'holiday' | 'decree' | 'working-weekend' | 'shortened' | 'outside';

interface DayInfo {
  type: DayType;
  /** What the production calendar says of the day, when it is not a plain working weekday. */
  text?: string;
}

/** The day by the production calendar in its default reading (decree days of 2020–2021 off, as the API's default). */
function dayInfo(iso: string): DayInfo {
  const year = Number(iso.slice(0, 4));
  if (year < CALENDAR_FIRST_YEAR || year > CALENDAR_LAST_YEAR) return { type: 'outside' };
  const weekday = dayjs(iso).day();
  const weekend = weekday === 0 || weekday === 6;
  if (!isWorkingDay(iso)) {
    if (weekend) return { type: 'weekend', text: 'выходной' };
    if (decreeNonWorkingDayBasis(iso)) return { type: 'decree', text: 'нерабочий день по указу Президента' };
    return { type: 'holiday', text: 'нерабочий праздничный день или перенесённый выходной' };
  }
  if (weekend) return { type: 'working-weekend', text: 'рабочий выходной (перенос)' };
  if (endOfWorkingDay(iso) === '17:00') return { type: 'shortened', text: 'предпраздничный день, рабочий день до 17:00' };
  return { type: 'workday' };
}

const SHORT_MARK: Partial<Record<DayType, string>> = {
  weekend: 'вых.',
  holiday: 'нерабочий',
  decree: 'нерабочий',
  'working-weekend': 'рабочий',
  shortened: 'сокр.',
};

interface Reminder {
  at: string;
  task: DryRunTask;
}
interface Escalation {
  at: string;
  task: DryRunTask;
  notify: string;
  organizationId: string;
}
interface DayItems {
  deadlines: DryRunTask[];
  reminders: Reminder[];
  escalations: Escalation[];
}

interface Props {
  result: DryRunView;
  /** Stage ids and titles in the template's order. */
  stages: { id: string; title: string }[];
  organizations: OrganizationView[];
}

const ISO = 'YYYY-MM-DD';

export default function DryRunCalendar({ result, stages, organizations }: Props) {
  const zone = result.timeZone;
  const dayListId = useId();
  const monthId = useId();
  const containerRef = useRef<HTMLDivElement>(null);
  const focusAfterMove = useRef(false);

  const orgs = useMemo(() => new Map(organizations.map((o) => [o.id, o.name])), [organizations]);
  const nameOf = (id: string) => (id === CHOSEN_LATER ? 'будет выбрана по ходу цикла' : (orgs.get(id) ?? id));

  const stageIds = useMemo(() => {
    const known = stages.map((s) => s.id);
    return [...known, ...[...new Set(result.tasks.map((t) => t.stageId))].filter((id) => !known.includes(id))];
  }, [stages, result.tasks]);
  const colourOf = (stageId: string) => STAGE_COLOURS[Math.max(0, stageIds.indexOf(stageId)) % STAGE_COLOURS.length];
  const titleOf = (stageId: string) => stages.find((s) => s.id === stageId)?.title ?? stageId;

  // Every item under its local date in the plan's zone.
  const byDay = useMemo(() => {
    const days = new Map<string, DayItems>();
    const day = (iso: string) => {
      let items = days.get(iso);
      if (!items) {
        items = { deadlines: [], reminders: [], escalations: [] };
        days.set(iso, items);
      }
      return items;
    };
    for (const task of result.tasks) {
      day(localIsoDate(task.dueAt, zone)).deadlines.push(task);
      for (const at of task.reminders) day(localIsoDate(at, zone)).reminders.push({ at, task });
      for (const e of task.escalations) day(localIsoDate(e.at, zone)).escalations.push({ at: e.at, task, notify: e.notify, organizationId: e.organizationId });
    }
    return days;
  }, [result.tasks, zone]);

  const range = useMemo(() => {
    const dates = [...byDay.keys()].sort();
    const first = dates[0] ?? dayjs().format(ISO);
    const last = dates.at(-1) ?? first;
    return { min: dayjs(first).startOf('month'), max: dayjs(last).endOf('month') };
  }, [byDay]);

  const firstDeadline = useMemo(
    () => (result.tasks.length ? localIsoDate(result.tasks.reduce((a, b) => (a.dueAt < b.dueAt ? a : b)).dueAt, zone) : undefined),
    [result.tasks, zone],
  );
  const [selected, setSelected] = useState<string>(() => firstDeadline ?? range.min.format(ISO));
  const selectedDay = dayjs(selected);

  const choose = (date: Dayjs, focus = false) => {
    const clamped = date.isBefore(range.min) ? range.min : date.isAfter(range.max) ? range.max.startOf('day') : date;
    focusAfterMove.current = focus;
    setSelected(clamped.format(ISO));
  };

  // The day chosen by the keyboard takes the focus once it is drawn (it may be in another month).
  useEffect(() => {
    if (!focusAfterMove.current) return;
    focusAfterMove.current = false;
    containerRef.current?.querySelector<HTMLButtonElement>(`button[data-date="${selected}"]`)?.focus();
  }, [selected]);

  // antd's panel is focusable itself; the days are the one tab stop the calendar needs.
  useEffect(() => {
    containerRef.current?.querySelector<HTMLElement>('.ant-picker-panel')?.setAttribute('tabindex', '-1');
  });

  const onKeyDown = (event: KeyboardEvent<HTMLButtonElement>, date: Dayjs) => {
    const moves: Record<string, () => Dayjs> = {
      ArrowLeft: () => date.subtract(1, 'day'),
      ArrowRight: () => date.add(1, 'day'),
      ArrowUp: () => date.subtract(1, 'week'),
      ArrowDown: () => date.add(1, 'week'),
      Home: () => date.startOf('week'),
      End: () => date.endOf('week').startOf('day'),
      PageUp: () => date.subtract(1, 'month'),
      PageDown: () => date.add(1, 'month'),
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    choose(move(), true);
  };

  const dayLabel = (iso: string, info: DayInfo, items: DayItems | undefined): string => {
    const parts = [`${formatLocalDate(iso)}, ${dayjs(iso).format('dddd')}`];
    const facts: string[] = [];
    if (info.text) facts.push(info.text);
    if (items?.deadlines.length) {
      const perStage = stageIds
        .map((id) => [id, items.deadlines.filter((t) => t.stageId === id).length] as const)
        .filter(([, n]) => n > 0)
        .map(([id, n]) => `«${titleOf(id)}» — ${n}`);
      facts.push(`${countOf(items.deadlines.length, DEADLINE)} (${perStage.join(', ')})`);
      const moved = items.deadlines.filter((t) => t.movedFromNonWorkingDay).length;
      if (moved) facts.push(`${countOf(moved, MOVED)} с нерабочего дня`);
    }
    if (items?.reminders.length) facts.push(countOf(items.reminders.length, REMINDER));
    if (items?.escalations.length) facts.push(countOf(items.escalations.length, ESCALATION));
    if (!items) facts.push('событий нет');
    return `${parts[0]}: ${facts.join('; ')}`;
  };

  const cell = (date: Dayjs) => {
    const iso = date.format(ISO);
    const info = dayInfo(iso);
    const items = byDay.get(iso);
    const isSelected = iso === selected;
    const otherMonth = date.month() !== selectedDay.month() || date.year() !== selectedDay.year();
    const deadlinesByStage = stageIds
      .map((id) => ({ id, n: items?.deadlines.filter((t) => t.stageId === id).length ?? 0 }))
      .filter((s) => s.n > 0);
    const moved = items?.deadlines.filter((t) => t.movedFromNonWorkingDay).length ?? 0;
    const nonWorking = info.type === 'weekend' || info.type === 'holiday' || info.type === 'decree';
    const classes = [
      'dry-cal-day',
      nonWorking ? 'dry-cal-day-off' : '',
      info.type === 'holiday' || info.type === 'decree' ? 'dry-cal-day-holiday' : '',
      otherMonth ? 'dry-cal-day-other' : '',
      isSelected ? 'dry-cal-day-selected' : '',
    ];
    return (
      <button
        type="button"
        className={classes.filter(Boolean).join(' ')}
        data-date={iso}
        tabIndex={isSelected ? 0 : -1}
        aria-pressed={isSelected}
        aria-controls={dayListId}
        onKeyDown={(e) => onKeyDown(e, date)}
      >
        {/* The name is this text, not aria-label: the drawn marks are its shorthand and are hidden from the name. */}
        <span className="dry-cal-sr">{dayLabel(iso, info, items)}</span>
        <span className="dry-cal-head" aria-hidden>
          <span className="dry-cal-num">{date.date()}</span>
          {SHORT_MARK[info.type] && <span className="dry-cal-mark">{SHORT_MARK[info.type]}</span>}
        </span>
        <span className="dry-cal-items" aria-hidden>
          {deadlinesByStage.map((s) => (
            <span key={s.id} className="dry-cal-count" title={titleOf(s.id)}>
              <span className="dry-cal-dot" style={{ background: colourOf(s.id) }} />
              {s.n}
            </span>
          ))}
          {moved > 0 && (
            <span className="dry-cal-count">
              <SwapRightOutlined />
              {moved}
            </span>
          )}
          {(items?.reminders.length ?? 0) > 0 && (
            <span className="dry-cal-count">
              <BellOutlined />
              {items!.reminders.length}
            </span>
          )}
          {(items?.escalations.length ?? 0) > 0 && (
            <span className="dry-cal-count dry-cal-escalation">
              <ExclamationCircleOutlined />
              {items!.escalations.length}
            </span>
          )}
        </span>
      </button>
    );
  };

  const prevMonth = selectedDay.subtract(1, 'month');
  const nextMonth = selectedDay.add(1, 'month');
  const monthTitle = selectedDay.format('MMMM YYYY');
  const info = dayInfo(selected);
  const items = byDay.get(selected);

  return (
    <Flex vertical gap={12} ref={containerRef} className="dry-cal">
      <Typography.Text>
        Время — по часовому поясу плана: <strong>{zoneLabel(zone)}</strong> ({zone}). Нерабочие дни — по производственному
        календарю.
      </Typography.Text>
      <Flex wrap gap={8} align="center" justify="space-between">
        <Flex gap={8} align="center">
          <Button
            icon={<LeftOutlined />}
            aria-label="Предыдущий месяц"
            disabled={prevMonth.endOf('month').isBefore(range.min)}
            onClick={() => choose(prevMonth.startOf('month'))}
          />
          <Typography.Text strong id={monthId} aria-live="polite" style={{ minWidth: 140, textAlign: 'center', fontSize: 16 }}>
            {monthTitle.charAt(0).toUpperCase() + monthTitle.slice(1)}
          </Typography.Text>
          <Button
            icon={<RightOutlined />}
            aria-label="Следующий месяц"
            disabled={nextMonth.startOf('month').isAfter(range.max)}
            onClick={() => choose(nextMonth.startOf('month'))}
          />
        </Flex>
        {firstDeadline && (
          <Button size="small" onClick={() => choose(dayjs(firstDeadline))}>
            К первому сроку ({formatLocalDate(firstDeadline)})
          </Button>
        )}
      </Flex>
      <ul className="dry-cal-legend" aria-label="Обозначения">
        {stageIds
          .filter((id) => result.tasks.some((t) => t.stageId === id))
          .map((id) => (
            <li key={id}>
              <span className="dry-cal-dot" style={{ background: colourOf(id) }} aria-hidden /> {titleOf(id)}
            </li>
          ))}
        <li>
          <SwapRightOutlined aria-hidden /> срок перенесён с нерабочего дня
        </li>
        <li>
          <BellOutlined aria-hidden /> напоминания
        </li>
        <li>
          <ExclamationCircleOutlined aria-hidden /> эскалации
        </li>
        <li>
          <span className="dry-cal-swatch dry-cal-day-off" aria-hidden /> нерабочий день
        </li>
      </ul>
      <div role="group" aria-labelledby={monthId} aria-describedby={`${monthId}-hint`}>
        <span id={`${monthId}-hint`} className="dry-cal-sr">
          Стрелки — на день или неделю, PageUp и PageDown — на месяц; выбранный день показан под календарём.
        </span>
        <Calendar
          value={selectedDay}
          onSelect={(date) => choose(date)}
          headerRender={() => null}
          fullCellRender={(date, cellInfo) => (cellInfo.type === 'date' ? cell(date) : cellInfo.originNode)}
        />
      </div>
      <section id={dayListId} aria-labelledby={`${dayListId}-title`} className="dry-cal-daylist">
        <Typography.Title level={2} id={`${dayListId}-title`} style={{ fontSize: 16, margin: 0 }}>
          {formatLocalDate(selected)}, {selectedDay.format('dddd')}
          {info.text ? ` — ${info.text}` : ''}
        </Typography.Title>
        {!items ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="В этот день нет сроков, напоминаний и эскалаций" />
        ) : (
          <DayList items={items} zone={zone} nameOf={nameOf} titleOf={titleOf} colourOf={colourOf} />
        )}
      </section>
    </Flex>
  );
}

interface Group {
  key: string;
  time: string;
  title: string;
  extra?: ReactNode;
  names: string[];
}

/** Items of one day, grouped by time and task (and whom an escalation reaches): each group names its organisations. */
function DayList({
  items,
  zone,
  nameOf,
  titleOf,
  colourOf,
}: {
  items: DayItems;
  zone: string;
  nameOf: (id: string) => string;
  titleOf: (stageId: string) => string;
  colourOf: (stageId: string) => string;
}) {
  const group = <T,>(list: T[], keyOf: (item: T) => string, make: (item: T) => Omit<Group, 'names' | 'key'>, name: (item: T) => string) => {
    const groups = new Map<string, Group>();
    for (const item of list) {
      const key = keyOf(item);
      const g = groups.get(key) ?? { key, ...make(item), names: [] };
      groups.set(key, g);
      g.names.push(name(item));
    }
    return [...groups.values()].sort((a, b) => a.time.localeCompare(b.time) || a.title.localeCompare(b.title, 'ru'));
  };

  const deadlines = group(
    items.deadlines,
    (t) => `${t.stageId}|${t.title}|${t.dueAt}|${t.movedFromNonWorkingDay}|${t.plannedDueLocal ?? ''}`,
    (t) => ({
      time: formatTime(t.dueAt, zone),
      title: t.title,
      extra: (
        <>
          <Tag>
            <span className="dry-cal-dot" style={{ background: colourOf(t.stageId) }} aria-hidden /> {titleOf(t.stageId)}
          </Tag>
          {t.movedFromNonWorkingDay && <Tag color="blue">перенесён с выходного</Tag>}
          {t.plannedDueLocal && <Tag color="orange">по плану {formatLocal(t.plannedDueLocal)}</Tag>}
        </>
      ),
    }),
    (t) => nameOf(t.organizationId),
  );
  const reminders = group(
    items.reminders,
    (r) => `${r.task.title}|${r.at}`,
    (r) => ({ time: formatTime(r.at, zone), title: r.task.title }),
    (r) => nameOf(r.task.organizationId),
  );
  const escalations = group(
    items.escalations,
    (e) => `${e.task.title}|${e.at}|${e.notify}`,
    (e) => ({ time: formatTime(e.at, zone), title: e.task.title, extra: <Tag color="red">{NOTIFY[e.notify] ?? e.notify}</Tag> }),
    (e) => (e.organizationId === e.task.organizationId ? nameOf(e.organizationId) : `${nameOf(e.organizationId)} (о задаче: ${nameOf(e.task.organizationId)})`),
  );

  const section = (title: string, forms: PluralForms, count: number, groups: Group[]) =>
    groups.length > 0 && (
      <div>
        <Typography.Title level={3} style={{ fontSize: 14, margin: '8px 0 4px' }}>
          {title}: {countOf(count, forms)}
        </Typography.Title>
        <ul className="dry-cal-groups">
          {groups.map((g) => (
            <li key={g.key}>
              <Flex wrap gap={6} align="baseline">
                <strong>{g.time}</strong>
                <span>{g.title}</span>
                {g.extra}
              </Flex>
              <Names names={[...new Set(g.names)].sort((a, b) => a.localeCompare(b, 'ru'))} />
            </li>
          ))}
        </ul>
      </div>
    );

  return (
    <Flex vertical gap={4}>
      {section('Сроки', DEADLINE, items.deadlines.length, deadlines)}
      {section('Напоминания', REMINDER, items.reminders.length, reminders)}
      {section('Эскалации', ESCALATION, items.escalations.length, escalations)}
    </Flex>
  );
}

function Names({ names }: { names: string[] }) {
  if (names.length <= INLINE_NAMES) return <Typography.Text type="secondary">{names.join(', ')}</Typography.Text>;
  return (
    <details>
      <summary>
        {countOf(names.length, ORGANIZATION)}: {names.slice(0, 3).join(', ')} и другие
      </summary>
      <Typography.Text type="secondary">{names.join(', ')}</Typography.Text>
    </details>
  );
}
