import { Injectable, UnauthorizedException } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { compare, hash, hashSync } from 'bcryptjs';
import type { AppConfig } from '../../../libs/config';
import { DirectoryRepository, type OrganizationKind } from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import type { ActingFor, AuthUser } from './auth-user';
import type { AuthUserView, LoginView } from './auth.dto';
import { isRole, ROLE_TITLES, type Role } from './roles';

export const LOGIN_REQUIRED = 'Требуется вход в систему';
export const BAD_CREDENTIALS = 'Неверный адрес почты или пароль';

/** What the token carries: only the person; role and organisation are read afresh on every request. */
export interface AccessTokenPayload {
  sub: string;
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
    private readonly jwt: JwtService,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.dummyHash = hashSync('uplift-no-such-user', config.auth.bcryptCost);
  }

  async login(email: string, password: string): Promise<LoginView> {
    const person = await this.directory.findLoginByEmail(email);
    const matches = await compare(password, person?.passwordHash ?? this.dummyHash);
    const user = person && matches ? await this.loadUser(person.id) : null;
    if (!user) throw new UnauthorizedException(BAD_CREDENTIALS);
    const payload: AccessTokenPayload = { sub: user.personId };
    const accessToken = await this.jwt.signAsync(payload);
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.auth.jwtTtlSeconds, user: await this.view(user) };
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
