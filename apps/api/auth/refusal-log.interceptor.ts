import { ForbiddenException, HttpException, Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { catchError, type Observable } from 'rxjs';
import type { AuthUser } from './auth-user';

/** Marks a refusal AccessPolicy.deny has logged and audited already, so it is not logged twice. */
export const REFUSAL_LOGGED = Symbol('uplift:refusal-logged');

/**
 * Every refusal is logged: 401s by the AuthGuard, 403s by AccessPolicy.deny (with an audit row), and here the rest
 * a logged-in user meets — a 404 (what lies outside the user's scope is often answered as not found, so as not to
 * tell that it exists) and a 403 raised without going through the policy. One warning line under `AccessDenied`,
 * naming the person by id (no e-mail: logs hold no personal data), the route's pattern (not the URL, whose query may
 * hold a name) and the Russian reason.
 */
@Injectable()
export class RefusalLogInterceptor implements NestInterceptor {
  private readonly logger = new Logger('AccessDenied');

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        if (err instanceof HttpException && (err.getStatus() === 403 || err.getStatus() === 404)) {
          const alreadyLogged = err instanceof ForbiddenException && (err as unknown as Record<symbol, unknown>)[REFUSAL_LOGGED] === true;
          const request = context.switchToHttp().getRequest<FastifyRequest & { user?: AuthUser }>();
          if (!alreadyLogged && request.user) {
            const user = request.user;
            const response = err.getResponse();
            const reason = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? err.message);
            // The reason may quote what the request sent (an id with a line break): JSON-quoted, one line per refusal.
            this.logger.warn(
              `refused person ${user.personId} (${user.role}, ${user.organizationId}): ${err.getStatus()} ${JSON.stringify(reason)} ` +
                `{"action":"${request.method} ${request.routeOptions?.url ?? '?'}"}`,
            );
          }
        }
        throw err;
      }),
    );
  }
}
