import { createParamDecorator, SetMetadata, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from './auth-user';
import type { Role } from './roles';

export const IS_PUBLIC_KEY = 'uplift:auth:public';
export const ROLES_KEY = 'uplift:auth:roles';
export const CHANGES_NOTHING_KEY = 'uplift:auth:changes-nothing';
export const ACCESS_SCOPE_KEY = 'uplift:auth:scope';

/**
 * What a route open to every role gives each user, for the access matrix (test/integration/access-matrix.e2e.spec.ts)
 * and for a reviewer reading the controller:
 * - `self`: the caller's own account (who am I, my password, my deputies): nobody else's data is reachable;
 * - `organization`: data of organisations; the service checks each one against the caller's scope (AccessPolicy: a
 *   school its own, a municipality itself and its schools, the ministry and institute their region, the auditor all);
 * - `region`: the region's shared data (templates, cycles, the practice bank), the same for every role of the region;
 * - `reference`: no one's data (file templates).
 */
export type AccessScope = 'self' | 'organization' | 'region' | 'reference';

/** The route answers without a token (health, log-in, docs). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * Only these roles may call the route (on a method it overrides the class). Every route declares its access rule:
 * @Public(), @Roles(...) or @AnyLoggedIn(scope); the access matrix test fails for a route with none.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** Every logged-in role may call the route; `scope` says whose data it reaches (see AccessScope). */
export const AnyLoggedIn = (scope: AccessScope): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_SCOPE_KEY, scope);

/**
 * A POST that only computes an answer and stores nothing (a template's check, the dry run): POST because its input is
 * a document, not a query. The auditor's read-only rule lets it through; @Roles still applies.
 */
export const ChangesNothing = (): MethodDecorator => SetMetadata(CHANGES_NOTHING_KEY, true);

export const NO_CSRF_TOKEN_KEY = 'uplift:auth:no-csrf-token';

/**
 * A POST that changes nothing and whose answer only the origins CORS allows may read (the Temporal Web UI's codec
 * calls, which cannot send X-CSRF-Token): with the session cookie it needs no CSRF token, as a forged request learns
 * nothing and changes nothing. Use with @ChangesNothing.
 */
export const NoCsrfToken = (): MethodDecorator => SetMetadata(NO_CSRF_TOKEN_KEY, true);

/** The request's user, set by the global AuthGuard. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthUser => {
  const request = context.switchToHttp().getRequest<{ user?: AuthUser }>();
  // Only a route marked @Public() can get here without a user; asking for one there is a programming error.
  if (!request.user) throw new UnauthorizedException('Требуется вход в систему');
  return request.user;
});
