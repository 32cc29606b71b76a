/**
 * The ranking (GET …/identification/ranking): every school of the region with its place, category and the reasons in
 * Russian, sortable by each column. While the list is being prepared, each row offers to add the school to the list or
 * to leave it out, with a reason; a decision already taken is shown on its row and can be undone.
 */
import { Button, Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { formatNumber } from '../../format';
import { byNumber, byText, CATEGORY, CATEGORY_ORDER } from './labels';
import type { ListChange, RankedSchool } from './queries';

export interface PendingChanges {
  add: ListChange[];
  remove: ListChange[];
}

interface RankingTableProps {
  items: RankedSchool[];
  /** Absent: read only. */
  changes?: PendingChanges;
  onAdd?(school: RankedSchool): void;
  onRemove?(school: RankedSchool): void;
  onUndo?(schoolId: string): void;
}

function Decision({ school, changes, onAdd, onRemove, onUndo }: { school: RankedSchool } & Required<Omit<RankingTableProps, 'items'>>) {
  const id = school.schoolId;
  if (!id) return <Typography.Text type="secondary">нет в справочнике</Typography.Text>;
  const name = school.schoolName ?? school.schoolCode;
  const added = changes.add.find((c) => c.schoolId === id);
  const removed = changes.remove.find((c) => c.schoolId === id);
  if (added || removed) {
    return (
      <Flex vertical gap={4} align="start">
        <Tag color={added ? 'green' : 'default'}>{added ? 'будет добавлена' : 'будет исключена'}</Tag>
        <Button size="small" onClick={() => onUndo(id)} aria-label={`Отменить решение по школе «${name}»`}>
          Отменить
        </Button>
      </Flex>
    );
  }
  return school.category ? (
    <Button size="small" danger onClick={() => onRemove(school)} aria-label={`Исключить из списка школу «${name}»`}>
      Исключить…
    </Button>
  ) : (
    <Button size="small" onClick={() => onAdd(school)} aria-label={`Добавить в список школу «${name}»`}>
      Добавить…
    </Button>
  );
}

export function RankingTable({ items, changes, onAdd, onRemove, onUndo }: RankingTableProps) {
  const columns: ColumnsType<RankedSchool> = [
    { title: 'Место', dataIndex: 'rank', width: 72, sorter: (a, b) => a.rank - b.rank, defaultSortOrder: 'ascend' },
    {
      title: 'Школа',
      key: 'school',
      width: 190,
      sorter: (a, b) => byText(a.schoolName ?? a.schoolCode, b.schoolName ?? b.schoolCode),
      render: (_, s) => (
        <Flex vertical>
          <span>{s.schoolName ?? '—'}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            код {s.schoolCode}
            {s.municipalityName ? ` · ${s.municipalityName}` : ''}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: 'Категория',
      key: 'category',
      width: 130,
      sorter: (a, b) => (CATEGORY_ORDER[a.category ?? ''] ?? 9) - (CATEGORY_ORDER[b.category ?? ''] ?? 9),
      filters: [
        ...Object.entries(CATEGORY).map(([value, c]) => ({ text: c.text, value })),
        { text: 'Не предложена', value: '' },
      ],
      onFilter: (value, s) => (s.category ?? '') === value,
      render: (_, s) =>
        s.category ? (
          <Tag color={CATEGORY[s.category].color} style={{ whiteSpace: 'normal' }}>
            {CATEGORY[s.category].text}
          </Tag>
        ) : (
          <Typography.Text type="secondary">не предложена</Typography.Text>
        ),
    },
    {
      title: <abbr title="Средний стандартизованный балл за годы анализа (0 — среднее по региону)">Балл</abbr>,
      key: 'averageScore',
      width: 90,
      responsive: ['lg'],
      sorter: (a, b) => byNumber(a.averageScore, b.averageScore),
      render: (_, s) => (s.averageScore == null ? '—' : formatNumber(s.averageScore, 2)),
    },
    {
      title: <abbr title="Индекс социального неблагополучия (0–1; от 0,6 — социальные риски)">Соц. индекс</abbr>,
      key: 'socialIndex',
      width: 100,
      responsive: ['lg'],
      sorter: (a, b) => byNumber(a.socialIndex, b.socialIndex),
      render: (_, s) => (s.socialIndex == null ? '—' : formatNumber(s.socialIndex, 2)),
    },
    {
      title: 'Причины',
      key: 'reasons',
      render: (_, s) =>
        s.reasons.length ? (
          <ul className="identification-reasons">
            {s.reasons.map((r) => (
              <li key={r}>{r}</li>
            ))}
          </ul>
        ) : (
          '—'
        ),
    },
  ];
  if (changes && onAdd && onRemove && onUndo) {
    columns.push({
      title: 'Решение',
      key: 'decision',
      width: 130,
      render: (_, s) => <Decision school={s} changes={changes} onAdd={onAdd} onRemove={onRemove} onUndo={onUndo} />,
    });
  }
  return (
    <Table<RankedSchool>
      size="small"
      rowKey={(s) => s.schoolCode}
      dataSource={items}
      columns={columns}
      pagination={items.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      // Read only, the table fits a tablet; with the decisions it scrolls sideways there.
      scroll={{ x: changes ? 900 : 640 }}
      showSorterTooltip={{ title: 'Нажмите, чтобы отсортировать' }}
    />
  );
}
