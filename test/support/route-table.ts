/**
 * Every route of the running API as one table, so that tests can be generated from it and a new endpoint is covered
 * without a test of its own: the OpenAPI document the app serves (GET /api/openapi.json) gives each operation's path,
 * query and header parameters and body schema ($refs resolved); Nest's own metadata (the controllers the app
 * registered) gives each route's access rule (@Public, @Roles, @AnyLoggedIn, @ChangesNothing). A route Nest serves
 * that the document lacks, or the other way round, is an error here: the two must describe the same API.
 */
import 'reflect-metadata';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  ACCESS_SCOPE_KEY,
  CHANGES_NOTHING_KEY,
  IS_PUBLIC_KEY,
  ROLES_KEY,
  type AccessScope,
} from '../../apps/api/auth/decorators';
import type { Role } from '../../apps/api/auth/roles';

/** The part of JSON Schema (OpenAPI 3.0) the generators read. */
export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  nullable?: boolean;
  example?: unknown;
}

export interface RouteParam {
  name: string;
  in: 'path' | 'query' | 'header';
  required: boolean;
  schema: Schema;
}

/** How the route is guarded, as its controller declares it. `undeclared`: none of the three decorators. */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'roles'; roles: Role[] }
  | { kind: 'any'; scope: AccessScope }
  | { kind: 'undeclared' };

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** As the OpenAPI document writes it: `/api/tasks/{id}`. */
  path: string;
  /** `GET /api/tasks/{id}`, for messages. */
  name: string;
  pathParams: RouteParam[];
  query: RouteParam[];
  headers: RouteParam[];
  /** The JSON body's schema with every $ref resolved; undefined when the route takes no JSON body. */
  body?: Schema;
  bodyRequired: boolean;
  /** Media types of a raw (non-JSON) body: an upload. Empty for JSON routes. */
  uploadTypes: string[];
  access: RouteAccess;
  changesNothing: boolean;
  /** A method that may change something (POST, PUT, PATCH, DELETE), unless marked @ChangesNothing. */
  writes: boolean;
}

export interface RouteTable {
  routes: Route[];
  /** The OpenAPI document the table was read from. */
  document: OpenApiDocument;
}

interface Operation {
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: Schema }> };
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const HTTP_METHODS: Record<number, HttpMethod | undefined> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

/** Resolves $refs and merges allOf, to the depth the schemas have (cycles are cut at `depth`). */
export function resolveSchema(document: OpenApiDocument, schema: Schema | undefined, depth = 8): Schema {
  if (!schema) return {};
  if (depth <= 0) return { type: 'object' };
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = document.components.schemas[name];
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return resolveSchema(document, target, depth - 1);
  }
  let resolved: Schema = { ...schema };
  if (schema.allOf) {
    delete resolved.allOf;
    for (const part of schema.allOf) {
      const inner = resolveSchema(document, part, depth - 1);
      resolved = {
        ...inner,
        ...resolved,
        properties: { ...inner.properties, ...resolved.properties },
        required: [...(inner.required ?? []), ...(resolved.required ?? [])],
      };
    }
  }
  if (resolved.items) resolved.items = resolveSchema(document, resolved.items, depth - 1);
  if (resolved.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(resolved.properties).map(([key, value]) => [key, resolveSchema(document, value, depth - 1)]),
    );
  }
  if (resolved.oneOf) resolved.oneOf = resolved.oneOf.map((s) => resolveSchema(document, s, depth - 1));
  if (resolved.anyOf) resolved.anyOf = resolved.anyOf.map((s) => resolveSchema(document, s, depth - 1));
  if (resolved.additionalProperties && typeof resolved.additionalProperties === 'object') {
    resolved.additionalProperties = resolveSchema(document, resolved.additionalProperties, depth - 1);
  }
  return resolved;
}

/** `/api/tasks/:id` → `/api/tasks/{id}`. */
function openApiPath(nestPath: string): string {
  return nestPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function joinPath(...parts: (string | undefined)[]): string {
  const joined = `/${parts.filter((p) => p !== undefined && p !== '' && p !== '/').join('/')}`;
  return joined.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

interface NestRoute {
  method: HttpMethod;
  path: string;
  access: RouteAccess;
  changesNothing: boolean;
}

/** The routes Nest registered, with their access metadata (method overrides class, as the guard reads it). */
function nestRoutes(app: NestFastifyApplication, prefix: string): NestRoute[] {
  const routes: NestRoute[] = [];
  const modules = app.get(ModulesContainer, { strict: false });
  const seen = new Set<unknown>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const controllerPaths = ([] as string[]).concat((Reflect.getMetadata(PATH_METADATA, controller) as string | string[]) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const key of Object.getOwnPropertyNames(prototype)) {
        if (key === 'constructor') continue;
        const handler = prototype[key];
        if (typeof handler !== 'function') continue;
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as number | undefined;
        if (methodPath === undefined || requestMethod === undefined) continue;
        const method = HTTP_METHODS[requestMethod];
        if (!method) throw new Error(`${controller.name}.${key}: a request method the route table does not know (${requestMethod})`);
        const read = <T>(metadataKey: string): T | undefined =>
          (Reflect.getMetadata(metadataKey, handler) as T | undefined) ?? (Reflect.getMetadata(metadataKey, controller) as T | undefined);
        const roles = read<Role[]>(ROLES_KEY);
        const scope = read<AccessScope>(ACCESS_SCOPE_KEY);
        const access: RouteAccess = read<boolean>(IS_PUBLIC_KEY)
          ? { kind: 'public' }
          : roles
            ? { kind: 'roles', roles }
            : scope
              ? { kind: 'any', scope }
              : { kind: 'undeclared' };
        for (const controllerPath of controllerPaths) {
          for (const sub of ([] as string[]).concat(methodPath)) {
            routes.push({
              method,
              path: openApiPath(joinPath(prefix, controllerPath, sub)),
              access,
              changesNothing: Reflect.getMetadata(CHANGES_NOTHING_KEY, handler) === true,
            });
          }
        }
      }
    }
  }
  return routes;
}

/**
 * The route table of a built app (initialised, listening or not). `prefix` is the global prefix the app was given.
 */
export async function loadRouteTable(app: NestFastifyApplication, prefix = 'api'): Promise<RouteTable> {
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.ready();
  const response = await fastify.inject({ method: 'GET', url: `/${prefix}/openapi.json` });
  if (response.statusCode !== 200) throw new Error(`GET /${prefix}/openapi.json answered ${response.statusCode}`);
  const document = response.json<OpenApiDocument>();
  const byKey = new Map(nestRoutes(app, prefix).map((r) => [`${r.method} ${r.path}`, r]));
  const routes: Route[] = [];
  const problems: string[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [lower, operation] of Object.entries(item)) {
      const method = lower.toUpperCase() as HttpMethod;
      if (!Object.values(HTTP_METHODS).includes(method)) continue;
      const name = `${method} ${path}`;
      const nest = byKey.get(name);
      if (!nest) {
        problems.push(`${name} is in the OpenAPI document but Nest serves no such route`);
        continue;
      }
      byKey.delete(name);
      const params = (operation.parameters ?? []).map(
        (p): RouteParam => ({ name: p.name, in: p.in as RouteParam['in'], required: p.required === true, schema: resolveSchema(document, p.schema) }),
      );
      const content = operation.requestBody?.content ?? {};
      const json = content['application/json'];
      routes.push({
        method,
        path,
        name,
        pathParams: params.filter((p) => p.in === 'path'),
        query: params.filter((p) => p.in === 'query'),
        headers: params.filter((p) => p.in === 'header'),
        body: json ? resolveSchema(document, json.schema) : undefined,
        bodyRequired: operation.requestBody?.required === true,
        uploadTypes: Object.keys(content).filter((type) => type !== 'application/json'),
        access: nest.access,
        changesNothing: nest.changesNothing,
        writes: method !== 'GET' && !nest.changesNothing,
      });
    }
  }
  // Routes the document leaves out (the docs pages themselves) are not API operations; any other is a gap.
  for (const name of byKey.keys()) problems.push(`${name} is served by Nest but missing from the OpenAPI document`);
  if (problems.length) throw new Error(`the route table is inconsistent:\n${problems.join('\n')}`);
  routes.sort((a, b) => a.name.localeCompare(b.name));
  return { routes, document };
}

/**
 * encodeURIComponent that also takes text no UTF-8 can hold: a lone UTF-16 surrogate is written as the three bytes
 * a lax encoder (WTF-8) would send, so that the API sees what a hostile client can really send.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/** Fills `{name}` in the route's path with the given values, each URI-encoded (or as given when `raw`). */
export function fillPath(route: Route, values: Record<string, string>, raw = false): string {
  return route.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${route.name}: no value for the path parameter ${name}`);
    return raw ? value : percentEncode(value);
  });
}

/** A query string (with its `?`, or '' when empty); an array value repeats the parameter. */
export function queryString(values: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) {
      parts.push(`${percentEncode(key)}=${percentEncode(typeof one === 'string' ? one : (JSON.stringify(one) ?? ''))}`);
    }
  }
  return parts.length ? `?${parts.join('&')}` : '';
}
