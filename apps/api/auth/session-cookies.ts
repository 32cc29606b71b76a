import type { CookieSerializeOptions } from '@fastify/cookie';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The browser session's two cookies (`POST /api/auth/session`): the JWT, out of the page's reach, and the CSRF
 * token the page reads and echoes in `X-CSRF-Token` on every write (double submit; SameSite=Strict besides).
 */
export const SESSION_COOKIE = 'uplift_session';
export const CSRF_COOKIE = 'uplift_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export const CSRF_REFUSED =
  'Запрос отклонён: не передан или неверен защитный токен (CSRF). Обновите страницу и повторите.';

/** Methods that change nothing, so they need no CSRF token. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface CookieSettings {
  /** `Secure` attribute: when the app is reached over https (PUBLIC_URL). */
  secure: boolean;
  /** Lifetime in seconds, the JWT's. */
  maxAgeSeconds: number;
}

/** 256 random bits, URL-safe. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

function options(settings: Pick<CookieSettings, 'secure'>, httpOnly: boolean): CookieSerializeOptions {
  return { path: '/', sameSite: 'strict', httpOnly, secure: settings.secure };
}

export function setSessionCookies(reply: FastifyReply, settings: CookieSettings, token: string, csrfToken: string): void {
  void reply.setCookie(SESSION_COOKIE, token, { ...options(settings, true), maxAge: settings.maxAgeSeconds });
  void reply.setCookie(CSRF_COOKIE, csrfToken, { ...options(settings, false), maxAge: settings.maxAgeSeconds });
}

export function clearSessionCookies(reply: FastifyReply, settings: Pick<CookieSettings, 'secure'>): void {
  void reply.clearCookie(SESSION_COOKIE, options(settings, true));
  void reply.clearCookie(CSRF_COOKIE, options(settings, false));
}

/** A cookie of the request; undefined when absent, empty, or the cookie plugin is not registered. */
export function requestCookie(request: FastifyRequest, name: string): string | undefined {
  const cookies = request.cookies as FastifyRequest['cookies'] | undefined;
  const value = cookies?.[name];
  return value ? value : undefined;
}

/**
 * The token of `Authorization: Bearer <token>`; '' when the header is there but not a bearer token, undefined when
 * there is no Authorization header (the request is then the cookie's).
 */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
}

/** Whether `X-CSRF-Token` equals the CSRF cookie, compared in constant time (digests of equal length). */
export function csrfTokenMatches(request: FastifyRequest): boolean {
  const header = request.headers[CSRF_HEADER];
  const cookie = requestCookie(request, CSRF_COOKIE);
  if (typeof header !== 'string' || header.length === 0 || !cookie) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(header), digest(cookie));
}
