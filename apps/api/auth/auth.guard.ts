import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessPolicy, AUDITOR_READ_ONLY } from './access-policy.service';
import type { AuthUser } from './auth-user';
import { AuthService, LOGIN_REQUIRED, type AccessTokenPayload } from './auth.service';
import { IS_PUBLIC_KEY, ROLES_KEY } from './decorators';
import { describeRoles, type Role } from './roles';
import { CSRF_REFUSED, csrfTokenMatches, requestCookie, SAFE_METHODS, SESSION_COOKIE } from './session-cookies';

/**
 * Global: every route needs `Authorization: Bearer <token>`, or without that header the browser session cookie,
 * unless marked @Public(). A token naming a browser session (`sid`) is refused once the session has ended; a
 * cookie-authenticated write needs `X-CSRF-Token` equal to the CSRF cookie. The person is loaded on each request,
 * so a changed role or a removed log-in applies at once; then the auditor's read-only rule and @Roles.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly auth: AuthService,
    private readonly policy: AccessPolicy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const refuse = (detail?: string): never => {
      void http.getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer realm="uplift"');
      throw new UnauthorizedException(detail ? `${LOGIN_REQUIRED}: ${detail}` : LOGIN_REQUIRED);
    };

    const header = request.headers.authorization;
    // The Authorization header wins: a bearer client is never judged by cookies its host may also hold.
    const viaCookie = header === undefined;
    const token = viaCookie
      ? requestCookie(request, SESSION_COOKIE)
      : typeof header === 'string'
        ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
        : undefined;
    if (!token) return refuse();
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, { algorithms: ['HS256'] });
    } catch (err) {
      return refuse(err instanceof TokenExpiredError ? 'срок действия входа истёк, войдите снова' : 'токен недействителен');
    }
    if (typeof payload.sub !== 'string') return refuse('токен недействителен');
    // The cookie holds only session tokens, so that log-out can always end what the cookie opens.
    if (viaCookie && payload.sid === undefined) return refuse('токен недействителен');
    if (payload.sid !== undefined) {
      const active = typeof payload.sid === 'string' && (await this.auth.sessionActive(payload.sid, payload.sub));
      if (!active) return refuse('сеанс завершён, войдите снова');
    }
    const user = await this.auth.loadUser(payload.sub);
    if (!user) return refuse('учётная запись не найдена или вход для неё закрыт');
    request.user = user;

    if (viaCookie && !SAFE_METHODS.has(request.method) && !csrfTokenMatches(request)) {
      this.policy.deny(user, CSRF_REFUSED, { action: `${request.method} ${request.url}`, csrf: 'missing or wrong' });
    }
    if (user.role === 'auditor' && !SAFE_METHODS.has(request.method)) {
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
