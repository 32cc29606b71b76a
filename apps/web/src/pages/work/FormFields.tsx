/**
 * A template form rendered from its definition as antd form items: text, numbers (with units and bounds), dates,
 * yes/no, a choice, tables of editable rows and groups of fields. The rules are the API's own (libs/domain/forms.ts):
 * required fields, min/max (0–100 for a percent unless the form says otherwise), whole numbers, at most 4000 characters
 * of text, at least one row in a required table; the API checks again and its problems land on the same fields.
 */
import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, DatePicker, Form, Input, InputNumber, Radio, Select, Table, Typography, type FormRule } from 'antd';
import type { ReactNode } from 'react';
import { formatNumber } from '../../format';
import type { FieldDef } from './form-definition';
import './work.css';
import { EmptyState } from '../../components/states';

const TEXT_MAX = 4000;
const ROWS_MAX = 500;
type NamePath = (string | number)[];

function bounds(field: FieldDef): { min?: number; max?: number } {
  const percent = field.type === 'percent';
  return { min: field.min ?? (percent ? 0 : undefined), max: field.max ?? (percent ? 100 : undefined) };
}

function unitOf(field: FieldDef): string | undefined {
  return field.unit ?? (field.type === 'percent' ? '%' : undefined);
}

/** «от 0 до 100 %», «не меньше 0», «целое число»: what the field accepts, under it. */
function hint(field: FieldDef): string | undefined {
  if (field.type !== 'number' && field.type !== 'integer' && field.type !== 'percent') return undefined;
  const { min, max } = bounds(field);
  const unit = unitOf(field);
  const range =
    min !== undefined && max !== undefined
      ? `от ${formatNumber(min, 6)} до ${formatNumber(max, 6)}`
      : min !== undefined
        ? `не меньше ${formatNumber(min, 6)}`
        : max !== undefined
          ? `не больше ${formatNumber(max, 6)}`
          : undefined;
  const parts = [field.type === 'integer' ? 'целое число' : undefined, range ? `${range}${unit ? ` ${unit}` : ''}` : undefined];
  const text = parts.filter(Boolean).join(', ');
  return text ? text[0].toUpperCase() + text.slice(1) : undefined;
}

function rulesOf(field: FieldDef, where = ''): FormRule[] {
  const label = `«${field.title}»${where}`;
  const rules: FormRule[] = [];
  if (field.required && field.type !== 'table' && field.type !== 'group') {
    // A rule with any key beside `required` and `message` is checked as text by async-validator, so `whitespace`
    // goes only on text fields: on a number it would refuse every value.
    rules.push({
      required: true,
      ...(field.type === 'text' ? { whitespace: true } : {}),
      message: field.type === 'boolean' || field.type === 'choice' ? `Выберите ответ: ${label}` : `Заполните поле ${label}`,
    });
  }
  if (field.type === 'text') rules.push({ max: TEXT_MAX, message: `Поле ${label}: не длиннее ${formatNumber(TEXT_MAX)} символов` });
  if (field.type === 'number' || field.type === 'integer' || field.type === 'percent') {
    const { min, max } = bounds(field);
    rules.push({
      validator: async (_rule, value: unknown) => {
        if (value === undefined || value === null) return;
        if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`Поле ${label}: введите число`);
        if (field.type === 'integer' && !Number.isInteger(value)) throw new Error(`Поле ${label}: введите целое число`);
        if (min !== undefined && value < min) throw new Error(`Поле ${label}: не меньше ${formatNumber(min, 6)}`);
        if (max !== undefined && value > max) throw new Error(`Поле ${label}: не больше ${formatNumber(max, 6)}`);
      },
    });
  }
  return rules;
}

/** The input for one field; `ariaLabel` names it where there is no visible label (a table cell). */
function control(field: FieldDef, ariaLabel?: string): ReactNode {
  const a11y = ariaLabel ? { 'aria-label': ariaLabel } : {};
  switch (field.type) {
    case 'text':
      return <Input.TextArea autoSize={{ minRows: ariaLabel ? 1 : 2, maxRows: 12 }} maxLength={TEXT_MAX} {...a11y} />;
    case 'number':
    case 'integer':
    case 'percent': {
      const { min, max } = bounds(field);
      const unit = unitOf(field);
      return (
        <InputNumber
          min={min}
          max={max}
          decimalSeparator=","
          precision={field.type === 'integer' ? 0 : undefined}
          suffix={unit}
          style={{ width: '100%', maxWidth: ariaLabel ? undefined : 240 }}
          {...a11y}
        />
      );
    }
    case 'date':
      return <DatePicker format="DD.MM.YYYY" placeholder="дд.мм.гггг" style={{ width: '100%', maxWidth: 240 }} {...a11y} />;
    case 'boolean':
      return (
        <Radio.Group
          {...a11y}
          options={[
            { value: true, label: 'Да' },
            { value: false, label: 'Нет' },
          ]}
        />
      );
    case 'choice':
      return (
        <Select
          allowClear
          placeholder="Выберите"
          options={field.options.map((o) => ({ value: o, label: o }))}
          style={{ width: '100%', maxWidth: ariaLabel ? undefined : 480 }}
          {...a11y}
        />
      );
    case 'table':
    case 'group':
      return null;
  }
}

function TableField({ field, name }: { field: FieldDef; name: NamePath }) {
  const label = `«${field.title}»`;
  return (
    <Form.Item label={field.title} required={field.required} style={{ marginBottom: 24 }}>
      <Form.List
        name={name}
        rules={[
          {
            validator: async (_rule, rows: unknown[] | undefined) => {
              if (field.required && (!rows || rows.length === 0)) throw new Error(`Таблица ${label}: добавьте хотя бы одну строку`);
            },
          },
        ]}
      >
        {(rows, { add, remove }, { errors }) => (
          <>
            <Table
              size="small"
              bordered
              pagination={false}
              dataSource={rows}
              rowKey="key"
              scroll={{ x: Math.max(480, field.columns.length * 200) }}
              locale={{ emptyText: <EmptyState>Строк пока нет. Нажмите «Добавить строку».</EmptyState> }}
              columns={[
                {
                  title: '№',
                  key: 'n',
                  width: 48,
                  render: (_value, _row, index) => index + 1,
                },
                ...field.columns.map((column) => ({
                  title: (
                    <span>
                      {column.title}
                      {column.required && (
                        <Typography.Text type="danger" aria-hidden>
                          {' '}
                          *
                        </Typography.Text>
                      )}
                      {unitOf(column) && <Typography.Text type="secondary">{`, ${unitOf(column)}`}</Typography.Text>}
                    </span>
                  ),
                  key: column.id,
                  render: (_value: unknown, row: { name: number }, index: number) => (
                    <Form.Item
                      name={[row.name, column.id]}
                      rules={rulesOf(column, `, строка ${index + 1}`)}
                      style={{ marginBottom: 0 }}
                    >
                      {control(column, `${column.title}, строка ${index + 1}`)}
                    </Form.Item>
                  ),
                })),
                {
                  title: <span className="visually-hidden">Действия</span>,
                  key: 'actions',
                  width: 56,
                  render: (_value: unknown, row: { name: number }, index: number) => (
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      aria-label={`Удалить строку ${index + 1}`}
                      title="Удалить строку"
                      onClick={() => remove(row.name)}
                    />
                  ),
                },
              ]}
            />
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              onClick={() => add({})}
              disabled={rows.length >= ROWS_MAX}
              style={{ marginTop: 8 }}
              aria-label={`Добавить строку в таблицу «${field.title}»`}
            >
              Добавить строку
            </Button>
            <Form.ErrorList errors={errors} />
          </>
        )}
      </Form.List>
    </Form.Item>
  );
}

function FieldItem({ field, name }: { field: FieldDef; name: NamePath }) {
  const path = [...name, field.id];
  if (field.type === 'table') return <TableField field={field} name={path} />;
  if (field.type === 'group') {
    return (
      <fieldset className="form-group">
        <legend>{field.title}</legend>
        <FormFields fields={field.fields} name={path} />
      </fieldset>
    );
  }
  return (
    <Form.Item label={field.title} name={path} rules={rulesOf(field)} extra={hint(field)}>
      {control(field)}
    </Form.Item>
  );
}

/** Every field of the definition, under `name` in the antd form's values. */
export function FormFields({ fields, name }: { fields: FieldDef[]; name: NamePath }) {
  return (
    <>
      {fields.map((field) => (
        <FieldItem key={field.id} field={field} name={name} />
      ))}
    </>
  );
}
