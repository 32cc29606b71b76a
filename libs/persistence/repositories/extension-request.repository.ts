import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import type { TaskSnapshot } from '../../contracts/deadline-task';
import type { ExtensionGrantRecord } from '../../contracts/task-record';
import { ExtensionRequestEntity, type ExtensionRequestStatus } from '../entities/extension-request.entity';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

const UNIQUE_VIOLATION = '23505';

/** A request with what its views show of its task and organisation. */
export interface ExtensionRequestRow {
  id: string;
  taskId: string;
  cycleId: string | null;
  organizationId: string;
  requestedBy: string;
  reason: string;
  proposedLocalDateTime: string;
  status: ExtensionRequestStatus;
  decidedBy: string | null;
  decisionBasis: string | null;
  decidedAt: Date | null;
  createdAt: Date;
  taskTitle: string | null;
  taskStatus: string | null;
  snapshot: TaskSnapshot | null;
  supervisorOrganizationId: string | null;
  organizationName: string | null;
  regionCode: string;
}

export interface NewExtensionRequest {
  taskId: string;
  cycleId: string | null;
  organizationId: string;
  requestedBy: string;
  reason: string;
  proposedLocalDateTime: string;
}

export interface ExtensionRequestFilter {
  status?: ExtensionRequestStatus;
  /** Every region ('all'), one region's requests, or none but `organizationIds`' (null). */
  region: 'all' | string | null;
  /** Requests of these organisations, whatever `region` says. */
  organizationIds: string[];
}

const REQUEST_SELECT = `SELECT r.id, r.task_id AS "taskId", r.cycle_id AS "cycleId", r.organization_id AS "organizationId",
    r.requested_by AS "requestedBy", r.reason, r.proposed_local_date_time AS "proposedLocalDateTime", r.status,
    r.decided_by AS "decidedBy", r.decision_basis AS "decisionBasis", r.decided_at AS "decidedAt", r.created_at AS "createdAt",
    t.title AS "taskTitle", t.status AS "taskStatus", t.snapshot, t.supervisor_organization_id AS "supervisorOrganizationId",
    o.name AS "organizationName", o.region_code AS "regionCode"
  FROM extension_requests r
  LEFT JOIN tasks t ON t.id = r.task_id
  JOIN organizations o ON o.id = r.organization_id`;

/**
 * Extension requests and their decisions. Each write commits with its audit entry; a grant is written by the task's
 * projection of its extension (`applyGrant`, in that transaction), never by the API around the task's Update.
 */
export class ExtensionRequestRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /** The new request's id with its audit entry (built from that id) committed; null when one is pending already. */
  async create(request: NewExtensionRequest, auditEntry: (id: string) => AuditEntryInput): Promise<string | null> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const saved = await manager.getRepository(ExtensionRequestEntity).save(
          manager.getRepository(ExtensionRequestEntity).create({ ...request, status: 'pending' }),
        );
        // Last in the transaction: the audit chain's lock is held from here to the commit.
        await this.audit.append(auditEntry(saved.id), manager);
        return saved.id;
      });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) return null;
      throw err;
    }
  }

  async find(id: string): Promise<ExtensionRequestRow | null> {
    if (!id) return null;
    const rows: ExtensionRequestRow[] = await this.dataSource.query(`${REQUEST_SELECT} WHERE r.id = $1`, [id]);
    return rows[0] ?? null;
  }

  /** Newest first. */
  async list(filter: ExtensionRequestFilter): Promise<ExtensionRequestRow[]> {
    return this.dataSource.query(
      `${REQUEST_SELECT}
        WHERE ($1::text IS NULL OR r.status = $1)
          AND ($2::text = 'all' OR o.region_code = $2 OR r.organization_id = ANY($3::varchar[]))
        ORDER BY r.created_at DESC, r.id`,
      [filter.status ?? null, filter.region ?? '', filter.organizationIds],
    );
  }

  /**
   * Refuses a pending request and appends `auditEntry`, together. The status found instead when the request is no
   * longer pending (nothing written then).
   */
  async refuse(id: string, decision: { by: string; basis: string }, auditEntry: AuditEntryInput): Promise<'refused' | ExtensionRequestStatus> {
    return this.dataSource.transaction(async (manager) => {
      const [rows]: [{ id: string }[], number] = await manager.query(
        `UPDATE extension_requests SET status = 'refused', decided_by = $2, decision_basis = $3, decided_at = now()
          WHERE id = $1 AND status = 'pending' RETURNING id`,
        [id, decision.by, decision.basis],
      );
      if (rows.length === 0) {
        const found = await manager.getRepository(ExtensionRequestEntity).findOneBy({ id });
        return found?.status ?? 'refused';
      }
      await this.audit.append(auditEntry, manager);
      return 'refused';
    });
  }

  /**
   * Marks the request granted inside the task's projection of its extension and gives the decision's audit entry,
   * for the projection to append. The task's workflow is the truth: a refusal committed while the grant's Update
   * was on its way is overwritten (the entry says so), so the request always agrees with the task's deadline.
   */
  async applyGrant(
    manager: EntityManager,
    record: ExtensionGrantRecord,
    snapshot: TaskSnapshot,
    extension: { previousDueAt?: unknown; dueAt?: unknown },
  ): Promise<AuditEntryInput> {
    const [rows]: [{ previous: ExtensionRequestStatus; requestedBy: string; proposedLocalDateTime: string }[], number] = await manager.query(
      `UPDATE extension_requests r SET status = 'granted', decided_by = $2, decision_basis = $3, decided_at = now()
         FROM (SELECT id, status FROM extension_requests WHERE id = $1 FOR UPDATE) before
        WHERE r.id = before.id
        RETURNING before.status AS previous, r.requested_by AS "requestedBy", r.proposed_local_date_time AS "proposedLocalDateTime"`,
      [record.requestId, record.decidedBy, record.basis],
    );
    const row = rows[0];
    const context = snapshot.context;
    return {
      subjectType: 'task',
      subjectId: snapshot.taskId,
      type: 'extension_granted',
      actor: record.decidedBy,
      occurredAt: new Date(),
      data: {
        requestId: record.requestId,
        requestedBy: row?.requestedBy ?? null,
        basis: record.basis,
        proposedLocalDateTime: row?.proposedLocalDateTime ?? null,
        previousDueAt: extension.previousDueAt,
        dueAt: extension.dueAt,
        ...(row && row.previous !== 'pending' ? { previousStatus: row.previous } : {}),
      },
      cycleId: context?.cycleId ?? null,
      organizationIds: [snapshot.assigneeOrganizationId, snapshot.supervisorOrganizationId, ...(context ? [context.subjectOrganizationId] : [])],
    };
  }
}
