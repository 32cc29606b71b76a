/**
 * Between the API's form values (JSON: dates as 'YYYY-MM-DD', table rows as lists, groups as objects) and the antd
 * form's (dates as dayjs), and the draft kept in sessionStorage. Pure apart from the storage functions.
 */
import dayjs, { type Dayjs } from 'dayjs';
import type { FieldDef, FormDef } from './form-definition';

export type Values = Record<string, unknown>;

function isRecord(value: unknown): value is Values {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDayjs(value: unknown): value is Dayjs {
  return dayjs.isDayjs(value);
}

/**
 * The values to send: each field of the definition in its JSON shape, empty ones left out (the API treats a missing
 * optional field as not filled). `keepText` keeps text as typed (the draft), otherwise it is trimmed.
 */
export function toApiValues(fields: FieldDef[], values: unknown, keepText = false): Values {
  const source = isRecord(values) ? values : {};
  const out: Values = {};
  for (const field of fields) {
    const value = apiValue(field, source[field.id], keepText);
    if (value !== undefined) out[field.id] = value;
  }
  return out;
}

function apiValue(field: FieldDef, value: unknown, keepText: boolean): unknown {
  if (value === undefined || value === null) return undefined;
  switch (field.type) {
    case 'text': {
      if (typeof value !== 'string') return undefined;
      const text = keepText ? value : value.trim();
      return text === '' ? undefined : text;
    }
    case 'number':
    case 'integer':
    case 'percent':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'date':
      if (isDayjs(value)) return value.isValid() ? value.format('YYYY-MM-DD') : undefined;
      return typeof value === 'string' && value ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'choice':
      return typeof value === 'string' && value ? value : undefined;
    case 'table': {
      if (!Array.isArray(value)) return undefined;
      const rows = value.map((row) => toApiValues(field.columns, row, keepText));
      return rows.length === 0 && !field.required ? undefined : rows;
    }
    case 'group':
      return toApiValues(field.fields, value, keepText);
  }
}

/** The antd form's values from the API's (a previous version) or a draft: dates become dayjs. */
export function toFormValues(fields: FieldDef[], values: unknown): Values {
  const source = isRecord(values) ? values : {};
  const out: Values = {};
  for (const field of fields) {
    const value = source[field.id];
    if (value === undefined || value === null) continue;
    switch (field.type) {
      case 'date':
        if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && dayjs(value).isValid()) out[field.id] = dayjs(value);
        break;
      case 'table':
        if (Array.isArray(value)) out[field.id] = value.map((row) => toFormValues(field.columns, row));
        break;
      case 'group':
        out[field.id] = toFormValues(field.fields, value);
        break;
      default:
        out[field.id] = value;
    }
  }
  return out;
}

/**
 * The API's problem paths ('/measures/2/deadline') as antd name paths under `root`: ['form', 'measures', 2, 'deadline'].
 */
export function namePathOf(root: string, pointer: string): (string | number)[] {
  const parts = pointer.split('/').filter(Boolean);
  return [root, ...parts.map((p) => (/^\d+$/.test(p) ? Number(p) : p))];
}

/** A problem line from the API's `details`: «/measures/0/deadline: Поле «Срок» обязательно». */
export function parseProblem(detail: string): { path: string; message: string } | undefined {
  const match = /^(\/[^:\s]*):\s*(.+)$/.exec(detail);
  return match ? { path: match[1], message: match[2] } : undefined;
}

/** The field a compared path names, for its type and unit: '/measures/0/deadline' → the «Срок» column. */
export function fieldAtPath(form: FormDef | undefined, path: string): FieldDef | undefined {
  let fields = form?.fields ?? [];
  let found: FieldDef | undefined;
  for (const part of path.split('/').filter(Boolean)) {
    if (/^\d+$/.test(part)) continue;
    found = fields.find((f) => f.id === part);
    if (!found) return undefined;
    fields = found.type === 'table' ? found.columns : found.fields;
  }
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// The draft: what was typed into a long form, kept in this tab until it is sent.
// ---------------------------------------------------------------------------------------------------------------

export interface Draft {
  savedAt: string;
  form?: Values;
  answers?: Record<string, string>;
  comment?: string;
}

const draftKey = (taskId: string) => `uplift.draft.task.${taskId}`;

export function readDraft(taskId: string): Draft | undefined {
  try {
    const raw = window.sessionStorage.getItem(draftKey(taskId));
    if (!raw) return undefined;
    const parsed: unknown = JSON.parse(raw);
    return isRecord(parsed) && typeof parsed.savedAt === 'string' ? (parsed as unknown as Draft) : undefined;
  } catch {
    return undefined;
  }
}

/** Saves the draft; false when the browser refuses (storage full or disabled), which the page then says. */
export function writeDraft(taskId: string, draft: Omit<Draft, 'savedAt'>): Draft | undefined {
  const stored: Draft = { ...draft, savedAt: new Date().toISOString() };
  try {
    window.sessionStorage.setItem(draftKey(taskId), JSON.stringify(stored));
    return stored;
  } catch {
    return undefined;
  }
}

export function clearDraft(taskId: string): void {
  try {
    window.sessionStorage.removeItem(draftKey(taskId));
  } catch {
    // Nothing to clear when storage is unavailable.
  }
}
