/** A submitted form read back: every field of the definition with its value, in the official's words. */
import { Descriptions, Table, Typography } from 'antd';
import type { ReactNode } from 'react';
import { formatLocalDate, formatNumber } from '../../format';
import type { FieldDef, FormDef } from './form-definition';

type Values = Record<string, unknown>;

const EMPTY = <Typography.Text type="secondary">не заполнено</Typography.Text>;

function isRecord(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One value as text: 12,5 %, 15.12.2026, Да. Without a field (an unknown path) the value is shown as it is. */
export function valueText(value: unknown, field?: FieldDef): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'number') {
    const unit = field?.unit ?? (field?.type === 'percent' ? '%' : undefined);
    return `${formatNumber(value, 6)}${unit ? ` ${unit}` : ''}`;
  }
  if (typeof value === 'boolean') return value ? 'Да' : 'Нет';
  if (typeof value === 'string') return field?.type === 'date' || /^\d{4}-\d{2}-\d{2}$/.test(value) ? formatLocalDate(value) : value;
  return JSON.stringify(value);
}

function FieldValue({ field, value }: { field: FieldDef; value: unknown }): ReactNode {
  if (value === undefined || value === null || value === '') return EMPTY;
  if (field.type === 'table') {
    const rows = (Array.isArray(value) ? value.filter(isRecord) : []).map((row, index) => ({ row, key: String(index) }));
    if (rows.length === 0) return EMPTY;
    return (
      <Table
        size="small"
        bordered
        pagination={false}
        scroll={{ x: Math.max(400, field.columns.length * 160) }}
        rowKey="key"
        dataSource={rows}
        columns={[
          { title: '№', key: 'n', width: 48, render: (_v, _r, i) => i + 1 },
          ...field.columns.map((column) => ({
            title: column.title,
            key: column.id,
            render: (_v: unknown, { row }: { row: Values }) => (
              <span className="pre-wrap" style={column.type === 'date' ? { whiteSpace: 'nowrap' } : undefined}>
                {valueText(row[column.id], column)}
              </span>
            ),
          })),
        ]}
      />
    );
  }
  if (field.type === 'group') return <FormValuesView fields={field.fields} values={isRecord(value) ? value : {}} nested />;
  return <span className="pre-wrap">{valueText(value, field)}</span>;
}

export function FormValuesView({
  form,
  fields = form?.fields ?? [],
  values,
  nested = false,
}: {
  form?: FormDef;
  fields?: FieldDef[];
  values: Values | null | undefined;
  nested?: boolean;
}) {
  if (!values) return <Typography.Text type="secondary">Форма не заполнялась.</Typography.Text>;
  return (
    <Descriptions
      bordered
      size="small"
      column={1}
      title={nested ? undefined : form?.title}
      styles={{ label: { width: '32%', minWidth: 140 } }}
      items={fields.map((field) => ({
        key: field.id,
        label: field.title,
        children: <FieldValue field={field} value={values[field.id]} />,
      }))}
    />
  );
}
