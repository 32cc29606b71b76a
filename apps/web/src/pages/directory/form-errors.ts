/**
 * The API names the field a refusal is about («password: не короче 10 символов», «role: роль … не выдаётся …»); such
 * lines go under their field in the form, the rest into the form's alert.
 */
import type { FormInstance } from 'antd';
import { ApiError, errorMessage } from '../../api/client';

const GENERIC = 'Запрос содержит ошибки';

/** Puts each «field: message» line under its field; returns what is left for the alert, or undefined. */
export function showFieldErrors(form: FormInstance, error: unknown, fields: readonly string[]): string | undefined {
  if (!(error instanceof ApiError)) return errorMessage(error);
  const lines = [error.message, ...error.details];
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  for (const line of lines) {
    const match = /^([A-Za-z]+): (.+)$/.exec(line);
    if (match && fields.includes(match[1])) byField.set(match[1], [...(byField.get(match[1]) ?? []), capitalize(match[2])]);
    else rest.push(line);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  const left = byField.size > 0 ? rest.filter((line) => line !== GENERIC) : rest;
  return left.length ? left.join('. ') : undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toLocaleUpperCase('ru') + text.slice(1);
}
