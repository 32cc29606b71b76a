import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessPolicy, AUDITOR_READ_ONLY } from './access-policy.service';
import type { AuthUser } from './auth-user';
import { AuthService, LOGIN_REQUIRED, type AccessTokenPayload } from './auth.service';
import { IS_PUBLIC_KEY, ROLES_KEY } from './decorators';
import { describeRoles, type Role } from './roles';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global: every route needs `Authorization: Bearer <token>` unless marked @Public(). The person is loaded on each
 * request, so a changed role or a removed log-in applies at once; then the auditor's read-only rule and @Roles.
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
    const token = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (!token) return refuse();
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, { algorithms: ['HS256'] });
    } catch (err) {
      return refuse(err instanceof TokenExpiredError ? 'срок действия входа истёк, войдите снова' : 'токен недействителен');
    }
    const user = typeof payload.sub === 'string' ? await this.auth.loadUser(payload.sub) : null;
    if (!user) return refuse('учётная запись не найдена или вход для неё закрыт');
    request.user = user;

    if (user.role === 'auditor' && !READ_METHODS.has(request.method)) {
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
