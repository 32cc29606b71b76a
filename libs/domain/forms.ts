/**
 * Structured forms of a template (a municipal plan's measures, a resource survey, monitoring indicators):
 * checking submitted values against the form, and comparing two versions side by side. Pure.
 */
import type { FormDefinition, FormField } from '../contracts/cycle-template';
import { isValidIsoDate } from './calendar';
import { countOf, NOUNS } from './russian';

export interface FormProblem {
  /** JSON-pointer-like path into the submitted values: '/measures/2/deadline'. */
  path: string;
  message: string;
}

export type FormValues = Record<string, unknown>;

const MAX_TEXT = 4000;
const MAX_ROWS = 500;

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function checkField(field: FormField, value: unknown, path: string, problems: FormProblem[]): void {
  const label = `«${field.title}»`;
  if (isEmpty(value)) {
    if (field.required) problems.push({ path, message: `Поле ${label} обязательно` });
    return;
  }
  const push = (message: string): void => {
    problems.push({ path, message });
  };
  switch (field.type) {
    case 'text':
      if (typeof value !== 'string') push(`Поле ${label}: ожидается текст`);
      else if (value.length > MAX_TEXT) push(`Поле ${label} длиннее ${countOf(MAX_TEXT, NOUNS.characterGenitive)}`);
      return;
    case 'number':
    case 'integer':
    case 'percent': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return push(`Поле ${label}: ожидается число`);
      if (field.type === 'integer' && !Number.isInteger(value)) push(`Поле ${label}: ожидается целое число`);
      const min = field.min ?? (field.type === 'percent' ? 0 : undefined);
      const max = field.max ?? (field.type === 'percent' ? 100 : undefined);
      if (min !== undefined && value < min) push(`Поле ${label}: значение меньше ${min}`);
      if (max !== undefined && value > max) push(`Поле ${label}: значение больше ${max}`);
      return;
    }
    case 'date':
      if (typeof value !== 'string' || !isValidIsoDate(value)) push(`Поле ${label}: ожидается дата ГГГГ-ММ-ДД`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') push(`Поле ${label}: ожидается да или нет (true/false)`);
      return;
    case 'choice':
      if (typeof value !== 'string' || !(field.options ?? []).includes(value)) {
        push(`Поле ${label}: допустимые значения — ${(field.options ?? []).join(', ')}`);
      }
      return;
    case 'table': {
      if (!Array.isArray(value)) return push(`Поле ${label}: ожидается список строк`);
      if (value.length > MAX_ROWS) return push(`Поле ${label}: больше ${countOf(MAX_ROWS, NOUNS.rowGenitive)}`);
      if (field.required && value.length === 0) push(`Поле ${label}: добавьте хотя бы одну строку`);
      value.forEach((row, i) => {
        if (typeof row !== 'object' || row === null || Array.isArray(row)) {
          problems.push({ path: `${path}/${i}`, message: `Поле ${label}, строка ${i + 1}: ожидается запись` });
          return;
        }
        checkObject(field.columns ?? [], row as FormValues, `${path}/${i}`, problems);
      });
      return;
    }
    case 'group':
      if (typeof value !== 'object' || Array.isArray(value)) return push(`Поле ${label}: ожидается раздел с полями`);
      checkObject(field.fields ?? [], value as FormValues, path, problems);
      return;
  }
}

function checkObject(fields: FormField[], values: FormValues, path: string, problems: FormProblem[]): void {
  const known = new Set(fields.map((f) => f.id));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) problems.push({ path: `${path}/${key}`, message: `Поле «${key}» не предусмотрено формой` });
  }
  for (const field of fields) checkField(field, values[field.id], `${path}/${field.id}`, problems);
}

/** Every problem of the submitted values, each with its path; empty when the form is filled correctly. */
export function validateFormValues(form: FormDefinition, values: unknown): FormProblem[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    return [{ path: '', message: `Форма «${form.title}»: ожидается объект с полями` }];
  }
  const problems: FormProblem[] = [];
  checkObject(form.fields, values as FormValues, '', problems);
  return problems;
}

export interface FieldChange {
  path: string;
  title: string;
  before: unknown;
  after: unknown;
  change: 'added' | 'removed' | 'changed' | 'same';
}

function flatten(fields: FormField[], values: FormValues | undefined, path: string, titlePrefix: string, out: Map<string, { title: string; value: unknown }>): void {
  for (const field of fields) {
    const value = values?.[field.id];
    const fieldPath = `${path}/${field.id}`;
    const title = titlePrefix ? `${titlePrefix} / ${field.title}` : field.title;
    if (field.type === 'group') {
      flatten(field.fields ?? [], value as FormValues | undefined, fieldPath, title, out);
    } else if (field.type === 'table') {
      const rows = Array.isArray(value) ? (value as FormValues[]) : [];
      rows.forEach((row, i) => flatten(field.columns ?? [], row, `${fieldPath}/${i}`, `${title}, строка ${i + 1}`, out));
    } else {
      out.set(fieldPath, { title, value: value ?? null });
    }
  }
}

/** Two versions of a form side by side, field by field (table rows compared by position). */
export function compareFormValues(form: FormDefinition, before: FormValues | null, after: FormValues | null): FieldChange[] {
  const left = new Map<string, { title: string; value: unknown }>();
  const right = new Map<string, { title: string; value: unknown }>();
  flatten(form.fields, before ?? undefined, '', '', left);
  flatten(form.fields, after ?? undefined, '', '', right);
  const paths = [...new Set([...left.keys(), ...right.keys()])];
  return paths.map((path) => {
    const a = left.get(path);
    const b = right.get(path);
    const beforeValue = a?.value ?? null;
    const afterValue = b?.value ?? null;
    const change: FieldChange['change'] = !a ? 'added' : !b ? 'removed' : JSON.stringify(beforeValue) === JSON.stringify(afterValue) ? 'same' : 'changed';
    return { path, title: (b ?? a)?.title ?? path, before: beforeValue, after: afterValue, change };
  });
}
