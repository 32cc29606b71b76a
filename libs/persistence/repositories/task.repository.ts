import { Brackets, type DataSource, type EntityManager } from 'typeorm';
import type { TaskAction, TaskEvent, TaskSnapshot, TaskStatus } from '../../contracts/deadline-task';
import type { CuratedSchool } from '../../domain/curators';
import { AuditEventEntity, NotificationEntity, TaskEntity } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

export const TASK_SUBJECT = 'task';

export interface TaskFilter {
  organizationId?: string;
  /**
   * Only tasks concerning one of these organisations, as assignee, supervisor or subject of a cycle step (what a
   * user may read); undefined: no such restriction, [] matches nothing.
   */
  organizationIds?: string[];
  /**
   * Besides `organizationIds`: the tasks of a cycle assigned to or about one of these schools (what a curator may
   * read). Only widens an `organizationIds` restriction.
   */
  curatedSchools?: CuratedSchool[];
  /** Only the tasks of one yearly cycle. */
  cycleId?: string;
  status?: TaskStatus;
  /** Only the cycle tasks asking for this (`snapshot.context.action`). */
  action?: TaskAction;
  /** By deadline, earliest first (default) or latest first. */
  order?: 'asc' | 'desc';
  dueFrom?: Date;
  dueTo?: Date;
  limit: number;
  offset: number;
}

export interface TaskTimeline {
  events: AuditEventEntity[];
  notifications: NotificationEntity[];
}

/** What the lateness ranking reads of a cycle task: its deadline in force and when it was closed, without the snapshot. */
export interface CycleTaskDeadlineRow {
  id: string;
  status: TaskStatus;
  assigneeOrganizationId: string;
  dueAt: Date;
  timeZone: string;
  /** When it was completed (or cancelled); null while open. */
  closedAt: Date | null;
}

/** A cycle task as monitoring reads it: its state and the snapshot with the step's context. */
export interface CycleTaskStateRow {
  id: string;
  status: TaskStatus;
  snapshot: TaskSnapshot;
}

/** What an audit export takes from a task, in the table's own terms. */
export type AuditExportTaskRow = Pick<
  TaskEntity,
  'id' | 'workflowId' | 'title' | 'status' | 'dueAt' | 'snapshot' | 'assigneeOrganizationId' | 'supervisorOrganizationId'
>;

/** The tasks an audit export covers: a cycle's, an organisation's (assignee, supervisor or subject), or one task. */
export type AuditExportTaskScope = { kind: 'cycle'; cycleId: string } | { kind: 'organization'; organizationIds: string[] } | { kind: 'task'; taskId: string };

/** The task read model and its audit trail. Only the workflow's projection activity writes here. */
export class TaskRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /**
   * Idempotent and order-tolerant: the audit entry is keyed by (task, seq) and appended once, and the task row only
   * moves forward in version, so a retried or late activity neither duplicates history nor rolls state back.
   */
  async applyProjection(
    snapshot: TaskSnapshot,
    event: TaskEvent,
    /**
     * The record the change's Update carries (libs/contracts/task-record.ts): its rows are written here, once, and
     * the audit entry it returns is appended after the task's.
     */
    carried?: (manager: EntityManager) => Promise<AuditEntryInput>,
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const closedAt = snapshot.completedAt ?? snapshot.cancelledAt ?? null;
      await manager.query(
        `INSERT INTO tasks (id, workflow_id, title, status, assignee_organization_id, supervisor_organization_id,
                            due_at, time_zone, created_at, closed_at, version, snapshot, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
         ON CONFLICT (id) DO UPDATE SET
           title = EXCLUDED.title, status = EXCLUDED.status,
           assignee_organization_id = EXCLUDED.assignee_organization_id,
           supervisor_organization_id = EXCLUDED.supervisor_organization_id,
           due_at = EXCLUDED.due_at, time_zone = EXCLUDED.time_zone, closed_at = EXCLUDED.closed_at,
           version = EXCLUDED.version, snapshot = EXCLUDED.snapshot, updated_at = now()
         WHERE tasks.version < EXCLUDED.version`,
        [
          snapshot.taskId,
          snapshot.workflowId,
          snapshot.title,
          snapshot.status,
          snapshot.assigneeOrganizationId,
          snapshot.supervisorOrganizationId,
          snapshot.deadline.dueAt,
          snapshot.deadline.requested.timeZone,
          snapshot.createdAt,
          closedAt,
          snapshot.version,
          JSON.stringify(snapshot),
        ],
      );
      // The audit chain's lock is held from this append to the commit.
      const { appended } = await this.audit.append(
        {
          subjectType: TASK_SUBJECT,
          subjectId: snapshot.taskId,
          seq: event.seq,
          type: event.type,
          actor: event.actor,
          occurredAt: new Date(event.occurredAt),
          data: event.data,
          cycleId: snapshot.context?.cycleId ?? null,
          organizationIds: [
            snapshot.assigneeOrganizationId,
            snapshot.supervisorOrganizationId,
            ...(snapshot.context?.subjectOrganizationId ? [snapshot.context.subjectOrganizationId] : []),
          ],
        },
        manager,
      );
      // The record goes with its event, once: a retry of a committed projection finds the event and writes it no
      // second time. Not keyed on the task's row moving forward: a later event (a reminder sent while the completion
      // was being stored) may have moved the row first, and its record would then be lost.
      if (carried && appended) await this.audit.append(await carried(manager), manager);
    });
  }

  async find(id: string): Promise<TaskEntity | null> {
    return id ? this.dataSource.getRepository(TaskEntity).findOneBy({ id }) : null;
  }

  async list(filter: TaskFilter): Promise<{ items: TaskEntity[]; total: number }> {
    const query = this.dataSource.getRepository(TaskEntity).createQueryBuilder('t');
    if (filter.organizationId) {
      query.andWhere(
        new Brackets((w) =>
          w
            .where('t.assignee_organization_id = :org', { org: filter.organizationId })
            .orWhere('t.supervisor_organization_id = :org', { org: filter.organizationId }),
        ),
      );
    }
    if (filter.organizationIds) {
      const readable = filter.organizationIds;
      const curated = filter.curatedSchools ?? [];
      if (readable.length === 0 && curated.length === 0) return { items: [], total: 0 };
      query.andWhere(
        new Brackets((w) => {
          if (readable.length) {
            w.orWhere('t.assignee_organization_id IN (:...readable)', { readable })
              .orWhere('t.supervisor_organization_id IN (:...readable)')
              .orWhere(`t.snapshot->'context'->>'subjectOrganizationId' IN (:...readable)`);
          }
          curated.forEach((c, i) => {
            w.orWhere(
              `(t.snapshot->'context'->>'cycleId' = :curatedCycle${i} AND (t.assignee_organization_id = :curatedSchool${i} ` +
                `OR t.snapshot->'context'->>'subjectOrganizationId' = :curatedSchool${i}))`,
              { [`curatedCycle${i}`]: c.cycleId, [`curatedSchool${i}`]: c.schoolId },
            );
          });
        }),
      );
    }
    if (filter.cycleId) query.andWhere(`t.snapshot->'context'->>'cycleId' = :cycleId`, { cycleId: filter.cycleId });
    if (filter.status) query.andWhere('t.status = :status', { status: filter.status });
    if (filter.action) query.andWhere(`t.snapshot->'context'->>'action' = :action`, { action: filter.action });
    if (filter.dueFrom) query.andWhere('t.due_at >= :dueFrom', { dueFrom: filter.dueFrom });
    if (filter.dueTo) query.andWhere('t.due_at <= :dueTo', { dueTo: filter.dueTo });
    const [items, total] = await query
      .orderBy('t.due_at', filter.order === 'desc' ? 'DESC' : 'ASC')
      .addOrderBy('t.id', 'ASC')
      .take(filter.limit)
      .skip(filter.offset)
      .getManyAndCount();
    return { items, total };
  }

  async timeline(taskId: string): Promise<TaskTimeline> {
    const [events, notifications] = await Promise.all([
      this.dataSource
        .getRepository(AuditEventEntity)
        .find({ where: { subjectType: TASK_SUBJECT, subjectId: taskId }, order: { seq: 'ASC' } }),
      this.dataSource.getRepository(NotificationEntity).find({ where: { taskId }, order: { id: 'ASC' } }),
    ]);
    return { events, notifications };
  }

  /** Every task of a cycle, by id, with only the columns the lateness ranking needs (no snapshot, no paging). */
  async listCycleTaskDeadlines(cycleId: string): Promise<CycleTaskDeadlineRow[]> {
    if (!cycleId) return [];
    return this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.status', 't.assigneeOrganizationId', 't.dueAt', 't.timeZone', 't.closedAt'])
      .where(`t.snapshot->'context'->>'cycleId' = :cycleId`, { cycleId })
      .orderBy('t.id', 'ASC')
      .getMany();
  }

  /** Every task of a cycle asking for `action` (snapshot.context.action), in any state. */
  async listCycleTasksOfAction(cycleId: string, action: TaskAction): Promise<CycleTaskStateRow[]> {
    if (!cycleId) return [];
    return this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.status', 't.snapshot'])
      .where(`t.snapshot->'context'->>'cycleId' = :cycleId`, { cycleId })
      .andWhere(`t.snapshot->'context'->>'action' = :action`, { action })
      .getMany();
  }

  /** The earliest open task of a cycle asking for `action`, if there is one. */
  async firstOpenCycleTask(cycleId: string, action: TaskAction): Promise<string | null> {
    if (!cycleId) return null;
    const row = await this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select(['t.id'])
      .where(`t.status = 'open'`)
      .andWhere(`t.snapshot->'context'->>'cycleId' = :cycleId`, { cycleId })
      .andWhere(`t.snapshot->'context'->>'action' = :action`, { action })
      .orderBy('t.created_at', 'ASC')
      .limit(1)
      .getOne();
    return row?.id ?? null;
  }

  /** Whether each task was completed late (snapshot.completedLate); null while it is open or when it never said. */
  async completedLateByIds(taskIds: string[]): Promise<Map<string, boolean | null>> {
    const ids = [...new Set(taskIds)];
    if (ids.length === 0) return new Map();
    const rows: { id: string; late: boolean | null }[] = await this.dataSource.query(
      `SELECT id, (snapshot ->> 'completedLate')::boolean AS late FROM tasks WHERE id = ANY($1::varchar[])`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.late]));
  }

  /** The tasks of an audit export's scope and every other task the exported entries name, by deadline. */
  async listForAuditExport(scope: AuditExportTaskScope, alsoTaskIds: string[]): Promise<AuditExportTaskRow[]> {
    const condition =
      scope.kind === 'cycle'
        ? `t.snapshot -> 'context' ->> 'cycleId' = $1`
        : scope.kind === 'organization'
          ? `t.assignee_organization_id = ANY($1::varchar[]) OR t.supervisor_organization_id = ANY($1::varchar[])
             OR t.snapshot -> 'context' ->> 'subjectOrganizationId' = ANY($1::varchar[])`
          : `t.id = $1`;
    const rows: {
      id: string;
      workflow_id: string;
      title: string;
      status: TaskStatus;
      due_at: Date;
      snapshot: TaskSnapshot;
      assignee_organization_id: string;
      supervisor_organization_id: string;
    }[] = await this.dataSource.query(
      `SELECT t.id, t.workflow_id, t.title, t.status, t.due_at, t.snapshot, t.assignee_organization_id, t.supervisor_organization_id
         FROM tasks t WHERE (${condition}) OR t.id = ANY($2::varchar[])
        ORDER BY t.due_at, t.id`,
      [scope.kind === 'cycle' ? scope.cycleId : scope.kind === 'organization' ? scope.organizationIds : scope.taskId, alsoTaskIds],
    );
    return rows.map((t) => ({
      id: t.id,
      workflowId: t.workflow_id,
      title: t.title,
      status: t.status,
      dueAt: t.due_at,
      snapshot: t.snapshot,
      assigneeOrganizationId: t.assignee_organization_id,
      supervisorOrganizationId: t.supervisor_organization_id,
    }));
  }

  /**
   * Open tasks and the overdue among them per region of their assignee, for the metrics endpoint: one grouped
   * count over open tasks, whose number is bounded by the regions' live work rather than by history.
   */
  async openAndOverdueByRegion(): Promise<{ region: string; open: number; overdue: number }[]> {
    const rows: { region: string; open: string; overdue: string }[] = await this.dataSource.query(
      `SELECT o.region_code AS region, count(*) AS open, count(*) FILTER (WHERE t.due_at < now()) AS overdue
         FROM tasks t JOIN organizations o ON o.id = t.assignee_organization_id
        WHERE t.status = 'open'
        GROUP BY o.region_code`,
    );
    return rows.map((r) => ({ region: r.region, open: Number(r.open), overdue: Number(r.overdue) }));
  }
}
