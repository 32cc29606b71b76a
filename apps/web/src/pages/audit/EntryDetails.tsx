/** An audit entry's recorded data as a readable list: Russian key names, dates in the region's zone, yes/no. */
import { Descriptions, Typography } from 'antd';
import type { ReactNode } from 'react';
import { formatDateTimeInZone } from '../../format';
import { DATA_KEYS, NOTIFICATION_KINDS, NOTIFICATION_TARGETS } from './labels';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2})?$/;

interface PlannedStep {
  at: string;
  kind: string;
  target: string;
}

function isPlan(value: unknown): value is PlannedStep[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((v) => typeof v === 'object' && v !== null && typeof (v as PlannedStep).at === 'string' && typeof (v as PlannedStep).kind === 'string')
  );
}

function isLead(value: unknown): value is { workingDays?: number; seconds?: number; plannedLocalDateTime?: string } {
  return typeof value === 'object' && value !== null && ('workingDays' in value || 'plannedLocalDateTime' in value);
}

export function readableValue(value: unknown, zone: string, key?: string): ReactNode {
  // The reminders and escalations planned for a task: when, what, to whom.
  if (key === 'schedule' && isPlan(value)) {
    return (
      <ul className="plain-list">
        {value.map((s, i) => (
          <li key={i}>
            {INSTANT.test(s.at) ? formatDateTimeInZone(s.at, zone) : s.at} — {NOTIFICATION_KINDS[s.kind] ?? s.kind}{' '}
            {NOTIFICATION_TARGETS[s.target] ?? s.target}
          </li>
        ))}
      </ul>
    );
  }
  if (key === 'leadFromIssue' && isLead(value)) {
    const planned = value.plannedLocalDateTime ? readableValue(value.plannedLocalDateTime, zone) : undefined;
    return (
      <>
        {value.workingDays !== undefined ? `срок — через ${value.workingDays} раб. дн. после выдачи` : 'срок сдвинут от даты выдачи'}
        {planned ? <>; по плану было {planned}</> : null}
      </>
    );
  }
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'да' : 'нет';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (INSTANT.test(value)) return formatDateTimeInZone(value, zone);
    const local = LOCAL.exec(value);
    if (local) return `${local[3]}.${local[2]}.${local[1]} ${local[4]}:${local[5]} (местное время)`;
    return <span className="pre-wrap">{value}</span>;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) {
    return value.length ? value.join(', ') : '—';
  }
  return (
    <Typography.Paragraph style={{ margin: 0 }}>
      <pre className="audit-json">{JSON.stringify(value, null, 2)}</pre>
    </Typography.Paragraph>
  );
}

export function DataList({ data, zone, extra = [] }: { data: Record<string, unknown>; zone: string; extra?: { label: string; value: ReactNode }[] }) {
  const items = [
    ...Object.entries(data).map(([key, value]) => ({
      key,
      label: DATA_KEYS[key] ?? key,
      children: readableValue(value, zone, key),
    })),
    ...extra.map((e) => ({ key: `extra-${e.label}`, label: e.label, children: e.value })),
  ];
  if (items.length === 0) return <Typography.Text type="secondary">Без дополнительных данных</Typography.Text>;
  return <Descriptions size="small" column={1} bordered items={items} styles={{ label: { width: 220 } }} />;
}
