/**
 * Values for property-based tests of the API, driven by the route table's schemas: a valid-looking example of any
 * schema (so that a request gets past the fields it does not attack), and fast-check arbitraries of hostile values —
 * wrong types, huge and empty strings, deep nesting, unicode tricks (bidi marks, NUL, lone surrogates, combining
 * characters, homoglyphs, zero-width), negative and far-future dates, extreme numbers, and prototype-pollution keys.
 */
import fc from 'fast-check';
import { MAX_JSON_DEPTH } from '../../apps/api/common/hostile-input';
import type { Schema } from './route-table';

/** The key a pollution payload tries to plant on Object.prototype; the API runs in the test's process, so it shows. */
export const POLLUTION_MARK = 'upliftPolluted';

/** Unicode that has broken parsers, databases and the people reading names: each a single string. */
export const UNICODE_TRICKS = [
  '\u0000', // NUL: PostgreSQL text cannot hold it
  'a\u0000b',
  '\ud800', // lone surrogates: no character at all
  '\udfff',
  'x\ud83d',
  '\u202e', // right-to-left override: `‮fdp.exe` displays as `exe.pdf`
  '\u202efdp.exe',
  '\u200f\u200e', // RTL / LTR marks
  '\u2066\u2069', // bidi isolates
  '\u200b', // zero-width space, joiner, non-joiner
  '\u200d\u200c',
  '\ufeff', // BOM
  '\u2028\u2029', // line and paragraph separators
  '\u0085',
  'e\u0301', // combining acute
  `a${'\u0301'.repeat(200)}`, // stacked combining marks ("zalgo")
  '\u0418\u0306', // Й decomposed
  'progrаmme@demo-region.example', // Cyrillic а in a Latin e-mail
  'рrogramme@demo-region.example', // Cyrillic р
  'demo-mun-ѕevеrny', // Cyrillic ѕ and е in an identifier
  'ℌ𝔢𝔩𝔩𝔬', // mathematical letters (NFKC folds them)
  'İ', // case changes length
  'ß',
  'ﬃ',
  '🙂',
  '👨‍👩‍👧‍👦',
  '\u0007\u001b[31m', // control characters, an ANSI escape
  '\r\nX-Injected: 1',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%2e%2e%2f',
  "' OR '1'='1' --",
  '"; DROP TABLE tasks; --',
  '=cmd|\' /C calc\'!A0',
  '+SUM(1+1)',
  '<script>alert(1)</script>',
  '{{7*7}}',
  '${7*7}',
  '__proto__',
  'constructor',
  'prototype',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '-0',
  '1e308',
  ' ',
  '\t',
];

/** Dates and moments as text that are wrong, far away or at the edge of what parsers take. */
export const DATE_TRICKS = [
  '0000-00-00',
  '0001-01-01',
  '1900-01-01',
  '1969-12-31T23:59:59',
  '1970-01-01',
  '2026-02-29',
  '2026-02-30',
  '2026-13-01',
  '2026-12-15T24:00',
  '2026-12-15T18:60',
  '2026-12-15T18:00:00+25:00',
  '2026-12-15T18:00Z',
  '9999-12-31',
  '9999-12-31T23:59:59.999',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '-271821-04-20',
  '2026-W51-2',
  '2026-349',
  '15.12.2026',
  '12/15/2026',
  '2026-12-15 18:00',
  'today',
  '',
];

/** Numbers that are wrong in the other direction: negative, fractional, beyond 32 and 53 bits, the extremes. */
export const NUMBER_TRICKS = [-1, 0, -0, 0.5, -1e308, 1e308, 2 ** 31, 2 ** 31 - 1, -(2 ** 31) - 1, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, -8.64e15 - 1, 8.64e15 + 1];

const character = fc.string({ minLength: 1, maxLength: 1, unit: 'binary' });

/** Short text mixing any code unit with the tricks above. */
export const trickyText: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof({ weight: 2, arbitrary: character }, fc.constantFrom(...UNICODE_TRICKS)),
  maxLength: 24,
});

/** Text from empty to over the 64 KiB body limit. */
export const sizedText: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constantFrom(' ', '\u00a0', '\u3000'),
  fc.integer({ min: 201, max: 5000 }).map((n) => 'я'.repeat(n)),
  fc.integer({ min: 10_000, max: 70_000 }).map((n) => 'a'.repeat(n)),
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...UNICODE_TRICKS) },
  { weight: 2, arbitrary: trickyText },
  { weight: 1, arbitrary: sizedText },
  { weight: 2, arbitrary: fc.constantFrom(...DATE_TRICKS) },
  { weight: 1, arbitrary: fc.constantFrom(...NUMBER_TRICKS).map(String) },
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...NUMBER_TRICKS),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** An object with own `__proto__` / `constructor` keys that JSON.stringify writes out (a literal would not). */
export function pollutionPayload(kind: '__proto__' | 'constructor' | 'prototype', base: Record<string, unknown> = {}): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...base };
  const plant = { [POLLUTION_MARK]: true };
  const value = kind === 'constructor' ? { prototype: plant } : plant;
  Object.defineProperty(copy, kind, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}

/** Nested objects or arrays around the depth limit, built without recursion. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: MAX_JSON_DEPTH - 3, max: MAX_JSON_DEPTH + 60 }), fc.boolean(), fc.constantFrom<unknown>(1, 'x', null, '\u0000'))
  .map(([depth, arrays, leaf]) => {
    let value: unknown = leaf;
    for (let i = 0; i < depth; i += 1) value = arrays ? [value] : { k: value };
    return value;
  });

const leaf: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, fc.boolean(), fc.constant(null));

/** Any JSON value at all: a wrong type for whatever a field expects. */
export const anyJson: fc.Arbitrary<unknown> = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('tree'), { maxLength: 4 }),
    fc.dictionary(trickyText, tie('tree'), { maxKeys: 4 }),
  ),
})).tree;

/** A hostile value for a field of this schema: a wrong type, or a right type with a value that should be refused. */
export function hostileFor(schema: Schema): fc.Arbitrary<unknown> {
  const wrongType = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom(...NUMBER_TRICKS),
    fc.constant([]),
    fc.constant({}),
    fc.constantFrom(...UNICODE_TRICKS),
    fc.constantFrom(pollutionPayload('__proto__'), pollutionPayload('constructor')),
  );
  const typed: fc.Arbitrary<unknown>[] = [];
  switch (schema.type) {
    case 'string':
      typed.push(hostileString);
      break;
    case 'integer':
    case 'number':
      typed.push(hostileNumber, fc.constantFrom('1', '1e3', '0x10', ' 1', '1 ', '١'));
      break;
    case 'boolean':
      typed.push(fc.constantFrom('true', 'false', 0, 1, 'yes'));
      break;
    case 'array':
      typed.push(
        fc.array(schema.items ? hostileFor(schema.items) : anyJson, { maxLength: 5 }),
        fc.integer({ min: 1000, max: 5000 }).map((n) => Array.from({ length: n }, () => 'x')),
      );
      break;
    case 'object':
      typed.push(fc.dictionary(trickyText, anyJson, { maxKeys: 5 }), fc.constant(pollutionPayload('__proto__', exampleOf(schema) as Record<string, unknown>)));
      break;
    default:
      break;
  }
  return fc.oneof({ weight: 2, arbitrary: wrongType }, { weight: 1, arbitrary: deepValue }, ...typed.map((arbitrary) => ({ weight: 4, arbitrary })));
}

/** A date `days` from today as YYYY-MM-DD (UTC): examples must stay in the future whenever the test runs. */
function futureDate(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A valid-looking value for the schema: its example where the document gives one, else something of the right type
 * and bounds. Dates in examples are moved ahead of today, so a request is not refused merely for a past deadline.
 */
export function exampleOf(schema: Schema, name = ''): unknown {
  if (schema.example !== undefined) {
    if (typeof schema.example === 'string' && /^\d{4}-\d{2}-\d{2}/.test(schema.example)) {
      return `${futureDate(/end|due|to/i.test(name) ? 40 : 20)}${schema.example.slice(10)}`;
    }
    return schema.example;
  }
  if (schema.enum?.length) return schema.enum[0];
  if (schema.oneOf?.length) return exampleOf(schema.oneOf[0], name);
  if (schema.anyOf?.length) return exampleOf(schema.anyOf[0], name);
  switch (schema.type) {
    case 'string': {
      if (schema.format === 'date') return futureDate(20);
      if (schema.format === 'date-time' || /(At|On|From|To)$/.test(name)) return futureDate(20);
      if (/email/i.test(name)) return 'programme@demo-region.example';
      if (schema.format === 'uuid' || /Id$/.test(name)) return '00000000-0000-4000-8000-000000000000';
      const text = 'Проверка враждебного ввода';
      const min = schema.minLength ?? 0;
      return text.length >= min ? text.slice(0, schema.maxLength ?? text.length) : text.padEnd(min, 'я');
    }
    case 'integer':
    case 'number':
      return schema.minimum !== undefined ? Math.max(schema.minimum, 1) : 1;
    case 'boolean':
      return false;
    case 'array': {
      const count = schema.minItems ?? 0;
      return Array.from({ length: count }, () => exampleOf(schema.items ?? {}, name));
    }
    case 'object':
    default: {
      if (!schema.properties) return {};
      const required = new Set(schema.required ?? []);
      return Object.fromEntries(
        Object.entries(schema.properties)
          .filter(([key]) => required.has(key))
          .map(([key, value]) => [key, exampleOf(value, key)]),
      );
    }
  }
}
