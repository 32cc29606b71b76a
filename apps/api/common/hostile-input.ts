import { BadRequestException } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { countOf, type RussianForms } from '../../../libs/domain/russian';

/**
 * How deep a JSON body may nest. No request of the API needs more than a handful of levels (a template upload sends
 * its document as text); class-transformer and class-validator recurse once per level, so a body of 10 000 levels
 * (60 KB, well under the size limit) used to overflow the stack and answer 500.
 */
export const MAX_JSON_DEPTH = 32;

export const BAD_CHARACTER_MESSAGE = 'Запрос содержит недопустимые символы';
export const TOO_DEEP_MESSAGE = `Слишком глубокая вложенность JSON: допускается не больше ${MAX_JSON_DEPTH} уровней`;

/** «глубже 32 уровней», «глубже 1 уровня». */
const LEVEL_GENITIVE: RussianForms = { one: 'уровня', few: 'уровней', many: 'уровней' };
/** A field's path is shown up to this length: a path 32 levels deep is long enough to say where. */
const FIELD_SHOWN_MAX = 200;

/** Where a bad value was found, as the validation errors name fields: `policy.reminders[0].comment`. */
interface Finding {
  kind: 'character' | 'depth';
  field: string;
  problem: string;
}

// NUL cannot be stored in a PostgreSQL text or jsonb value, and a lone half of a UTF-16 surrogate pair is not a
// character at all (jsonb refuses its escape): either reached the database and answered 500, or failed a workflow's
// projection for ever.
const BAD_CHARACTER = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function characterProblem(text: string): string | null {
  const match = BAD_CHARACTER.exec(text);
  if (!match) return null;
  const code = match[0].charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  return code === 0
    ? `недопустимый символ ${hex} (NUL)`
    : `недопустимый символ ${hex}: половина суррогатной пары UTF-16 без второй половины`;
}

/** A key as it can be shown: the characters that make it bad are written as \uXXXX escapes. */
function printable(key: string): string {
  return key.replace(/[\u0000-\u001f]|[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const name = printable(key);
  return parent ? `${parent}.${name}` : name;
}

/**
 * The first string (or object key) holding NUL or a lone surrogate, or the first value nested deeper than
 * `maxDepth`. Iterative, so the check itself cannot overflow the stack on the very bodies it is there to refuse.
 */
export function findHostileValue(value: unknown, maxDepth = MAX_JSON_DEPTH, root = ''): Finding | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, path, depth } = stack.pop()!;
    if (typeof current === 'string') {
      const problem = characterProblem(current);
      if (problem) return { kind: 'character', field: path, problem };
      continue;
    }
    if (current === null || typeof current !== 'object' || Buffer.isBuffer(current)) continue;
    if (depth >= maxDepth) {
      return { kind: 'depth', field: path, problem: `вложенность глубже ${countOf(maxDepth, LEVEL_GENITIVE)}` };
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) stack.push({ value: current[i], path: childPath(path, i), depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i -= 1) {
      const key = keys[i];
      const keyProblem = characterProblem(key);
      if (keyProblem) return { kind: 'character', field: childPath(path, key), problem: `имя поля: ${keyProblem}` };
      stack.push({ value: (current as Record<string, unknown>)[key], path: childPath(path, key), depth: depth + 1 });
    }
  }
  return null;
}

/** The first bad value of the request: in the path's parameters, the query, then the body. */
export function findHostileInput(request: Pick<FastifyRequest, 'params' | 'query' | 'body'>): Finding | null {
  const inParams = findHostileValue(request.params, 2);
  if (inParams) return { ...inParams, field: `параметр адреса ${inParams.field}` };
  // The query parser may give a parameter repeated (?a=1&a=2) as an array.
  const inQuery = findHostileValue(request.query, 3);
  if (inQuery) return { ...inQuery, field: `параметр запроса ${inQuery.field.replace(/\[\d+\]$/, '')}` };
  const inBody = findHostileValue(request.body);
  if (inBody) return { ...inBody, field: inBody.field || 'тело запроса' };
  return null;
}

/**
 * Refuses, for every route (present and future), what the database or the validators cannot take, before Nest's
 * validation pipe runs: 400 naming the field. Fastify has parsed the body by preValidation; the guard has not run yet,
 * so an anonymous request is refused the same way.
 */
export function refuseHostileInput(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', async (request: FastifyRequest) => {
    const finding = findHostileInput(request);
    if (finding) {
      const field = finding.field.length > FIELD_SHOWN_MAX ? `${finding.field.slice(0, FIELD_SHOWN_MAX)}…` : finding.field;
      const message = finding.kind === 'depth' ? TOO_DEEP_MESSAGE : BAD_CHARACTER_MESSAGE;
      throw new BadRequestException({ message, details: [`${field}: ${finding.problem}`] });
    }
  });
}
