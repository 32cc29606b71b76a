/**
 * Hostile input against every endpoint of the running API, generated from its route table (test/support/route-table.ts),
 * so a new endpoint is covered without a test of its own. For each route a fast-check property sends requests whose
 * path parameters, query and body carry hostile values (test/support/hostile-values.ts) around a valid-looking
 * example, as an anonymous client, a ministry administrator, a school and an auditor, and checks each answer:
 * - never a 5xx;
 * - a 4xx is the API's error shape with a Russian message and Russian details (no English validator defaults);
 * - nothing stored changed (test/support/stored-state.ts), unless the answer was a 2xx: a valid-looking request may
 *   legitimately create a task or a person (and a read may be audited). Those writes are counted, and the next case waits until the
 *   worker has finished what they started (the stored state reads the same twice in a row), so that its work is
 *   never taken for a change made by a refused request;
 * - nothing reached Object.prototype (the API runs in the test's process, so pollution would show here).
 *
 * The budget (cases over all routes, shared evenly) comes from UPLIFT_HOSTILE_CASES; UPLIFT_HOSTILE_SEED replays a
 * run. Used by test/integration/hostile-routes.e2e.spec.ts (a small budget, in `npm test`) and
 * test/faults/hostile-routes.spec.ts (100 000 cases, in `npm run test:faults`).
 */
import fc from 'fast-check';
import { hashSync } from 'bcryptjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LoginProtection } from '../../libs/config';
import { startApiStack, type ApiStack } from './api-stack';
import { ApiClient, isRussianText } from './http';
import { exampleOf, hostileFor, hostileString, anyJson, deepValue, pollutionPayload, POLLUTION_MARK, trickyText } from './hostile-values';
import { pollUntil } from './poll';
import { fillPath, loadRouteTable, percentEncode, queryString, type Route, type Schema } from './route-table';
import { digestChanges, StoredState, type StoredDigest } from './stored-state';
import { uniqueSuffix } from './test-config';

/** No lock-out and no rate limit: the property sends thousands of log-ins from one address. */
const UNLIMITED: LoginProtection = {
  perAddressPerMinute: 10_000_000,
  perAccountPerMinute: 10_000_000,
  maxFailures: 10_000_000,
  failureWindowSeconds: 60,
  lockoutSeconds: 1,
};

const MINISTRY = 'demo-ministry';
const SEVERNY = 'demo-mun-severny';
const SCHOOL = 'demo-school-severny-1';
type Principal = 'anonymous' | 'admin' | 'school' | 'auditor';

interface Case {
  principal: Principal;
  pathValues: Record<string, string>;
  query: Record<string, unknown>;
  /** JSON to send, or raw text (`raw`), or nothing. */
  body?: { json: unknown } | { raw: string } | { bytes: Buffer; contentType: string; fileName: string };
  idempotencyKey?: string;
}

export interface Outcome {
  status: number;
  text: string;
  contentType: string;
}

export interface HostileRunSummary {
  seed: number;
  budget: number;
  routes: number;
  cases: number;
  accepted: number;
  byStatus: Record<string, number>;
  byRoute: Record<string, { cases: number; ms: number; statuses: Record<string, number> }>;
  failures: string[];
  seconds: number;
  /** Time spent waiting for answers, and reading the stored state, over all cases. */
  requestMs: number;
  digestMs: number;
}

/** Ids the path parameters may take besides hostile text, so that requests reach the code behind a lookup. */
interface KnownIds {
  organizations: string[];
  tasks: string[];
  documents: string[];
  people: string[];
  other: string[];
}

/** Why an answer breaks the rules for every answer (no 5xx; a 4xx in the API's shape, in Russian); null when it holds. */
export function holdsShape(outcome: Outcome, echoes: string[] = []): string | null {
  // What the request itself sent (a field named `undefined`, a value `null`) may be quoted back; only the API's own
  // words must be Russian.
  const own = (text: unknown): unknown => (typeof text === 'string' ? echoes.reduce((t, echo) => t.split(echo).join('«…»'), text) : text);
  if (outcome.status >= 500) return `answered ${outcome.status} (a server error)`;
  if (outcome.status < 400) return null;
  if (!/application\/json/.test(outcome.contentType)) return `answered ${outcome.status} as ${outcome.contentType || 'no content type'}, not JSON`;
  let parsed: { statusCode?: unknown; message?: unknown; details?: unknown };
  try {
    parsed = JSON.parse(outcome.text) as typeof parsed;
  } catch {
    return `answered ${outcome.status} with a body that is not JSON`;
  }
  if (parsed.statusCode !== outcome.status) return `answered ${outcome.status} but the body says statusCode ${String(parsed.statusCode)}`;
  if (!isRussianText(own(parsed.message))) return `answered ${outcome.status} with a message that is not Russian: ${JSON.stringify(parsed.message)}`;
  if (parsed.details !== undefined) {
    if (!Array.isArray(parsed.details)) return `details is not a list: ${JSON.stringify(parsed.details)}`;
    // A detail is `field: what is wrong`; the field is the request's own (possibly escaped or cut short at 200
    // characters), so the API's words are what follows the first ': ' when the whole line does not read as Russian.
    const ownWords = (line: unknown): unknown => {
      const text = own(line);
      return typeof text === 'string' && text.includes(': ') ? text.slice(text.indexOf(': ') + 2) : text;
    };
    const english = parsed.details.find((line) => !isRussianText(own(line)) && !isRussianText(ownWords(line)));
    if (english !== undefined) return `answered ${outcome.status} with a detail that is not Russian: ${JSON.stringify(english)}`;
  }
  return null;
}

/** Where a hostile value goes in the example body: a top-level field, or a field of a nested object or list item. */
function fieldPaths(schema: Schema | undefined, prefix: string[] = [], depth = 0): { path: string[]; schema: Schema }[] {
  if (!schema?.properties || depth > 2) return [];
  return Object.entries(schema.properties).flatMap(([key, value]) => {
    const here = [...prefix, key];
    const inner = value.type === 'array' && value.items ? fieldPaths(value.items, [...here, '0'], depth + 1) : fieldPaths(value, here, depth + 1);
    return [{ path: here, schema: value }, ...inner];
  });
}

/** A copy of `base` with `value` set at `path` (creating objects and one-element lists on the way). */
function setAt(base: unknown, pathParts: string[], value: unknown, schema: Schema | undefined): unknown {
  const root: unknown = JSON.parse(JSON.stringify(base ?? {}));
  if (root === null || typeof root !== 'object') return root;
  let cursor = root as Record<string, unknown>;
  let cursorSchema = schema;
  for (let i = 0; i < pathParts.length - 1; i += 1) {
    const key = pathParts[i];
    const childSchema: Schema | undefined = /^\d+$/.test(key) ? cursorSchema?.items : cursorSchema?.properties?.[key];
    if (cursor[key] === null || typeof cursor[key] !== 'object') {
      cursor[key] = childSchema?.type === 'array' ? [exampleOf(childSchema.items ?? {}, key)] : exampleOf(childSchema ?? {}, key);
      if (cursor[key] === null || typeof cursor[key] !== 'object') cursor[key] = {};
    }
    cursor = cursor[key] as Record<string, unknown>;
    cursorSchema = childSchema;
  }
  Object.defineProperty(cursor, pathParts[pathParts.length - 1], { value, enumerable: true, configurable: true, writable: true });
  return root;
}

const RAW_BODIES = [
  '',
  '{',
  '{"a":',
  'null',
  '[]',
  '"text"',
  '123',
  '{"a":1,"a":2}',
  '\ufeff{}',
  '{"n":1e999}',
  '{"n":-1e999}',
  `{"__proto__":{"${POLLUTION_MARK}":true}}`,
  `{"constructor":{"prototype":{"${POLLUTION_MARK}":true}}}`,
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
];

const FILE_NAMES = ['Приказ.pdf', '\u202efdp.exe', '../../etc/passwd', '..\\..\\boot.ini', 'a\u0000b.pdf', 'x\u0007.csv', 'con.txt', ' ', '.', '..', 'a'.repeat(600), '=cmd|calc.csv', 'résumé\u0301.pdf', '\ud800.pdf'];
const UPLOAD_BYTES: Buffer[] = [
  Buffer.alloc(0),
  Buffer.from('%PDF-1.4\n%%EOF\n'),
  Buffer.from('code;name\n000101;=cmd|\' /C calc\'!A0\n'),
  Buffer.from('PK\u0003\u0004 truncated zip'),
  Buffer.from([0xff, 0xfe, 0x00, 0x00, 0xd8, 0x00]),
  Buffer.alloc(70 * 1024, 0x41),
];
const UPLOAD_TYPES = ['application/pdf', 'text/csv', 'application/octet-stream', 'text/html', 'application/x-msdownload', 'application/json', 'multipart/form-data; boundary=x', ''];
const IDEMPOTENCY_KEYS = [undefined, '', ' ', 'k'.repeat(201), 'ключ', 'a b', 'a\tb', 'ÿ', '00000000-0000-4000-8000-00000000abcd'];

function caseArbitrary(route: Route, known: KnownIds): fc.Arbitrary<Case> {
  const principal = fc.constantFrom<Principal>('admin', 'admin', 'admin', 'admin', 'school', 'auditor', 'anonymous');
  const idFor = (name: string): string[] => {
    if (/organization|school|parent/i.test(name)) return known.organizations;
    if (/person/i.test(name)) return known.people;
    if (/task/i.test(name)) return known.tasks;
    if (route.path.startsWith('/api/tasks/')) return known.tasks;
    if (route.path.startsWith('/api/documents/')) return known.documents;
    if (route.path.startsWith('/api/organizations/')) return known.organizations;
    return known.other;
  };
  const pathValues = fc.record(
    Object.fromEntries(
      route.pathParams.map((p) => [p.name, fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...idFor(p.name), ...known.other) }, { weight: 3, arbitrary: hostileString.filter((s) => s.length > 0 && s.length < 2000) })]),
    ) as Record<string, fc.Arbitrary<string>>,
  );
  const queryParam = (schema: Schema, name: string): fc.Arbitrary<unknown> =>
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(exampleOf(schema, name)) },
      { weight: 1, arbitrary: fc.constantFrom(...idFor(name)) },
      { weight: 4, arbitrary: hostileFor(schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')) },
      { weight: 1, arbitrary: fc.tuple(hostileString, hostileString) },
    );
  const query = fc
    .tuple(
      fc.record(
        Object.fromEntries(route.query.map((q) => [q.name, q.required ? queryParam(q.schema, q.name) : fc.option(queryParam(q.schema, q.name), { nil: undefined })])),
      ),
      fc.option(fc.tuple(fc.oneof(trickyText, fc.constantFrom('__proto__', 'constructor', 'constructor[prototype][upliftPolluted]', '__proto__[upliftPolluted]')), hostileString), { freq: 4 }),
    )
    .map(([declared, extra]) => (extra ? { ...declared, [extra[0]]: extra[1] } : declared));

  let body: fc.Arbitrary<Case['body']>;
  if (route.uploadTypes.length > 0) {
    body = fc.record({
      bytes: fc.constantFrom(...UPLOAD_BYTES),
      contentType: fc.constantFrom(...route.uploadTypes, ...UPLOAD_TYPES),
      fileName: fc.constantFrom(...FILE_NAMES),
    });
  } else if (route.body) {
    const example = exampleOf(route.body);
    const fields = fieldPaths(route.body);
    const mutated: fc.Arbitrary<unknown> = fields.length
      ? fc.constantFrom(...fields).chain(({ path: at, schema }) => hostileFor(schema).map((value) => setAt(example, at, value, route.body)))
      : anyJson;
    body = fc.oneof(
      { weight: 8, arbitrary: mutated.map((json) => ({ json })) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.oneof(trickyText, fc.constantFrom('__proto__', 'constructor', 'prototype')), anyJson)
          .map(([key, value]) => ({ json: setAt(example, [key], value, route.body) })),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom<'__proto__' | 'constructor'>('__proto__', 'constructor').map((kind) => ({
          json: pollutionPayload(kind, (example ?? {}) as Record<string, unknown>),
        })),
      },
      { weight: 1, arbitrary: fc.oneof(anyJson, deepValue).map((json) => ({ json })) },
      { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((raw) => ({ raw })) },
    );
  } else if (route.method === 'GET') {
    body = fc.constant(undefined);
  } else {
    body = fc.oneof(fc.constant(undefined), fc.constantFrom(...RAW_BODIES).map((raw) => ({ raw })), anyJson.map((json) => ({ json })));
  }
  const idempotencyKey = route.method === 'GET' ? fc.constant(undefined) : fc.constantFrom(...IDEMPOTENCY_KEYS);
  return fc.record({ principal, pathValues, query, body, idempotencyKey });
}

/** Every key and text value the case sends, longest first (at least 3 characters: shorter ones are in every word). */
function echoesOf(input: Case): string[] {
  const found = new Set<string>();
  const visit = (value: unknown, depth: number): void => {
    if (depth > 40) return;
    if (typeof value === 'string') found.add(value);
    else if (Array.isArray(value)) value.forEach((v) => visit(v, depth + 1));
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        found.add(key);
        visit(inner, depth + 1);
      }
    }
  };
  visit(input.pathValues, 0);
  visit(input.query, 0);
  if (input.body && 'json' in input.body) visit(input.body.json, 0);
  // The API names a bad field with its control characters and surrogates written as \uXXXX (hostile-input.ts).
  const escaped = [...found].map((text) => text.replace(/[\u0000-\u001f]|[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  // A query parameter's name that is no UTF-8 is named as it came, percent-escaped.
  const encoded = [...found].map((text) => percentEncode(text));
  return [...new Set([...found, ...escaped, ...encoded])].filter((text) => text.trim().length >= 3).sort((a, b) => b.length - a.length);
}

/** Header values fetch can send: Latin-1 without control characters but the tab (undici refuses the others). */
function headerSafe(value: string): boolean {
  return /^[\t\u0020-\u007e\u0080-\u00ff]*$/.test(value);
}

export function hostileRoutesSuite(options: { defaultBudget: number; label: string }): void {
  const budget = Number(process.env.UPLIFT_HOSTILE_CASES ?? options.defaultBudget);
  const seed = Number(process.env.UPLIFT_HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const suffix = uniqueSuffix();
  let stack: ApiStack;
  let state: StoredState;
  const tokens: Partial<Record<Principal, string>> = {};
  const passwords: Record<Exclude<Principal, 'anonymous'>, { email: string; password: string }> = {
    admin: { email: `admin.${suffix}@hostile-routes.demo-region.example`, password: `Пароль-админа-${suffix}` },
    school: { email: `school.${suffix}@hostile-routes.demo-region.example`, password: `Пароль-школы-${suffix}` },
    auditor: { email: `auditor.${suffix}@hostile-routes.demo-region.example`, password: `Пароль-аудитора-${suffix}` },
  };
  const known: KnownIds = { organizations: [MINISTRY, SEVERNY, SCHOOL, 'demo-mun-yuzhny'], tasks: [], documents: [], people: [], other: ['default', 'results', '1'] };

  async function logIn(principal: Exclude<Principal, 'anonymous'>): Promise<void> {
    const client = await stack.anonymous.as(passwords[principal].email, passwords[principal].password);
    tokens[principal] = client.token;
  }

  beforeAll(async () => {
    stack = await startApiStack(`hostile-routes-${suffix}`, { loginProtection: UNLIMITED });
    const insert = async (organizationId: string, email: string, role: string, password: string): Promise<string> => {
      const rows = (await stack.harness.dataSource.query(
        `INSERT INTO people (organization_id, full_name, email, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [organizationId, `Проверяющий Враждебный Ввод (${role})`, email, role, hashSync(password, 4)],
      )) as { id: string }[];
      return rows[0].id;
    };
    await insert(MINISTRY, passwords.admin.email, 'ministry_admin', passwords.admin.password);
    await insert(SCHOOL, passwords.school.email, 'school', passwords.school.password);
    await insert(MINISTRY, passwords.auditor.email, 'auditor', passwords.auditor.password);
    // A person without a log-in for the person routes to aim at: never one of the principals, whose password must stay.
    const victim = (await stack.harness.dataSource.query(
      `INSERT INTO people (organization_id, full_name, email) VALUES ($1, 'Цель Проверки Ввода', $2) RETURNING id`,
      [SEVERNY, `target.${suffix}@hostile-routes.demo-region.example`],
    )) as { id: string }[];
    known.people.push(victim[0].id);
    await Promise.all((['admin', 'school', 'auditor'] as const).map(logIn));
    const admin = new ApiClient(stack.baseUrl).withToken(tokens.admin);
    const due = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const task = await admin.post('/api/tasks', { id: `hostile-routes-${suffix}`, title: 'Задача для враждебного ввода', assigneeOrganizationId: SCHOOL, dueAt: due });
    if (task.status !== 201) throw new Error(`the fixture task: ${task.status} ${task.text}`);
    known.tasks.push(task.body.id as string);
    const upload = await fetch(`${stack.baseUrl}/api/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.admin!}`, 'content-type': 'application/pdf', 'x-file-name': encodeURIComponent('Приказ.pdf') },
      body: Buffer.from('%PDF-1.4\n%%EOF\n'),
    });
    if (upload.status !== 201) throw new Error(`the fixture document: ${upload.status} ${await upload.text()}`);
    known.documents.push(((await upload.json()) as { id: string }).id);
    state = await StoredState.open(stack.harness.dataSource);
  });

  afterAll(async () => {
    await stack?.close();
  });

  async function send(route: Route, input: Case): Promise<Outcome> {
    const url = `${stack.baseUrl}${fillPath(route, input.pathValues)}${queryString(input.query)}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = input.principal === 'anonymous' ? undefined : tokens[input.principal];
    if (token) headers.authorization = `Bearer ${token}`;
    if (input.idempotencyKey !== undefined && headerSafe(input.idempotencyKey)) headers['idempotency-key'] = input.idempotencyKey;
    let body: string | Buffer | undefined;
    if (input.body && 'json' in input.body) {
      body = JSON.stringify(input.body.json) ?? 'null';
      headers['content-type'] = 'application/json';
    } else if (input.body && 'raw' in input.body) {
      body = input.body.raw;
      headers['content-type'] = 'application/json';
    } else if (input.body && 'bytes' in input.body) {
      body = input.body.bytes;
      if (input.body.contentType) headers['content-type'] = input.body.contentType;
      headers['x-file-name'] = percentEncode(input.body.fileName);
    }
    let response: Response;
    try {
      response = await fetch(url, { method: route.method, headers, body });
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      throw new Error(`no answer: the connection failed (${String(cause ?? err)})`);
    }
    return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') ?? '' };
  }

  /**
   * Waits until the worker has finished what an accepted write started: every queued message relayed, and the stored
   * state reads the same twice.
   */
  async function settled(): Promise<StoredDigest> {
    let last = await state.digest();
    return pollUntil(
      'the stored state to settle after an accepted write',
      async () => {
        const now = await state.digest();
        const same = digestChanges(last, now).length === 0;
        last = now;
        return same && (await state.unrelayedMessages()) === 0 ? now : undefined;
      },
      60_000,
    );
  }

  it(`holds for every route of the API: never a 5xx, a Russian 4xx, nothing stored changed (${options.label})`, async () => {
    const started = Date.now();
    const { routes } = await loadRouteTable(stack.app);
    const perRoute = Math.max(2, Math.ceil(budget / routes.length));
    const summary: HostileRunSummary = { seed, budget, routes: routes.length, cases: 0, accepted: 0, byStatus: {}, byRoute: {}, failures: [], seconds: 0, requestMs: 0, digestMs: 0 };
    let baseline = await state.digest();
    for (const [index, route] of routes.entries()) {
      const perRouteStats = (summary.byRoute[route.name] = { cases: 0, ms: 0, statuses: {} as Record<string, number> });
      const result = await fc.check(
        fc.asyncProperty(caseArbitrary(route, known), async (input) => {
          const sentAt = Date.now();
          const outcome = await send(route, input);
          summary.requestMs += Date.now() - sentAt;
          perRouteStats.ms += Date.now() - sentAt;
          summary.cases += 1;
          perRouteStats.cases += 1;
          summary.byStatus[outcome.status] = (summary.byStatus[outcome.status] ?? 0) + 1;
          perRouteStats.statuses[outcome.status] = (perRouteStats.statuses[outcome.status] ?? 0) + 1;
          const shape = holdsShape(outcome, echoesOf(input));
          if (shape) throw new Error(`${shape}: ${outcome.text.slice(0, 600)}`);
          if ((Object.prototype as Record<string, unknown>)[POLLUTION_MARK] !== undefined) {
            delete (Object.prototype as Record<string, unknown>)[POLLUTION_MARK];
            throw new Error('Object.prototype was polluted');
          }
          // A GET may write too (an auditor's export is itself audited): any 2xx is an accepted request.
          const accepted = outcome.status < 300;
          if (accepted) {
            summary.accepted += 1;
            // A log-out or a password change ends the principal's session: log in again.
            if (route.path.startsWith('/api/auth/') && input.principal !== 'anonymous') await logIn(input.principal);
            baseline = await settled();
            return;
          }
          const readAt = Date.now();
          const after = await state.digest();
          summary.digestMs += Date.now() - readAt;
          const changes = digestChanges(baseline, after);
          baseline = after;
          if (changes.length) throw new Error(`answered ${outcome.status} but stored data changed: ${changes.join('; ')}; ${outcome.text.slice(0, 300)}`);
        }),
        { numRuns: perRoute, seed: seed + index, endOnFailure: false },
      );
      if (result.failed) {
        const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
        summary.failures.push(`${route.name}: ${error}\n  counterexample: ${fc.stringify(result.counterexample).slice(0, 1500)}\n  replay: seed ${seed + index}, path ${result.counterexamplePath}`);
        // Later cases start from whatever the failing one left.
        baseline = await state.digest();
      }
    }
    summary.seconds = Math.round((Date.now() - started) / 100) / 10;
    mkdirSync('test-output', { recursive: true });
    writeFileSync(path.join('test-output', `hostile-routes-${options.label}.json`), `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      `hostile routes (${options.label}): ${summary.cases} cases over ${summary.routes} routes in ${summary.seconds} s, seed ${seed}; ` +
        `${summary.accepted} answered 2xx (accepted, stored state re-read); statuses ${JSON.stringify(summary.byStatus)}; ${summary.failures.length} routes failed; ` +
        `${Math.round(summary.requestMs / 1000)} s in requests, ${Math.round(summary.digestMs / 1000)} s reading the stored state\n`,
    );
    expect(summary.failures).toEqual([]);
    // A bound, not a wait: about 75 ms a case on two busy cores, with room for a slow machine.
  }, Math.max(120_000, budget * 250));
}
