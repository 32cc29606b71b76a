import { createParamDecorator, SetMetadata, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from './auth-user';
import type { Role } from './roles';

export const IS_PUBLIC_KEY = 'uplift:auth:public';
export const ROLES_KEY = 'uplift:auth:roles';
export const CHANGES_NOTHING_KEY = 'uplift:auth:changes-nothing';

/** The route answers without a token (health, log-in, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/** Only these roles may call the route (on a method it overrides the class); absent: any logged-in user. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/**
 * A POST that only computes an answer and stores nothing (a template's check, the dry run): POST because its input is
 * a document, not a query. The auditor's read-only rule lets it through; @Roles still applies.
 */
export const ChangesNothing = (): MethodDecorator => SetMetadata(CHANGES_NOTHING_KEY, true);

/** The request's user, set by the global AuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const request = context.switchToHttp().getRequest<{ user?: AuthUser }>();
  // Only a route marked @Public() can get here without a user; asking for one there is a programming error.
  if (!request.user) throw new UnauthorizedException('Требуется вход в систему');
  return request.user;
});
