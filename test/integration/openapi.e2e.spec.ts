/**
 * The OpenAPI document is the contract the web app's generated client is built from: every operation declares what
 * it answers. Served by the real API app (the same document GET /api/openapi.json gives), checked for:
 * - every operation has a 2xx answer whose JSON body is a named schema ($ref) or an array of one; a 204 has no body,
 *   and a file download declares its content type (CSV, XLSX, a binary) instead;
 * - every named schema is an object with properties, and no property is a bare `object` with nothing said about it
 *   (a nested object gets its own class; a free-form one says `additionalProperties`).
 * The failure message lists every offender, so one run shows all of them.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../apps/api/api-app';
import { testConfig, uniqueSuffix } from '../support/test-config';

interface Schema {
  $ref?: string;
  type?: string;
  items?: Schema;
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  enum?: unknown[];
}

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Why the operation's 2xx answer does not say what it returns; null when it does. */
function responseProblem(operation: Operation): string | null {
  const ok = Object.entries(operation.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
  if (ok.length === 0) return 'no 2xx response';
  if (ok.some(([status]) => status === '204')) return null;
  for (const [status, response] of ok) {
    const content = response.content ?? {};
    const json = content['application/json'];
    if (json) {
      const schema = json.schema ?? {};
      if (schema.$ref || schema.items?.$ref) continue;
      return `${status} application/json is ${JSON.stringify(schema)}, not a $ref or an array of $ref`;
    }
    // A file download: the content type is the contract.
    if (Object.keys(content).length > 0) continue;
    return `${status} declares no content`;
  }
  return null;
}

/** A property that is an object nobody described: no properties, no additionalProperties, no $ref. */
function isBareObject(schema: Schema): boolean {
  const target = schema.type === 'array' && schema.items ? schema.items : schema;
  if (target.$ref || target.allOf || target.oneOf || target.anyOf) return false;
  return target.type === 'object' && !target.properties && target.additionalProperties === undefined;
}

describe('the OpenAPI document', () => {
  let app: NestFastifyApplication;
  let document: OpenApiDocument;

  beforeAll(async () => {
    // The document needs the app's routes, not a worker or mail: the SMTP address is never dialled here.
    app = await createApiApp(testConfig({ taskQueue: `openapi-${uniqueSuffix()}`, smtpUrl: 'smtp://127.0.0.1:1' }));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    document = response.json<OpenApiDocument>();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('is served without a token at /api/openapi.json', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths).length).toBeGreaterThan(50);
  });

  it('gives every operation a 2xx answer with a named schema (or a content type for files, or 204)', () => {
    const offenders: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!METHODS.has(method)) continue;
        const problem = responseProblem(operation);
        if (problem) offenders.push(`${method.toUpperCase()} ${path}: ${problem}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('describes every named schema: properties for objects, and no nested object left undescribed', () => {
    const offenders: string[] = [];
    for (const [name, schema] of Object.entries(document.components.schemas)) {
      if (schema.enum) continue;
      if (schema.type === 'object' && !schema.properties && schema.additionalProperties === undefined) {
        offenders.push(`${name}: an object without properties`);
        continue;
      }
      for (const [property, value] of Object.entries(schema.properties ?? {})) {
        if (isBareObject(value)) offenders.push(`${name}.${property}: a bare object (give it a class, or additionalProperties)`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('resolves every $ref to a named schema', () => {
    const missing = new Set<string>();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (value && typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          if (key === '$ref' && typeof inner === 'string') {
            const name = inner.replace('#/components/schemas/', '');
            if (!document.components.schemas[name]) missing.add(inner);
          } else visit(inner);
        }
      }
    };
    visit(document);
    expect([...missing]).toEqual([]);
  });
});
