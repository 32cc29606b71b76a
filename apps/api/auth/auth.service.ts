import { BadRequestException, Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { compare, hash, hashSync } from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import { LOGIN_PROTECTION_DEFAULTS, type AppConfig } from '../../../libs/config';
import {
  DirectoryRepository,
  LoginFailureRepository,
  SessionRepository,
  type LoginFailurePolicy,
  type OrganizationKind,
} from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import { afterWait, RetryLaterException } from '../common/retry-later';
import type { ActingFor, AuthUser } from './auth-user';
import type { AuthUserView, LoginView } from './auth.dto';
import { isRole, ROLE_TITLES, type Role } from './roles';

export const LOGIN_REQUIRED = 'Требуется вход в систему';
export const BAD_CREDENTIALS = 'Неверный адрес почты или пароль';
export const WRONG_CURRENT_PASSWORD = 'currentPassword: неверный текущий пароль';
/** The audit log's record of a person changing their own password (an administrator's reset is another type). */
export const PASSWORD_CHANGED_EVENT = 'password_changed';

/**
 * What the token carries: the person and the session; role and organisation are read afresh on every request. Every
 * token names a session (a `sessions` row), so log-out and a password change can end it before it expires.
 */
export interface AccessTokenPayload {
  sub: string;
  /** The session's id (`sessions.id`), for bearer tokens and browser cookies alike. */
  sid: string;
  /** Expiry (seconds since the epoch), set by the signer; a token without one is refused. */
  exp?: number;
}

/** A started session: the JWT (for the cookie or the bearer header) and who logged in. */
export interface StartedSession {
  token: string;
  sessionId: string;
  expiresInSeconds: number;
  user: AuthUserView;
}

/** The refusal of a log-in locked after repeated wrong passwords: 429, saying when to try again. */
function lockedOut(until: Date, now: Date = new Date()): RetryLaterException {
  const seconds = (until.getTime() - now.getTime()) / 1000;
  return new RetryLaterException(
    'Слишком много неудачных попыток входа: вход в эту учётную запись временно закрыт. ' +
      `Повторите попытку ${afterWait(seconds)}.`,
    seconds,
  );
}

/**
 * A principal without a role of their own (e.g. a minister who only receives e-mails) is deputised in the capacity
 * their organisation's kind implies.
 */
const ROLE_BY_ORGANIZATION_KIND: Record<OrganizationKind, Role> = {
  ministry: 'ministry_reviewer',
  institute: 'institute_curator',
  municipality: 'municipal_coordinator',
  school: 'school',
};

@Injectable()
export class AuthService {
  /** Compared against when the e-mail is unknown, so both failures take as long as a real check. */
  private readonly dummyHash: string;
  private readonly failurePolicy: LoginFailurePolicy;

  constructor(
    private readonly directory: DirectoryRepository,
    private readonly sessions: SessionRepository,
    private readonly failures: LoginFailureRepository,
    private readonly jwt: JwtService,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.dummyHash = hashSync('uplift-no-such-user', config.auth.bcryptCost);
    const protection = config.loginProtection ?? LOGIN_PROTECTION_DEFAULTS;
    this.failurePolicy = {
      maxFailures: protection.maxFailures,
      windowSeconds: protection.failureWindowSeconds,
      lockoutSeconds: protection.lockoutSeconds,
    };
  }

  /** A bearer token for API clients; like the browser's, it names a session that log-out ends. */
  async login(email: string, password: string): Promise<LoginView> {
    const session = await this.openSession(await this.authenticate(email, password));
    return { accessToken: session.token, tokenType: 'Bearer', expiresIn: session.expiresInSeconds, user: session.user };
  }

  /** A browser session: the same check of the credentials as `login`; the token goes into the session cookie. */
  async startSession(email: string, password: string): Promise<StartedSession> {
    return this.openSession(await this.authenticate(email, password));
  }

  /**
   * A `sessions` row and a JWT carrying its id, so that ending the session on the server makes the token useless.
   * Both expire together.
   */
  private async openSession(user: AuthUser): Promise<StartedSession> {
    const ttl = this.config.auth.jwtTtlSeconds;
    const createdAt = new Date();
    const session = await this.sessions.start({
      id: randomUUID(),
      personId: user.personId,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + ttl * 1000),
    });
    const payload: AccessTokenPayload = { sub: user.personId, sid: session.id };
    return { token: await this.jwt.signAsync(payload), sessionId: session.id, expiresInSeconds: ttl, user: await this.view(user) };
  }

  /** Whether the session is the person's and neither ended nor expired. */
  async sessionActive(sessionId: string, personId: string): Promise<boolean> {
    return (await this.sessions.findActive(sessionId, personId)) !== null;
  }

  /**
   * The session a token names, if it is still active: for log-out, where a bad or expired token is no error (there
   * is nothing left to end) and so yields null.
   */
  async activeSessionOf(token: string): Promise<{ sessionId: string; personId: string } | null> {
    const payload = await this.verifiedPayload(token).catch(() => null);
    if (!payload) return null;
    return (await this.sessionActive(payload.sid, payload.sub)) ? { sessionId: payload.sid, personId: payload.sub } : null;
  }

  /**
   * The token's claims when its signature holds and it has not expired; throws the library's error otherwise
   * (TokenExpiredError for an expired one), and InvalidTokenClaims when the claims are not ours: no expiry (it
   * would never expire), no person or no session.
   */
  async verifiedPayload(token: string): Promise<AccessTokenPayload & { exp: number }> {
    const payload = await this.jwt.verifyAsync<Partial<AccessTokenPayload>>(token, { algorithms: ['HS256'] });
    if (typeof payload.exp !== 'number') throw new InvalidTokenClaims('срок действия токена не указан');
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string') throw new InvalidTokenClaims('токен недействителен');
    return { sub: payload.sub, sid: payload.sid, exp: payload.exp };
  }

  async endSession(sessionId: string): Promise<void> {
    await this.sessions.revoke(sessionId);
  }

  /**
   * Changes the caller's own password: the current one must be right (a wrong one counts towards the lock-out, as a
   * wrong log-in does), the new one must differ from it and from the e-mail. Every session of the person ends,
   * the one asking included, and a new session is opened for the caller, so whoever held another token (or an
   * old cookie) is logged out while the person goes on.
   */
  async changePassword(user: AuthUser, currentPassword: string, newPassword: string): Promise<StartedSession> {
    const account = user.email.toLowerCase();
    const lockedUntil = await this.failures.lockedUntil(account);
    if (lockedUntil) throw lockedOut(lockedUntil);
    const person = await this.directory.findLoginByEmail(user.email);
    if (!person?.passwordHash || person.id !== user.personId) throw new UnauthorizedException(LOGIN_REQUIRED);
    if (!(await compare(currentPassword, person.passwordHash))) {
      const locked = await this.failures.recordFailure(account, this.failurePolicy);
      if (locked) throw lockedOut(locked);
      throw new BadRequestException({ message: 'Пароль не изменён', details: [WRONG_CURRENT_PASSWORD] });
    }
    const problems: string[] = [];
    if (newPassword === currentPassword) problems.push('newPassword: новый пароль совпадает с текущим');
    const mailbox = account.split('@')[0];
    if (mailbox.length >= 4 && newPassword.toLowerCase().includes(mailbox)) {
      problems.push('newPassword: пароль не должен содержать имя из адреса электронной почты');
    }
    if (problems.length) throw new BadRequestException({ message: 'Пароль не изменён', details: problems });

    const at = new Date();
    const passwordHash = await this.hashPassword(newPassword);
    const changed = await this.directory.setPassword(user.personId, { passwordHash, at }, () => ({
      subjectType: 'person',
      subjectId: user.personId,
      type: PASSWORD_CHANGED_EVENT,
      actor: user.email,
      occurredAt: at,
      // Never the password: only that it was changed, by its owner, and that the other sessions ended.
      data: { personId: user.personId, email: user.email, fullName: user.fullName, sessionsEnded: true },
      organizationIds: [user.organizationId],
    }));
    if (!changed) throw new UnauthorizedException(LOGIN_REQUIRED);
    await this.failures.clear(account);
    return this.openSession(user);
  }

  /**
   * The person with these credentials, or 401. An unknown e-mail is checked against a dummy hash, so both failures
   * take as long and answer the same. Wrong passwords are counted per e-mail (known or not, so the answers do not
   * tell which exist); too many lock the e-mail's log-in for a while, and while it is locked even the right
   * password is refused, unchecked.
   */
  private async authenticate(email: string, password: string): Promise<AuthUser> {
    const account = email.trim().toLowerCase();
    const lockedUntil = await this.failures.lockedUntil(account);
    if (lockedUntil) throw lockedOut(lockedUntil);
    const person = await this.directory.findLoginByEmail(email);
    const matches = await compare(password, person?.passwordHash ?? this.dummyHash);
    const user = person && matches ? await this.loadUser(person.id) : null;
    if (!user) {
      const locked = await this.failures.recordFailure(account, this.failurePolicy);
      if (locked) throw lockedOut(locked);
      throw new UnauthorizedException(BAD_CREDENTIALS);
    }
    await this.failures.clear(account);
    return user;
  }

  /** The request's user, or null when the person no longer exists or lost their log-in. */
  async loadUser(personId: string, now: Date = new Date()): Promise<AuthUser | null> {
    const person = await this.directory.findLoginById(personId);
    if (!person || !isRole(person.role)) return null;
    const organization = await this.directory.findOrganization(person.organizationId);
    if (!organization) return null;
    const principals = await this.directory.listActivePrincipals(person.id, now);
    const actingFor: ActingFor[] = principals.map(({ principal, organization: org, substitution }) => ({
      personId: principal.id,
      organizationId: principal.organizationId,
      role: isRole(principal.role) ? principal.role : ROLE_BY_ORGANIZATION_KIND[org.kind],
      until: substitution.endsOn,
    }));
    return {
      personId: person.id,
      email: person.email.toLowerCase(),
      fullName: person.fullName,
      role: person.role,
      organizationId: organization.id,
      organizationKind: organization.kind,
      regionCode: organization.regionCode,
      actingFor,
    };
  }

  async view(user: AuthUser): Promise<AuthUserView> {
    const [orgs, people] = await Promise.all([
      this.directory.findOrganizations([user.organizationId]),
      this.directory.findPeople(user.actingFor.map((p) => p.personId)),
    ]);
    return {
      personId: user.personId,
      email: user.email,
      fullName: user.fullName,
      role: user.role,
      roleTitle: ROLE_TITLES[user.role],
      organizationId: user.organizationId,
      organizationName: orgs.get(user.organizationId)?.name ?? user.organizationId,
      organizationKind: user.organizationKind,
      regionCode: user.regionCode,
      actingFor: user.actingFor.map((p) => ({ ...p, fullName: people.get(p.personId)?.fullName ?? '' })),
    };
  }

  hashPassword(password: string): Promise<string> {
    return hash(password, this.config.auth.bcryptCost);
  }
}

/** A token whose signature holds but whose claims the API does not accept; the guard answers 401 with the reason. */
export class InvalidTokenClaims extends Error {
  override readonly name = 'InvalidTokenClaims';
}
