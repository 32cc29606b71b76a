import fastifyRateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import type { LoginProtection } from '../../../libs/config';
import { afterWait, RetryLaterException } from '../common/retry-later';

/** The routes that check a password for an e-mail given in the body. */
export const LOGIN_ROUTES: ReadonlySet<string> = new Set(['/api/auth/login', '/api/auth/session']);
/** Checks the caller's current password: limited per address like a log-in (the account is the caller's own). */
export const PASSWORD_ROUTE = '/api/auth/password';

const MINUTE_MS = 60_000;

function isPost(request: FastifyRequest, routes: (url: string) => boolean): boolean {
  return request.method === 'POST' && routes(request.routeOptions.url ?? '');
}

/** The account a log-in is for: the e-mail as the log-in reads it (trimmed, any case). */
export function loginAccount(body: unknown): string | undefined {
  const email = (body as { email?: unknown } | null | undefined)?.email;
  return typeof email === 'string' && email.trim() ? email.trim().toLowerCase() : undefined;
}

/**
 * Rate limits on the routes that check passwords, with @fastify/rate-limit's counters (in this process's memory;
 * the lock-out after repeated wrong passwords, which must survive a restart, is kept in PostgreSQL by AuthService):
 * - per client address, on arrival, before anything is parsed: an address trying many e-mails;
 * - per account (e-mail), once the body is parsed and has passed the hostile-input check: many addresses trying one
 *   e-mail, successful attempts included.
 * Beyond either: 429 in Russian with Retry-After. Registered before the routes; the hooks pick the routes by URL.
 */
export async function registerLoginRateLimits(app: NestFastifyApplication, protection: LoginProtection): Promise<void> {
  await app.register(fastifyRateLimit, { global: false });
  const fastify = app.getHttpAdapter().getInstance();
  // The library's own key for an address (an IPv6 client counted by its /64 network).
  const perAddress = fastify.createRateLimit({ max: protection.perAddressPerMinute, timeWindow: MINUTE_MS });
  const perAccount = fastify.createRateLimit({
    max: protection.perAccountPerMinute,
    timeWindow: MINUTE_MS,
    keyGenerator: (request) => loginAccount(request.body) ?? '',
  });

  fastify.addHook('onRequest', async (request: FastifyRequest) => {
    if (!isPost(request, (url) => LOGIN_ROUTES.has(url) || url === PASSWORD_ROUTE)) return;
    const limit = await perAddress(request);
    if (!limit.isAllowed && limit.isExceeded) {
      throw new RetryLaterException(
        `Слишком много попыток входа с вашего адреса. Повторите попытку ${afterWait(limit.ttlInSeconds)}.`,
        limit.ttlInSeconds,
      );
    }
  });

  fastify.addHook('preHandler', async (request: FastifyRequest) => {
    if (!isPost(request, (url) => LOGIN_ROUTES.has(url)) || !loginAccount(request.body)) return;
    const limit = await perAccount(request);
    if (!limit.isAllowed && limit.isExceeded) {
      throw new RetryLaterException(
        `Слишком много попыток входа в эту учётную запись. Повторите попытку ${afterWait(limit.ttlInSeconds)}.`,
        limit.ttlInSeconds,
      );
    }
  });
}
