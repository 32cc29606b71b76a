/**
 * The one way the web app talks to the API: openapi-fetch typed by the generated `paths` (schema.d.ts), so a changed
 * endpoint breaks the build rather than the page. The browser is authenticated by the `uplift_session` cookie; writes
 * carry the `uplift_csrf` cookie's value in `X-CSRF-Token`; any 401 sends the person to the log-in page and back.
 */
import { useQuery } from '@tanstack/react-query';
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Me = Schemas['AuthUserView'];

export const CSRF_COOKIE = 'uplift_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A wrong password answers 401 too; the log-in form shows that message instead of redirecting to itself. */
const LOGIN_PATH = '/api/auth/session';

export function readCookie(name: string): string | undefined {
  const prefix = `${name}=`;
  const found = document.cookie.split('; ').find((c) => c.startsWith(prefix));
  return found === undefined ? undefined : decodeURIComponent(found.slice(prefix.length));
}

/** Where the log-in page sends the person back to: `/login?next=/tasks/abc`. */
export function loginUrl(next: string): string {
  return next && !next.startsWith('/login') && next !== '/' ? `/login?next=${encodeURIComponent(next)}` : '/login';
}

let onUnauthorized: (loginHref: string) => void = (href) => window.location.assign(href);

/** main.tsx routes the 401 redirect through the router, so the page is not reloaded. */
export function setUnauthorizedHandler(handler: (loginHref: string) => void): void {
  onUnauthorized = handler;
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method)) {
      const token = readCookie(CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
    }
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401 && new URL(request.url).pathname !== LOGIN_PATH) {
      const here = `${window.location.pathname}${window.location.search}`;
      if (!window.location.pathname.startsWith('/login')) onUnauthorized(loginUrl(here));
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(sessionMiddleware);

/** The API's error body: `{statusCode, message, details?}`, the message and details in Russian. */
export interface ApiErrorBody {
  statusCode?: number;
  message?: string;
  details?: string[];
}

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Запрос составлен неверно',
  401: 'Требуется вход в систему',
  403: 'Нет доступа',
  404: 'Не найдено',
  409: 'Действие уже невозможно: данные изменились',
  413: 'Слишком большой запрос',
  422: 'Действие невозможно',
  429: 'Слишком много запросов, повторите позже',
  500: 'Внутренняя ошибка сервера',
  502: 'Сервер временно недоступен, повторите позже',
  503: 'Сервер временно недоступен, повторите позже',
  504: 'Сервер не ответил вовремя, повторите позже',
};

/** A failed API call, with the status and the API's Russian message. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  return typeof value === 'object' && value !== null && ('message' in value || 'statusCode' in value);
}

/** The API's message, with the field details after it («Проверьте поля: …»), or a Russian message by status. */
export function errorMessage(error: unknown, status?: number): string {
  if (error instanceof ApiError) return [error.message, ...error.details].join('. ');
  if (isErrorBody(error) && typeof error.message === 'string' && error.message) {
    const details = Array.isArray(error.details) ? error.details : [];
    return [error.message, ...details].join('. ');
  }
  if (error instanceof TypeError) return 'Нет связи с сервером. Проверьте подключение и повторите попытку';
  const code = status ?? (isErrorBody(error) ? error.statusCode : undefined);
  return (code !== undefined && STATUS_MESSAGES[code]) || 'Что-то пошло не так. Повторите попытку позже';
}

/** Turns an openapi-fetch result into its data, or throws ApiError with the Russian message. */
export async function unwrap<D>(request: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result: { data?: D; error?: unknown; response: Response };
  try {
    result = await request;
  } catch (err) {
    throw new ApiError(0, errorMessage(err));
  }
  const { data, error, response } = result;
  if (!response.ok) {
    const body = isErrorBody(error) ? error : {};
    throw new ApiError(response.status, errorMessage(body, response.status), body.details ?? []);
  }
  return data as D;
}

export const meQueryKey = ['auth', 'me'] as const;

/** Who is logged in: the person, organisation and role (GET /api/auth/me). */
export function useMe() {
  return useQuery({
    queryKey: meQueryKey,
    queryFn: () => unwrap(api.GET('/api/auth/me')),
    staleTime: 5 * 60_000,
    retry: false,
  });
}
