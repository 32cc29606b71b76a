/** The approved list (GET /api/cycles/:id/participants): included schools first, then those left out, with reasons. */
import { Flex, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { byNumber, byText, CATEGORY, CATEGORY_ORDER, type Category } from './labels';
import type { Participant } from './queries';

export function ParticipantsTable({ items, municipalityName }: { items: Participant[]; municipalityName(id: string): string }) {
  const columns: ColumnsType<Participant> = [
    {
      title: 'В списке',
      key: 'included',
      width: 100,
      sorter: (a, b) => Number(b.included) - Number(a.included),
      render: (_, p) => (p.included ? <Tag color="green">включена</Tag> : <Tag>исключена</Tag>),
    },
    { title: 'Место', dataIndex: 'rank', width: 72, sorter: (a, b) => byNumber(a.rank, b.rank), render: (r: number | null) => r ?? '—' },
    {
      title: 'Школа',
      key: 'school',
      width: 190,
      sorter: (a, b) => byText(a.schoolName, b.schoolName),
      render: (_, p) => (
        <Flex vertical>
          <span>{p.schoolName}</span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {[p.schoolCode ? `код ${p.schoolCode}` : '', municipalityName(p.municipalityId)].filter(Boolean).join(' · ')}
          </Typography.Text>
        </Flex>
      ),
    },
    {
      title: 'Категория',
      key: 'category',
      width: 130,
      sorter: (a, b) => (CATEGORY_ORDER[a.category ?? ''] ?? 9) - (CATEGORY_ORDER[b.category ?? ''] ?? 9),
      render: (_, p) => {
        const c = p.category ? CATEGORY[p.category as Category] : undefined;
        return c ? (
          <Tag color={c.color} style={{ whiteSpace: 'normal' }}>
            {c.text}
          </Tag>
        ) : <Typography.Text type="secondary">—</Typography.Text>;
      },
    },
    {
      title: 'Основание',
      key: 'reasons',
      render: (_, p) => (
        <Flex vertical gap={4}>
          {p.manualReason && (
            <span>
              <strong>{p.included ? 'Добавлена министерством' : 'Исключена министерством'}:</strong> {p.manualReason}
            </span>
          )}
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            Решение принял: {p.decidedBy}
          </Typography.Text>
          {p.reasons.length > 0 && (
            <ul className="identification-reasons">
              {p.reasons.map((r) => (
                <li key={r}>{r}</li>
              ))}
            </ul>
          )}
        </Flex>
      ),
    },
  ];
  const sorted = [...items].sort((a, b) => Number(b.included) - Number(a.included) || byNumber(a.rank, b.rank));
  return (
    <Table<Participant>
      size="small"
      rowKey="schoolId"
      dataSource={sorted}
      columns={columns}
      pagination={sorted.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      scroll={{ x: 640 }}
      showSorterTooltip={{ title: 'Нажмите, чтобы отсортировать' }}
    />
  );
}
