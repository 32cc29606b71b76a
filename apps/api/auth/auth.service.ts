import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { compare, hash, hashSync } from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import type { AppConfig } from '../../../libs/config';
import { DirectoryRepository, SessionRepository, type OrganizationKind } from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import type { ActingFor, AuthUser } from './auth-user';
import type { AuthUserView, LoginView } from './auth.dto';
import { isRole, ROLE_TITLES, type Role } from './roles';

export const LOGIN_REQUIRED = 'Требуется вход в систему';
export const BAD_CREDENTIALS = 'Неверный адрес почты или пароль';

/** What the token carries: only the person; role and organisation are read afresh on every request. */
export interface AccessTokenPayload {
  sub: string;
  /** A browser session's id (`sessions.id`); absent from the bearer tokens of `POST /api/auth/login`. */
  sid?: string;
}

/** A started browser session: the JWT for the session cookie and who logged in. */
export interface StartedSession {
  token: string;
  expiresInSeconds: number;
  user: AuthUserView;
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

  constructor(
    private readonly directory: DirectoryRepository,
    private readonly sessions: SessionRepository,
    private readonly jwt: JwtService,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.dummyHash = hashSync('uplift-no-such-user', config.auth.bcryptCost);
  }

  /** A bearer token for API clients. */
  async login(email: string, password: string): Promise<LoginView> {
    const user = await this.authenticate(email, password);
    const payload: AccessTokenPayload = { sub: user.personId };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.auth.jwtTtlSeconds, user: await this.view(user) };
  }

  /**
   * A browser session: the same check of the credentials as `login`, then a `sessions` row whose id the JWT
   * carries, so that ending the session on the server makes the token useless. Both expire together.
   */
  async startSession(email: string, password: string): Promise<StartedSession> {
    const user = await this.authenticate(email, password);
    const ttl = this.config.auth.jwtTtlSeconds;
    const createdAt = new Date();
    const session = await this.sessions.start({
      id: randomUUID(),
      personId: user.personId,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + ttl * 1000),
    });
    const payload: AccessTokenPayload = { sub: user.personId, sid: session.id };
    return { token: await this.jwt.signAsync(payload), expiresInSeconds: ttl, user: await this.view(user) };
  }

  /** Whether the browser session is the person's and neither ended nor expired. */
  async sessionActive(sessionId: string, personId: string): Promise<boolean> {
    return (await this.sessions.findActive(sessionId, personId)) !== null;
  }

  /**
   * The session a token names, if it is still active: for log-out, where a bad or expired token is no error (there
   * is nothing left to end) and so yields null.
   */
  async activeSessionOf(token: string): Promise<{ sessionId: string; personId: string } | null> {
    let payload: AccessTokenPayload;
    try {
      payload = await this.jwt.verifyAsync<AccessTokenPayload>(token, { algorithms: ['HS256'] });
    } catch {
      return null;
    }
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') return null;
    return (await this.sessionActive(payload.sid, payload.sub)) ? { sessionId: payload.sid, personId: payload.sub } : null;
  }

  async endSession(sessionId: string): Promise<void> {
    await this.sessions.revoke(sessionId);
  }

  /**
   * The person with these credentials, or 401. An unknown e-mail is checked against a dummy hash, so both failures
   * take as long and answer the same.
   */
  private async authenticate(email: string, password: string): Promise<AuthUser> {
    const person = await this.directory.findLoginByEmail(email);
    const matches = await compare(password, person?.passwordHash ?? this.dummyHash);
    const user = person && matches ? await this.loadUser(person.id) : null;
    if (!user) throw new UnauthorizedException(BAD_CREDENTIALS);
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
