/**
 * Open tasks of the cycle per municipality × stage, each cell coloured by its lateness.
 *
 * Rows: a task counts where its assignee is — a school under its municipality, a municipality as itself, the
 * ministry and the institute on one «региональный уровень» row — because the assignee is whose delay it is (a
 * ministry's review of a municipality's plan is the ministry's delay). Columns: the plan's stages, by the task's
 * stage (`cycle.stageId`).
 *
 * The score (shown under the table as well): a cell's lateness is the most working days any of its open tasks is
 * overdue — `-workingDaysLeft` as the API counts it by the production calendar in the task's zone, at least 1 for a
 * task past its deadline today — and its level:
 *   0 нет открытых задач; 1 в срок (no task due within 3 working days); 2 срок близко (a task due within 0–3 working
 *   days, none overdue); 3 просрочка до 5 рабочих дней; 4 просрочка больше 5 рабочих дней.
 */
import { Alert, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import { errorMessage } from '../../api/client';
import { EmptyState } from '../../components/states';
import { countOf, formatNumber, NOUNS, plural } from '../../format';
import { useCycleOpenTasks, useOrganizations } from './queries';
import type { CycleView, TaskView } from './types';

const SOON_WORKING_DAYS = 3;
const LONG_OVERDUE_WORKING_DAYS = 5;
const REGION_ROW = '__region__';

export const LEVELS = [
  { level: 0, text: 'нет открытых задач', background: 'transparent', color: 'inherit' },
  { level: 1, text: 'в срок', background: '#d9f7be', color: '#135200' },
  { level: 2, text: `срок в ближайшие ${SOON_WORKING_DAYS} рабочих дня`, background: '#fff1b8', color: '#614700' },
  { level: 3, text: `просрочка до ${LONG_OVERDUE_WORKING_DAYS} рабочих дней`, background: '#ffd8bf', color: '#871400' },
  { level: 4, text: `просрочка больше ${LONG_OVERDUE_WORKING_DAYS} рабочих дней`, background: '#ffa39e', color: '#5c0011' },
] as const;

interface Cell {
  open: number;
  overdue: number;
  /** Working days the latest of its open tasks is overdue; 0 when none is. */
  maxOverdueDays: number;
  dueSoon: boolean;
}

/** The working days a task is overdue: 0 when it is not; at least 1 once its deadline has passed. */
function overdueDays(task: TaskView): number {
  if (!task.overdue) return 0;
  return Math.max(1, task.workingDaysLeft != null ? -task.workingDaysLeft : 1);
}

export function levelOf(cell: Cell | undefined): number {
  if (!cell || cell.open === 0) return 0;
  if (cell.maxOverdueDays > LONG_OVERDUE_WORKING_DAYS) return 4;
  if (cell.maxOverdueDays > 0) return 3;
  return cell.dueSoon ? 2 : 1;
}

/** The task's stage in the cycle (its context); a stand-alone task has none. */
function stageOf(task: TaskView): string | undefined {
  return task.cycle?.stageId;
}

interface Row {
  key: string;
  name: string;
  cells: Map<string, Cell>;
  open: number;
  overdue: number;
}

const OVERDUE = { one: 'просрочена', few: 'просрочены', many: 'просрочено' };

export default function LatenessHeatTable({ cycle }: { cycle: CycleView }) {
  const tasks = useCycleOpenTasks(cycle.id);
  const organizations = useOrganizations(cycle.regionCode);

  const rows = useMemo<Row[]>(() => {
    const orgs = new Map((organizations.data ?? []).map((o) => [o.id, o]));
    const rowOf = (orgId: string): { key: string; name: string } => {
      const org = orgs.get(orgId);
      if (!org || org.kind === 'ministry' || org.kind === 'institute') return { key: REGION_ROW, name: 'Региональный уровень (министерство, институт)' };
      if (org.kind === 'municipality') return { key: org.id, name: org.name };
      const parent = org.parentId ? orgs.get(org.parentId) : undefined;
      return parent ? { key: parent.id, name: parent.name } : { key: org.id, name: org.name };
    };
    const byRow = new Map<string, Row>();
    for (const task of tasks.data?.items ?? []) {
      const stageId = stageOf(task);
      if (!stageId) continue;
      const { key, name } = rowOf(task.assignee.id);
      const row = byRow.get(key) ?? { key, name, cells: new Map<string, Cell>(), open: 0, overdue: 0 };
      byRow.set(key, row);
      const cell = row.cells.get(stageId) ?? { open: 0, overdue: 0, maxOverdueDays: 0, dueSoon: false };
      row.cells.set(stageId, cell);
      const late = overdueDays(task);
      cell.open += 1;
      row.open += 1;
      if (late > 0) {
        cell.overdue += 1;
        row.overdue += 1;
      }
      cell.maxOverdueDays = Math.max(cell.maxOverdueDays, late);
      if (late === 0 && task.workingDaysLeft != null && task.workingDaysLeft <= SOON_WORKING_DAYS) cell.dueSoon = true;
    }
    return [...byRow.values()].sort((a, b) =>
      a.key === REGION_ROW ? -1 : b.key === REGION_ROW ? 1 : a.name.localeCompare(b.name, 'ru'),
    );
  }, [tasks.data, organizations.data]);

  const columns: ColumnsType<Row> = [
    {
      title: 'Муниципалитет',
      dataIndex: 'name',
      key: 'name',
      width: 200,
      onCell: () => ({ role: 'rowheader' }),
      render: (_, row) => (
        <Flex vertical gap={0}>
          <span>{row.name}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {formatNumber(row.open)} откр., {formatNumber(row.overdue)} просроч.
          </Typography.Text>
        </Flex>
      ),
    },
    ...cycle.stages.map((stage) => ({
      title: stage.title,
      key: stage.id,
      width: 130,
      onCell: (row: Row) => {
        const cell = row.cells.get(stage.id);
        const l = LEVELS[levelOf(cell)];
        return {
          style: { background: l.background, color: l.color },
          title: cell ? `${row.name}, ${stage.title}: ${l.text}` : undefined,
        };
      },
      render: (_: unknown, row: Row) => {
        const cell = row.cells.get(stage.id);
        if (!cell) return <span aria-label="нет открытых задач">—</span>;
        return (
          <Flex vertical gap={0}>
            <span>{countOf(cell.open, { one: 'открыта', few: 'открыты', many: 'открыто' })}</span>
            {cell.overdue > 0 && (
              <span>
                {formatNumber(cell.overdue)} {plural(cell.overdue, OVERDUE)}, макс. на {countOf(cell.maxOverdueDays, NOUNS.workingDay)}
              </span>
            )}
            {cell.overdue === 0 && cell.dueSoon && <span>срок близко</span>}
          </Flex>
        );
      },
    })),
  ];

  return (
    <Flex vertical gap={8}>
      {tasks.error && <Alert type="error" showIcon title={errorMessage(tasks.error)} />}
      {tasks.data && !tasks.data.complete && (
        <Alert type="warning" showIcon title={`Показаны ${formatNumber(tasks.data.items.length)} из ${formatNumber(tasks.data.total)} открытых задач`} />
      )}
      {/* The wrapper scrolls (not antd's own scroll box), so a keyboard can reach and scroll it: axe's
          scrollable-region-focusable. */}
      <div role="region" aria-label="Таблица открытых задач (прокручивается)" tabIndex={0} style={{ overflowX: 'auto' }}>
        <Table<Row>
          size="small"
          bordered
          rowKey="key"
          columns={columns}
          dataSource={rows}
          loading={tasks.isLoading || organizations.isLoading}
          pagination={false}
          locale={{ emptyText: <EmptyState>Открытых задач нет</EmptyState> }}
          aria-label="Открытые задачи по муниципалитетам и этапам"
        />
      </div>
      <Flex wrap gap={6} align="center" aria-label="Легенда цветов">
        <Typography.Text type="secondary">Цвет ячейки:</Typography.Text>
        {LEVELS.slice(1).map((l) => (
          <Tag key={l.level} style={{ background: l.background, color: l.color, borderColor: 'transparent' }}>
            {l.text}
          </Tag>
        ))}
      </Flex>
      <Typography.Paragraph type="secondary" style={{ margin: 0, fontSize: 13 }}>
        Как считается: задача попадает в строку организации-исполнителя (школа — в строку своего муниципалитета,
        министерство и институт — в региональный уровень) и в столбец своего этапа. Цвет ячейки — по самой просроченной
        её открытой задаче: на сколько рабочих дней (по производственному календарю, в часовом поясе задачи) прошёл
        срок; без просрочек — жёлтый, если у какой-то задачи срок в ближайшие {SOON_WORKING_DAYS} рабочих дня, иначе
        зелёный.
      </Typography.Paragraph>
    </Flex>
  );
}
