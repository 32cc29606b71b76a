/**
 * Helpers for the response views (the `XView` classes beside each module's DTOs, built by `mapX()` functions): the
 * OpenAPI document is the contract the web app's generated client relies on, so every answer has a declared schema.
 */
import type { ApiPropertyOptions } from '@nestjs/swagger';

/** An instant as the API writes it: ISO 8601, UTC (what `JSON.stringify` makes of a Date). */
export function iso(value: Date): string {
  return value.toISOString();
}

export function isoOrNull(value: Date | null | undefined): string | null {
  return value ? value.toISOString() : null;
}

/** A JSON object whose keys the request or the template decides (form values, event data, a template document). */
export const FREE_FORM_OBJECT: ApiPropertyOptions = { type: 'object', additionalProperties: true };

/** Any JSON value (a form field's value before and after, say). */
export const ANY_JSON_VALUE: ApiPropertyOptions = {
  oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object', additionalProperties: true }, { type: 'array', items: {} }],
  nullable: true,
};

export const DATE_TIME: ApiPropertyOptions = { type: String, format: 'date-time' };
