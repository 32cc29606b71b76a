import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { ApiHeader } from '@nestjs/swagger';
import { IS_PUBLIC_KEY } from '../auth/decorators';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH } from './idempotency-key';
import { IdempotencyInterceptor } from './idempotency.interceptor';

const WRITE_REQUEST_METHODS = new Set<RequestMethod>([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);

const HEADER_DESCRIPTION =
  'Makes the write safe to retry: the same key with the same request (query and body; an upload by its bytes, name and ' +
  'type) replays the first answer, same status, with `Idempotent-Replayed: true`, and does not run again; the same ' +
  'key with another request is 422; while the first is still running, 409 with Retry-After. A 4xx answer is kept and ' +
  'replayed, a 5xx is not (retry with the same key). Scoped to the person, the method and the path; kept 24 h by ' +
  `default (IDEMPOTENCY_KEY_TTL). 1–${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, e.g. a UUID.`;

/** Handlers already documented: a second `ApiModule.forRoot` (tests build several apps) must not add the header twice. */
const documented = new WeakSet<object>();

function isDynamicModule(value: unknown): value is DynamicModule {
  return typeof value === 'object' && value !== null && 'module' in value;
}

/** Every controller reachable from the module through its imports (static metadata and dynamic modules alike). */
function controllersOf(root: DynamicModule): Type[] {
  const controllers = new Set<Type>();
  const seen = new Set<unknown>();
  const visit = (module: unknown): void => {
    if (seen.has(module)) return;
    seen.add(module);
    const metadataOf = (target: unknown, key: string): unknown[] =>
      typeof target === 'function' ? ((Reflect.getMetadata(key, target) as unknown[] | undefined) ?? []) : [];
    const own = isDynamicModule(module) ? module : undefined;
    const moduleClass = own ? own.module : module;
    for (const controller of [...(own?.controllers ?? []), ...metadataOf(moduleClass, MODULE_METADATA.CONTROLLERS)]) {
      controllers.add(controller as Type);
    }
    // forwardRef() and promised imports are not followed: the API's modules use neither.
    for (const imported of [...(own?.imports ?? []), ...metadataOf(moduleClass, MODULE_METADATA.IMPORTS)]) {
      if (typeof imported === 'function' || isDynamicModule(imported)) visit(imported);
    }
  };
  visit(root);
  return [...controllers];
}

/**
 * Puts `Idempotency-Key` in the OpenAPI document of every write operation but the @Public() ones, the routes the
 * interceptor serves. Done on the controllers' metadata rather than on the finished document, so the served
 * document and the web app's generated types (built in Nest's preview mode from the same module) both carry it.
 */
function documentIdempotencyKey(module: DynamicModule): void {
  const header = ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: HEADER_DESCRIPTION,
    schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH, pattern: '^[\\x20-\\x7E]+$' },
  });
  for (const controller of controllersOf(module)) {
    if (Reflect.getMetadata(IS_PUBLIC_KEY, controller)) continue;
    const prototype = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
      const handler: unknown = descriptor?.value;
      if (name === 'constructor' || typeof handler !== 'function' || documented.has(handler)) continue;
      if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
      if (!WRITE_REQUEST_METHODS.has(Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod)) continue;
      if (Reflect.getMetadata(IS_PUBLIC_KEY, handler)) continue;
      header(prototype, name, descriptor!);
      documented.add(handler);
    }
  }
}

/**
 * The API's root module with idempotency keys on every write route: the global interceptor, and the header in the
 * OpenAPI document. A route added to any module the root imports is covered with no code of its own.
 */
export function withIdempotencyKeys(module: DynamicModule): DynamicModule {
  documentIdempotencyKey(module);
  return { ...module, providers: [...(module.providers ?? []), { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor }] };
}
