import { ForbiddenException, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { curatorReadsTask, type CuratedSchool, type CuratorTaskFacts } from '../../../libs/domain/curators';
import {
  AuditLogRepository,
  CuratorshipRepository,
  DirectoryRepository,
  type OrganizationEntity,
} from '../../../libs/persistence';
import type { AuthUser } from './auth-user';
import { REFUSAL_LOGGED } from './refusal-log.interceptor';
import { describeRoles, type Role } from './roles';

/** The audit subject of a refusal: the person refused, so an auditor can list every refusal of one person. */
export const ACCESS_DENIED_EVENT = 'access_denied';
export const ACCESS_SUBJECT = 'person';

export const AUDITOR_READ_ONLY = 'Аудитор имеет доступ только на чтение';
export const CURATOR_READ_ONLY =
  'Куратор школы может только просматривать её задачи: выполнять, продлевать и изменять их могут сотрудники самой школы и министерство';

/** A task as access rules see it: who it is assigned to, who supervises it, and its place in a cycle. */
export interface TaskAccessFacts extends CuratorTaskFacts {
  supervisorOrganizationId: string;
}

/** Why the user may read a task: its organisations are in scope, or it is a task of a school they curate. */
export type TaskReadBasis = 'scope' | 'curator';

/** Why a role cannot see an organisation outside its scope, as the refused official reads it. */
const SCOPE_REASONS: Record<Role, string> = {
  ministry_admin: 'Сотрудник министерства видит только организации своего региона',
  ministry_reviewer: 'Сотрудник министерства видит только организации своего региона',
  institute_curator: 'Куратор института развития образования видит только организации своего региона',
  municipal_coordinator: 'Муниципальный координатор видит только свой муниципалитет и его школы',
  school: 'Образовательная организация видит только свои собственные данные',
  auditor: 'Аудитор видит все организации',
};

/** One scope to read: a role held in an organisation (the user's own, or a principal's while deputising). */
interface Scope {
  role: Role;
  organization: OrganizationEntity;
}

/**
 * Who may read and act for which organisation. Every refusal goes through `deny`, so each one is logged and
 * written to the audit log with who was refused, what they tried and why.
 */
@Injectable()
export class AccessPolicy implements OnApplicationShutdown {
  private readonly logger = new Logger('AccessDenied');
  /** Refusals whose audit row is still being written; awaited at shutdown so none is lost on a clean stop. */
  private readonly pendingAudit = new Set<Promise<void>>();

  constructor(
    private readonly directory: DirectoryRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly curatorships: CuratorshipRepository,
  ) {}

  async canRead(user: AuthUser, organizationId: string): Promise<boolean> {
    if (user.role === 'auditor') return true;
    const target = await this.directory.findOrganization(organizationId);
    if (!target) return false;
    return (await this.scopes(user)).some((scope) => scopeCovers(scope, target));
  }

  /** The organisations the user may read; 'all' for the auditor (no filter to apply). */
  async readableOrganizationIds(user: AuthUser): Promise<string[] | 'all'> {
    if (user.role === 'auditor') return 'all';
    const ids = new Set<string>();
    for (const scope of await this.scopes(user)) {
      const org = scope.organization;
      switch (scope.role) {
        case 'ministry_admin':
        case 'ministry_reviewer':
        case 'institute_curator':
          for (const o of await this.directory.listOrganizations({ regionCode: org.regionCode })) ids.add(o.id);
          break;
        case 'municipal_coordinator':
          ids.add(org.id);
          for (const o of await this.directory.listOrganizations({ parentId: org.id })) ids.add(o.id);
          break;
        case 'school':
          ids.add(org.id);
          break;
        case 'auditor':
          // Reading everything is not delegated: an auditor's deputy gains only the auditor's own organisation.
          ids.add(org.id);
          break;
      }
    }
    return [...ids];
  }

  /**
   * The schools the user curates now, per cycle, with those of the people they deputise for (a deputy receives the
   * principal's e-mails, curators' copies included, and may read what they link to).
   */
  async curatedSchools(user: AuthUser): Promise<CuratedSchool[]> {
    return this.curatorships.activeForPeople([user.personId, ...user.actingFor.map((p) => p.personId)]);
  }

  /**
   * Whether the user may read the task, and on what ground: whoever may read its assignee, its supervisor or the
   * organisation it is about; besides them, a curator reads the tasks of the school they curate in that cycle.
   */
  async taskReadBasis(user: AuthUser, task: TaskAccessFacts): Promise<TaskReadBasis | null> {
    const concerned = [task.assigneeOrganizationId, task.supervisorOrganizationId];
    if (task.context) concerned.push(task.context.subjectOrganizationId);
    for (const organizationId of concerned) if (await this.canRead(user, organizationId)) return 'scope';
    if (curatorReadsTask(await this.curatedSchools(user), task)) return 'curator';
    return null;
  }

  /**
   * Refuses to act on a task for anyone who may not act for its assignee; a curator is told that curating gives
   * reading only.
   */
  async assertCanActOnTask(user: AuthUser, task: TaskAccessFacts, what: string): Promise<void> {
    if (this.canActFor(user, task.assigneeOrganizationId)) return;
    if (user.role !== 'auditor' && curatorReadsTask(await this.curatedSchools(user), task)) {
      this.deny(user, CURATOR_READ_ONLY, { action: what, organizationId: task.assigneeOrganizationId, asCurator: true });
    }
    this.assertCanActFor(user, task.assigneeOrganizationId, what);
  }

  /** Whether the user may act (complete, submit) on behalf of the organisation: its own, or a principal's. */
  canActFor(user: AuthUser, organizationId: string): boolean {
    if (user.role === 'auditor') return false;
    return user.organizationId === organizationId || user.actingFor.some((p) => p.organizationId === organizationId);
  }

  async assertCanRead(user: AuthUser, organizationId: string, what: string): Promise<void> {
    if (await this.canRead(user, organizationId)) return;
    this.deny(user, this.scopeReason(user), { action: what, organizationId });
  }

  /** Why something outside the user's scope is refused: «Муниципальный координатор видит только …». */
  scopeReason(user: AuthUser): string {
    return SCOPE_REASONS[user.role];
  }

  assertCanActFor(user: AuthUser, organizationId: string, what: string): void {
    if (this.canActFor(user, organizationId)) return;
    const reason =
      user.role === 'auditor'
        ? AUDITOR_READ_ONLY
        : `Действовать от имени организации «${organizationId}» могут только её сотрудники и их заместители`;
    this.deny(user, reason, { action: what, organizationId });
  }

  assertRole(user: AuthUser, roles: Role[], what: string): void {
    if (roles.includes(user.role)) return;
    this.deny(user, `Действие доступно только для ролей: ${describeRoles(roles)}`, { action: what, allowedRoles: roles });
  }

  /**
   * Refuses with 403 and the Russian reason. The warning line is written at once; the audit row is written
   * alongside the response (a `never` function cannot wait for it), and a failure to write it is logged.
   */
  deny(user: AuthUser, reason: string, context: Record<string, unknown>): never {
    this.logger.warn(
      // The person's id, not their e-mail: logs hold no personal data; the audit row below names the actor. The
      // reason may quote the request (an organisation's id as sent): JSON-quoted, so a line break cannot forge a line.
      `refused person ${user.personId} (${user.role}, ${user.organizationId}): ${JSON.stringify(reason)} ${JSON.stringify(context)}`,
    );
    const organizationIds = [user.organizationId];
    if (typeof context.organizationId === 'string' && context.organizationId !== user.organizationId) {
      organizationIds.push(context.organizationId);
    }
    const append = this.auditLog
      .append({
        subjectType: ACCESS_SUBJECT,
        subjectId: user.personId,
        type: ACCESS_DENIED_EVENT,
        actor: user.email,
        occurredAt: new Date(),
        data: { reason, role: user.role, organizationId: user.organizationId, ...context },
        organizationIds,
      })
      .then(
        () => undefined,
        (err: unknown) => {
          this.logger.error(`could not write the refusal to the audit log: ${err instanceof Error ? err.message : String(err)}`);
        },
      );
    this.pendingAudit.add(append);
    void append.finally(() => this.pendingAudit.delete(append));
    const refusal = new ForbiddenException({ message: reason });
    Object.defineProperty(refusal, REFUSAL_LOGGED, { value: true });
    throw refusal;
  }

  /** Resolves once every refusal so far is in the audit log (or its failure is logged). */
  async flushAudit(): Promise<void> {
    await Promise.all([...this.pendingAudit]);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flushAudit();
  }

  private async scopes(user: AuthUser): Promise<Scope[]> {
    const orgs = await this.directory.findOrganizations([
      user.organizationId,
      ...user.actingFor.map((p) => p.organizationId),
    ]);
    const scopes: Scope[] = [];
    const own = orgs.get(user.organizationId);
    if (own) scopes.push({ role: user.role, organization: own });
    for (const principal of user.actingFor) {
      const organization = orgs.get(principal.organizationId);
      if (organization) scopes.push({ role: principal.role, organization });
    }
    return scopes;
  }
}

function scopeCovers(scope: Scope, target: OrganizationEntity): boolean {
  const org = scope.organization;
  switch (scope.role) {
    case 'ministry_admin':
    case 'ministry_reviewer':
    case 'institute_curator':
      return target.regionCode === org.regionCode;
    case 'municipal_coordinator':
      return target.id === org.id || target.parentId === org.id;
    case 'school':
      return target.id === org.id;
    case 'auditor':
      return target.id === org.id;
  }
}
