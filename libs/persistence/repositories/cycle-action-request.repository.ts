import { In, LessThanOrEqual, QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { CycleActionMailEntity, type CycleActionMailEvent } from '../entities/cycle-action-mail.entity';
import {
  CycleActionRequestEntity,
  type CycleActionKind,
  type CycleActionStatus,
} from '../entities/cycle-action-request.entity';
import type { NotificationRecipient } from '../entities/notification.entity';
import type { AuditEntryInput } from './audit-log.repository';
import { AuditLogRepository } from './audit-log.repository';
import { isUuid } from './ids';

const UNIQUE_VIOLATION = '23505';

/** Subject type of the requests' audit entries (subject id: the request's id). */
export const CYCLE_ACTION_SUBJECT = 'cycle_action';

export interface NewCycleActionRequest {
  kind: CycleActionKind;
  regionCode: string;
  ministryId: string;
  cycleId: string;
  targetKey: string;
  payload: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  reason: string | null;
  requestedBy: string;
  requestedByPersonId: string;
  requestedByName: string;
  expiresAt: Date;
}

export interface CycleActionPerson {
  email: string;
  personId: string;
  fullName: string;
}

export interface CycleActionFilter {
  /** A region's requests, or 'all' (auditors). */
  regionCode: string | 'all';
  statuses?: CycleActionStatus[];
  cycleId?: string;
}

/** The audit entry written with a change of the request: everything but what the repository knows (subject, time). */
export type CycleActionAudit = Omit<AuditEntryInput, 'subjectType' | 'subjectId' | 'occurredAt' | 'seq'>;

export type CreateResult = { created: CycleActionRequestEntity } | { conflict: CycleActionRequestEntity | null };

/** The local part of a request's e-mail's Message-ID: one per request and event, whatever the retries. */
export function cycleActionMailKey(requestId: string, event: CycleActionMailEvent): string {
  return `cycle-action.${requestId}.${event}`;
}

/** The requester, as the addressee of the outcome's e-mail. */
function requester(row: CycleActionRequestEntity): NotificationRecipient {
  return { personId: row.requestedByPersonId, fullName: row.requestedByName, email: row.requestedBy };
}

/**
 * Four-eyes requests on cycles (launch, cancel, deadline overrides for everyone). Every change of a request's state
 * commits with its audit entry, in one transaction; no transaction is held while the confirmed command runs on
 * Temporal: `claim` marks the row `executing` and commits, then `markConfirmed` or `markFailed` records the outcome.
 */
export class CycleActionRequestRepository {
  private readonly auditLog: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.auditLog = new AuditLogRepository(dataSource);
  }

  private get rows() {
    return this.dataSource.getRepository(CycleActionRequestEntity);
  }

  async find(id: string): Promise<CycleActionRequestEntity | null> {
    if (!isUuid(id)) return null;
    return this.rows.findOneBy({ id });
  }

  async list(filter: CycleActionFilter, limit = 500): Promise<CycleActionRequestEntity[]> {
    return this.rows.find({
      where: {
        ...(filter.regionCode === 'all' ? {} : { regionCode: filter.regionCode }),
        ...(filter.statuses ? { status: In(filter.statuses) } : {}),
        ...(filter.cycleId ? { cycleId: filter.cycleId } : {}),
      },
      order: { requestedAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }

  /**
   * Stores a new pending request with its audit entry. A request of the same target still open (pending and not
   * expired, or executing) wins: `conflict` names it. An open one past its expiry is closed as expired first.
   * `confirmers`, who may confirm it, are told by e-mail: its outbox row commits with the request.
   */
  async create(
    input: NewCycleActionRequest,
    audit: (row: CycleActionRequestEntity) => CycleActionAudit,
    confirmers: NotificationRecipient[],
  ): Promise<CreateResult> {
    try {
      const created = await this.dataSource.transaction(async (manager) => {
        await this.expireIn(manager, { targetKey: input.targetKey });
        const repo = manager.getRepository(CycleActionRequestEntity);
        const row = await repo.save(
          repo.create({
            ...input,
            status: 'pending',
            requestedAt: new Date(),
            decidedBy: null,
            decidedByPersonId: null,
            decidedByName: null,
            decidedAt: null,
            decisionReason: null,
            attempts: 0,
            attemptStartedAt: null,
            lastError: null,
            lastErrorAt: null,
          }),
        );
        await this.append(manager, row, audit(row));
        await this.queueMail(manager, row.id, 'requested', confirmers);
        return row;
      });
      return { created };
    } catch (err) {
      if (!(err instanceof QueryFailedError) || (err.driverError as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      const open = await this.rows.findOneBy({ targetKey: input.targetKey, status: In(['pending', 'executing']) });
      return { conflict: open };
    }
  }

  /** Closes every pending request past its expiry (of one region, or one target), each with its audit entry. */
  async expireDue(scope: { regionCode?: string; id?: string } = {}): Promise<number> {
    return this.dataSource.transaction((manager) => this.expireIn(manager, scope));
  }

  private async expireIn(manager: EntityManager, scope: { regionCode?: string; targetKey?: string; id?: string }): Promise<number> {
    if (scope.id !== undefined && !isUuid(scope.id)) return 0;
    const repo = manager.getRepository(CycleActionRequestEntity);
    const due = await repo.find({
      where: {
        status: 'pending',
        expiresAt: LessThanOrEqual(new Date()),
        ...(scope.regionCode ? { regionCode: scope.regionCode } : {}),
        ...(scope.targetKey ? { targetKey: scope.targetKey } : {}),
        ...(scope.id ? { id: scope.id } : {}),
      },
      lock: { mode: 'pessimistic_write' },
    });
    for (const row of due) {
      row.status = 'expired';
      await repo.update({ id: row.id, status: 'pending' }, { status: 'expired' });
      await this.append(manager, row, {
        type: 'cycle_action_expired',
        actor: 'system',
        data: { kind: row.kind, requestedBy: row.requestedBy, expiresAt: row.expiresAt.toISOString() },
        cycleId: row.cycleId,
        organizationIds: [row.ministryId],
      });
      await this.queueMail(manager, row.id, 'expired', [requester(row)]);
    }
    return due.length;
  }

  /**
   * Takes the request for running its command: a pending, unexpired request, or one left `executing` since before
   * `staleBefore` (its process died mid-run). Null when it is not in such a state; the caller reads it again to say why.
   */
  async claim(id: string, staleBefore: Date): Promise<CycleActionRequestEntity | null> {
    if (!isUuid(id)) return null;
    const result: [{ id: string }[], number] = await this.dataSource.query(
      `UPDATE cycle_action_requests SET status = 'executing', attempts = attempts + 1, attempt_started_at = now()
        WHERE id = $1 AND ((status = 'pending' AND expires_at > now()) OR (status = 'executing' AND attempt_started_at < $2))
        RETURNING id`,
      [id, staleBefore],
    );
    const claimed = Array.isArray(result[0]) ? result[0] : (result as unknown as { id: string }[]);
    if (claimed.length === 0) return null;
    return this.rows.findOneBy({ id });
  }

  /** The command ran: the request is confirmed by `by`, with its audit entry. */
  async markConfirmed(id: string, by: CycleActionPerson, audit: CycleActionAudit): Promise<CycleActionRequestEntity> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(CycleActionRequestEntity);
      await repo.update(
        { id, status: 'executing' },
        {
          status: 'confirmed',
          decidedBy: by.email,
          decidedByPersonId: by.personId,
          decidedByName: by.fullName,
          decidedAt: new Date(),
          lastError: null,
          lastErrorAt: null,
        },
      );
      const row = await repo.findOneByOrFail({ id });
      await this.append(manager, row, audit);
      await this.queueMail(manager, row.id, 'confirmed', [requester(row)]);
      return row;
    });
  }

  /** The command failed: the request is pending again (confirmable until it expires), the error kept and audited. */
  async markFailed(id: string, error: string, audit: CycleActionAudit): Promise<CycleActionRequestEntity> {
    return this.dataSource.transaction(async (manager) => {
      const repo = manager.getRepository(CycleActionRequestEntity);
      await repo.update({ id, status: 'executing' }, { status: 'pending', lastError: error, lastErrorAt: new Date() });
      const row = await repo.findOneByOrFail({ id });
      await this.append(manager, row, audit);
      return row;
    });
  }

  /**
   * Refuses or withdraws a pending, unexpired request, with its audit entry. Null when it was not pending (decided
   * meanwhile, running, or expired).
   */
  async close(
    id: string,
    status: Extract<CycleActionStatus, 'refused' | 'withdrawn'>,
    by: CycleActionPerson,
    reason: string | null,
    audit: CycleActionAudit,
  ): Promise<CycleActionRequestEntity | null> {
    if (!isUuid(id)) return null;
    return this.dataSource.transaction(async (manager) => {
      const updated: [{ id: string }[], number] = await manager.query(
        `UPDATE cycle_action_requests
            SET status = $2, decided_by = $3, decided_by_person_id = $4, decided_by_name = $5, decided_at = now(), decision_reason = $6
          WHERE id = $1 AND status = 'pending' AND expires_at > now()
          RETURNING id`,
        [id, status, by.email, by.personId, by.fullName, reason],
      );
      const rows = Array.isArray(updated[0]) ? updated[0] : (updated as unknown as { id: string }[]);
      if (rows.length === 0) return null;
      const row = await manager.getRepository(CycleActionRequestEntity).findOneByOrFail({ id });
      await this.append(manager, row, audit);
      // The requester is told of a refusal; a withdrawal is their own act.
      if (status === 'refused') await this.queueMail(manager, row.id, 'refused', [requester(row)]);
      return row;
    });
  }

  /** The request's e-mails not sent yet, oldest first. */
  async pendingMails(requestId: string): Promise<CycleActionMailEntity[]> {
    if (!isUuid(requestId)) return [];
    return this.dataSource.getRepository(CycleActionMailEntity).find({ where: { requestId, status: 'pending' }, order: { id: 'ASC' } });
  }

  /** Every e-mail of the request, oldest first. */
  async mails(requestId: string): Promise<CycleActionMailEntity[]> {
    if (!isUuid(requestId)) return [];
    return this.dataSource.getRepository(CycleActionMailEntity).find({ where: { requestId }, order: { id: 'ASC' } });
  }

  async recordMailAttempt(id: string, error: string | null): Promise<void> {
    await this.dataSource
      .getRepository(CycleActionMailEntity)
      .createQueryBuilder()
      .update()
      .set({ attempts: () => 'attempts + 1', lastError: error })
      .where('id = :id', { id })
      .execute();
  }

  async markMailSent(id: string): Promise<void> {
    await this.dataSource
      .getRepository(CycleActionMailEntity)
      .createQueryBuilder()
      .update()
      .set({ status: 'sent', sentAt: () => 'now()', lastError: null })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
  }

  /** The outbox row of the request's e-mail, in the transaction of the change it tells of; once per request and event. */
  private async queueMail(manager: EntityManager, requestId: string, event: CycleActionMailEvent, recipients: NotificationRecipient[]): Promise<void> {
    await manager
      .getRepository(CycleActionMailEntity)
      .createQueryBuilder()
      .insert()
      .values({
        requestId,
        event,
        messageId: cycleActionMailKey(requestId, event),
        recipients,
        status: recipients.length === 0 ? 'no_recipients' : 'pending',
      })
      .orIgnore()
      .execute();
  }

  private async append(manager: EntityManager, row: CycleActionRequestEntity, audit: CycleActionAudit): Promise<void> {
    await this.auditLog.append(
      { ...audit, subjectType: CYCLE_ACTION_SUBJECT, subjectId: row.id, occurredAt: new Date(), data: { ...audit.data, requestId: row.id } },
      manager,
    );
  }
}
