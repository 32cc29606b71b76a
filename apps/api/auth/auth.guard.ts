import { Injectable, Logger, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TokenExpiredError } from '@nestjs/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessPolicy, AUDITOR_READ_ONLY } from './access-policy.service';
import type { AuthUser } from './auth-user';
import { AuthService, InvalidTokenClaims, LOGIN_REQUIRED, type AccessTokenPayload } from './auth.service';
import { CHANGES_NOTHING_KEY, IS_PUBLIC_KEY, NO_CSRF_TOKEN_KEY, ROLES_KEY } from './decorators';
import { describeRoles, type Role } from './roles';
import { bearerToken, CSRF_REFUSED, csrfTokenMatches, requestCookie, SAFE_METHODS, SESSION_COOKIE } from './session-cookies';

/**
 * Global: every route needs `Authorization: Bearer <token>`, or without that header the browser session cookie,
 * unless marked @Public(). Every token must carry an expiry and name a session (`sid`), and is refused once the
 * session has ended (log-out, a password change); a cookie-authenticated write needs `X-CSRF-Token` equal to the
 * CSRF cookie. The person is loaded on each request, so a changed role or a removed log-in applies at once; then
 * the auditor's read-only rule (except for a POST marked @ChangesNothing) and @Roles.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** The same logger as AccessPolicy's refusals: 401s are refusals too, of someone the API does not know. */
  private readonly logger = new Logger('AccessDenied');

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly policy: AccessPolicy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const refuse = (detail?: string): never => {
      // The route's pattern, not the URL: a query (a person search) may hold personal data, a token never is logged.
      this.logger.warn(
        `refused without a valid log-in: ${request.method} ${request.routeOptions?.url ?? '?'}: ${detail ?? 'no token'} (from ${request.ip})`,
      );
      void http.getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer realm="uplift"');
      throw new UnauthorizedException(detail ? `${LOGIN_REQUIRED}: ${detail}` : LOGIN_REQUIRED);
    };

    // The Authorization header wins: a bearer client is never judged by cookies its host may also hold.
    const bearer = bearerToken(request);
    const viaCookie = bearer === undefined;
    const token = viaCookie ? requestCookie(request, SESSION_COOKIE) : bearer;
    if (!token) return refuse();
    let payload: AccessTokenPayload;
    try {
      payload = await this.auth.verifiedPayload(token);
    } catch (err) {
      if (err instanceof TokenExpiredError) return refuse('срок действия входа истёк, войдите снова');
      return refuse(err instanceof InvalidTokenClaims ? err.message : 'токен недействителен');
    }
    if (!(await this.auth.sessionActive(payload.sid, payload.sub))) return refuse('сеанс завершён, войдите снова');
    const user = await this.auth.loadUser(payload.sub);
    if (!user) return refuse('учётная запись не найдена или вход для неё закрыт');
    request.user = user;

    const csrfNotNeeded = this.reflector.getAllAndOverride<boolean>(NO_CSRF_TOKEN_KEY, targets) === true;
    if (viaCookie && !SAFE_METHODS.has(request.method) && !csrfNotNeeded && !csrfTokenMatches(request)) {
      this.policy.deny(user, CSRF_REFUSED, { action: `${request.method} ${request.url}`, csrf: 'missing or wrong' });
    }
    const changesNothing = this.reflector.getAllAndOverride<boolean>(CHANGES_NOTHING_KEY, targets) === true;
    if (user.role === 'auditor' && !SAFE_METHODS.has(request.method) && !changesNothing) {
      this.policy.deny(user, AUDITOR_READ_ONLY, { action: `${request.method} ${request.url}` });
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(user.role)) {
      this.policy.deny(user, `Действие доступно только для ролей: ${describeRoles(roles)}`, {
        action: `${request.method} ${request.url}`,
        allowedRoles: roles,
      });
    }
    return true;
  }
}
