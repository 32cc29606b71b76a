import {
  BadRequestException,
  ConflictException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import { extendTaskUpdate, type DeadlineRequest, type EffectiveDeadline, type TaskSnapshot } from '../../../libs/contracts/deadline-task';
import { CalendarRangeError, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, endOfWorkingDay } from '../../../libs/domain/calendar';
import { DeadlineError, formatLocal, resolveDeadline } from '../../../libs/domain/deadline';
import { AuditLogRepository, TaskRepository, type TaskEntity } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';
import { iso, isoOrNull } from '../common/views';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { assertTaskOpen, TaskUpdates } from '../temporal/task-updates';
import type { CreateExtensionRequestDto, DecideExtensionRequestDto, ExtensionRequestView, ExtensionStatus } from './extension.dto';

/** Who decides on a task's deadline: these roles in the task's supervising organisation (as for a direct extension). */
const DECIDING_ROLES: Role[] = ['ministry_admin', 'ministry_reviewer'];
const UNIQUE_VIOLATION = '23505';

export const EXTENSION_REQUESTED_EVENT = 'extension_requested';
export const EXTENSION_DECIDED_EVENTS = { granted: 'extension_granted', refused: 'extension_refused' } as const;

interface RequestRow {
  id: string;
  taskId: string;
  cycleId: string | null;
  organizationId: string;
  requestedBy: string;
  reason: string;
  proposedLocalDateTime: string;
  status: ExtensionStatus;
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

/**
 * Who decides a request: an administrator or specialist of the ministry of the asking organisation's region (the
 * ministry's roadmap sets the deadlines, so it decides for every task of its region, a school's included), or of the
 * task's supervising organisation, or their deputy. The decision endpoint and the `canDecide` of every view use it.
 */
function decides(user: AuthUser, request: Pick<RequestRow, 'supervisorOrganizationId' | 'regionCode'>): boolean {
  const supervisor = request.supervisorOrganizationId;
  if (DECIDING_ROLES.includes(user.role)) {
    if (user.organizationId === supervisor) return true;
    if (user.organizationKind === 'ministry' && user.regionCode === request.regionCode) return true;
  }
  return user.actingFor.some((p) => p.organizationId === supervisor && DECIDING_ROLES.includes(p.role));
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
 * An organisation asks for more time on one of its tasks; the ministry supervising the task grants (the task's
 * deadline moves through its workflow's extendTask Update) or refuses. Request, decision, who and on what basis are
 * kept on the request and in the audit log.
 */
@Injectable()
export class ExtensionsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tasks: TaskRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly access: AccessPolicy,
    private readonly temporal: TemporalGateway,
    private readonly updates: TaskUpdates,
  ) {}

  async create(user: AuthUser, taskId: string, dto: CreateExtensionRequestDto): Promise<ExtensionRequestView> {
    const task = await this.requireTask(taskId);
    await this.access.assertCanActOnTask(
      user,
      { assigneeOrganizationId: task.assigneeOrganizationId, supervisorOrganizationId: task.supervisorOrganizationId, context: task.snapshot.context },
      `запрос на продление срока задачи «${taskId}»`,
    );
    assertTaskOpen(task.snapshot);
    const current = task.snapshot.deadline;
    // A date alone means the end of that working day, as everywhere a deadline is written.
    const localDateTime = dto.dueAt.length === 10 ? `${dto.dueAt}T${endOfWorkingDay(dto.dueAt, current.requested)}` : dto.dueAt;
    const proposed = checkDeadline({ ...current.requested, localDateTime });
    const zone = current.requested.timeZone;
    if (Date.parse(proposed.dueAt) <= Date.parse(current.dueAt)) {
      throw new UnprocessableEntityException(
        `Предлагаемый срок ${formatLocal(proposed.dueAt, zone)} должен быть позже текущего срока задачи ${formatLocal(current.dueAt, zone)} (${zone})`,
      );
    }
    if (Date.parse(proposed.dueAt) <= Date.now()) {
      throw new UnprocessableEntityException(`Предлагаемый срок ${formatLocal(proposed.dueAt, zone)} (${zone}) уже прошёл`);
    }

    let id: string;
    try {
      id = await this.dataSource.transaction(async (manager) => {
        const [row]: { id: string }[] = await manager.query(
          `INSERT INTO extension_requests (task_id, cycle_id, organization_id, requested_by, reason, proposed_local_date_time, status)
           VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id`,
          [taskId, task.snapshot.context?.cycleId ?? null, task.assigneeOrganizationId, user.email, dto.reason, localDateTime],
        );
        await this.audit(manager, user, task, EXTENSION_REQUESTED_EVENT, {
          requestId: row.id,
          reason: dto.reason,
          proposedLocalDateTime: localDateTime,
          proposedDueAt: proposed.dueAt,
          currentDueAt: current.dueAt,
        });
        return row.id;
      });
    } catch (err) {
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new ConflictException(`По задаче «${taskId}» уже есть запрос на продление, ожидающий решения; дождитесь его рассмотрения`);
      }
      throw err;
    }
    return this.view(await this.requireRequest(id), user);
  }

  /** The ministry sees its region's requests; everyone else those of the organisations they act for. */
  async list(user: AuthUser, status?: ExtensionStatus): Promise<ExtensionRequestView[]> {
    const scopes = [{ role: user.role, organizationId: user.organizationId }, ...user.actingFor];
    const regional = user.role === 'auditor' ? 'all' : scopes.some((s) => DECIDING_ROLES.includes(s.role)) ? user.regionCode : null;
    const own = scopes.map((s) => s.organizationId);
    const rows: RequestRow[] = await this.dataSource.query(
      `${REQUEST_SELECT}
        WHERE ($1::text IS NULL OR r.status = $1)
          AND ($2::text = 'all' OR o.region_code = $2 OR r.organization_id = ANY($3::varchar[]))
        ORDER BY r.created_at DESC, r.id`,
      [status ?? null, regional ?? '', own],
    );
    return rows.map((r) => this.view(r, user));
  }

  async decide(user: AuthUser, id: string, dto: DecideExtensionRequestDto): Promise<ExtensionRequestView> {
    const request = await this.requireRequest(id);
    const task = await this.requireTask(request.taskId);
    this.requireDecider(user, request, task);
    assertPending(request);
    if (dto.decision === 'granted') assertTaskOpen(task.snapshot);

    await this.dataSource.transaction(async (manager) => {
      // Locks the request: a second decision made at the same moment waits here, then finds it decided.
      const [locked]: { status: ExtensionStatus }[] = await manager.query(`SELECT status FROM extension_requests WHERE id = $1 FOR UPDATE`, [id]);
      assertPending({ ...request, status: locked.status });
      let extended: EffectiveDeadline | undefined;
      if (dto.decision === 'granted') {
        // Before the audit entry: appending takes the audit chain's lock, which the Update's own projection needs.
        extended = await this.updates.run(task.id, () =>
          this.temporal.client.workflow.getHandle(task.workflowId).executeUpdate(extendTaskUpdate, {
            args: [{ localDateTime: request.proposedLocalDateTime, reason: `Продление по запросу: ${dto.basis}`, decidedBy: user.email }],
          }),
        );
      }
      await manager.query(
        `UPDATE extension_requests SET status = $2, decided_by = $3, decision_basis = $4, decided_at = now() WHERE id = $1`,
        [id, dto.decision, user.email, dto.basis],
      );
      await this.audit(manager, user, task, EXTENSION_DECIDED_EVENTS[dto.decision], {
        requestId: id,
        requestedBy: request.requestedBy,
        basis: dto.basis,
        proposedLocalDateTime: request.proposedLocalDateTime,
        ...(extended ? { previousDueAt: task.snapshot.deadline.dueAt, dueAt: extended.dueAt } : {}),
      });
    });
    return this.view(await this.requireRequest(id), user);
  }

  private async audit(manager: EntityManager, user: AuthUser, task: TaskEntity, type: string, data: Record<string, unknown>): Promise<void> {
    const context = task.snapshot.context;
    await this.auditLog.append(
      {
        subjectType: 'task',
        subjectId: task.id,
        type,
        actor: user.email,
        occurredAt: new Date(),
        data,
        cycleId: context?.cycleId ?? null,
        organizationIds: [task.assigneeOrganizationId, task.supervisorOrganizationId, ...(context ? [context.subjectOrganizationId] : [])],
      },
      manager,
    );
  }

  private async requireTask(id: string): Promise<TaskEntity> {
    const task = await this.tasks.find(id);
    if (!task) throw new NotFoundException(`Задача «${id}» не найдена`);
    return task;
  }

  private async requireRequest(id: string): Promise<RequestRow> {
    const rows: RequestRow[] = await this.dataSource.query(`${REQUEST_SELECT} WHERE r.id = $1`, [id]);
    if (!rows[0]) throw new NotFoundException(`Запрос на продление ${id} не найден`);
    return rows[0];
  }

  private requireDecider(user: AuthUser, request: RequestRow, task: TaskEntity): void {
    if (decides(user, request)) return;
    this.access.deny(
      user,
      `Решение по запросу на продление принимают администратор или специалист министерства региона задачи или курирующего её органа («${request.supervisorOrganizationId}»)`,
      { action: `решение по запросу на продление задачи «${task.id}»`, taskId: task.id, organizationId: request.supervisorOrganizationId },
    );
  }

  private view(row: RequestRow, user: AuthUser): ExtensionRequestView {
    const requested = row.snapshot?.deadline.requested;
    let proposedDueAt: string | null = null;
    if (requested) {
      try {
        proposedDueAt = resolveDeadline({ ...requested, localDateTime: row.proposedLocalDateTime }).dueAt;
      } catch {
        // Stored only after the same check passed; a calendar shortened since would land here, and the row stays readable.
      }
    }
    return {
      id: row.id,
      taskId: row.taskId,
      taskTitle: row.taskTitle,
      taskStatus: row.taskStatus,
      cycleId: row.cycleId,
      organizationId: row.organizationId,
      organizationName: row.organizationName,
      supervisorOrganizationId: row.supervisorOrganizationId,
      requestedBy: row.requestedBy,
      reason: row.reason,
      proposedLocalDateTime: row.proposedLocalDateTime,
      proposedDueAt,
      currentDueAt: row.snapshot?.deadline.dueAt ?? null,
      timeZone: requested?.timeZone ?? null,
      status: row.status,
      decidedBy: row.decidedBy,
      decisionBasis: row.decisionBasis,
      decidedAt: isoOrNull(row.decidedAt),
      createdAt: iso(row.createdAt),
      canDecide: row.status === 'pending' && decides(user, row),
    };
  }
}

function assertPending(request: Pick<RequestRow, 'status' | 'decidedBy' | 'decidedAt'>): void {
  if (request.status === 'pending') return;
  const decision = request.status === 'granted' ? 'срок продлён' : 'в продлении отказано';
  throw new ConflictException(`Запрос уже рассмотрен: ${decision}${request.decidedBy ? ` (${request.decidedBy})` : ''}`);
}

function checkDeadline(request: DeadlineRequest): EffectiveDeadline {
  try {
    return resolveDeadline(request);
  } catch (err) {
    if (err instanceof CalendarRangeError) {
      throw new UnprocessableEntityException(
        `Срок ${request.localDateTime} вне производственного календаря (${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR} годы)`,
      );
    }
    if (err instanceof DeadlineError || err instanceof TypeError || err instanceof RangeError) {
      throw new BadRequestException({
        message: 'Запрос содержит ошибки',
        details: [`dueAt: несуществующая дата или время ${request.localDateTime}`],
      });
    }
    throw err;
  }
}
