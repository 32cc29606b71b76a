import {
  BadRequestException,
  ConflictException,
  HttpException,
  Injectable,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { extendTaskUpdate, type DeadlineRequest, type EffectiveDeadline } from '../../../libs/contracts/deadline-task';
import { CalendarRangeError, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, endOfWorkingDay } from '../../../libs/domain/calendar';
import { DeadlineError, formatLocal, resolveDeadline } from '../../../libs/domain/deadline';
import {
  ExtensionRequestRepository,
  TaskRepository,
  type AuditEntryInput,
  type ExtensionRequestRow,
  type TaskEntity,
} from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';
import { iso, isoOrNull } from '../common/views';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { assertTaskOpen, TaskUpdates } from '../temporal/task-updates';
import type { CreateExtensionRequestDto, DecideExtensionRequestDto, ExtensionRequestView, ExtensionStatus } from './extension.dto';

/** Who decides on a task's deadline: these roles in the task's supervising organisation (as for a direct extension). */
const DECIDING_ROLES: Role[] = ['ministry_admin', 'ministry_reviewer'];

export const EXTENSION_REQUESTED_EVENT = 'extension_requested';
export const EXTENSION_DECIDED_EVENTS = { granted: 'extension_granted', refused: 'extension_refused' } as const;

type RequestRow = ExtensionRequestRow;

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


/**
 * An organisation asks for more time on one of its tasks; the ministry supervising the task grants (the task's
 * deadline moves through its workflow's extendTask Update) or refuses. Request, decision, who and on what basis are
 * kept on the request and in the audit log.
 *
 * A request and a refusal touch PostgreSQL only: each row change commits with its audit entry. A grant spans both
 * sides, and the task's workflow is its source of truth: no transaction is held here; the decision travels in the
 * extendTask Update (with an Update id per request, so a retried grant is the same Update), and the task's
 * projection of the extension marks the request granted and appends `extension_granted` in the transaction that
 * stores the new deadline. A crash of the API or the worker once Temporal has accepted the Update ends with the
 * request granted and the deadline moved, by the retried projection; a refused Update changes neither.
 */
@Injectable()
export class ExtensionsService {
  constructor(
    private readonly requests: ExtensionRequestRepository,
    private readonly tasks: TaskRepository,
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

    const id = await this.requests.create(
      {
        taskId,
        cycleId: task.snapshot.context?.cycleId ?? null,
        organizationId: task.assigneeOrganizationId,
        requestedBy: user.email,
        reason: dto.reason,
        proposedLocalDateTime: localDateTime,
      },
      (requestId) =>
        this.auditEntry(user, task, EXTENSION_REQUESTED_EVENT, {
          requestId,
          reason: dto.reason,
          proposedLocalDateTime: localDateTime,
          proposedDueAt: proposed.dueAt,
          currentDueAt: current.dueAt,
        }),
    );
    if (!id) {
      throw new ConflictException(`По задаче «${taskId}» уже есть запрос на продление, ожидающий решения; дождитесь его рассмотрения`);
    }
    return this.view(await this.requireRequest(id), user);
  }

  /** The ministry sees its region's requests; everyone else those of the organisations they act for. */
  async list(user: AuthUser, status?: ExtensionStatus): Promise<ExtensionRequestView[]> {
    const scopes = [{ role: user.role, organizationId: user.organizationId }, ...user.actingFor];
    const regional = user.role === 'auditor' ? 'all' : scopes.some((s) => DECIDING_ROLES.includes(s.role)) ? user.regionCode : null;
    const own = scopes.map((s) => s.organizationId);
    const rows = await this.requests.list({ status, region: regional, organizationIds: own });
    return rows.map((r) => this.view(r, user));
  }

  async decide(user: AuthUser, id: string, dto: DecideExtensionRequestDto): Promise<ExtensionRequestView> {
    const request = await this.requireRequest(id);
    const task = await this.requireTask(request.taskId);
    this.requireDecider(user, request, task);
    assertPending(request);
    if (dto.decision === 'granted') assertTaskOpen(task.snapshot);

    if (dto.decision === 'refused') {
      const status = await this.requests.refuse(
        id,
        { by: user.email, basis: dto.basis },
        this.auditEntry(user, task, EXTENSION_DECIDED_EVENTS.refused, {
          requestId: id,
          requestedBy: request.requestedBy,
          basis: dto.basis,
          proposedLocalDateTime: request.proposedLocalDateTime,
        }),
      );
      // Decided meanwhile by someone else: the row says how.
      if (status !== 'refused') assertPending((await this.requests.find(id)) ?? request);
    } else {
      // The projection of the extension stores the grant (ExtensionRequestRepository.applyGrant). A refusal
      // committed meanwhile is overwritten by the grant, which the task's deadline already shows.
      try {
        await this.updates.run(task.id, () =>
          this.temporal.client.workflow.getHandle(task.workflowId).executeUpdate(extendTaskUpdate, {
            args: [
              {
                localDateTime: request.proposedLocalDateTime,
                reason: `Продление по запросу: ${dto.basis}`,
                decidedBy: user.email,
                record: { kind: 'extension_granted', requestId: id, decidedBy: user.email, basis: dto.basis },
              },
            ],
          }),
        );
      } catch (err) {
        // The same request granted twice at once: the second Update finds the deadline moved already.
        if (err instanceof HttpException && err.getStatus() < 500) assertPending((await this.requests.find(id)) ?? request);
        throw err;
      }
    }
    return this.view(await this.requireRequest(id), user);
  }

  private auditEntry(user: AuthUser, task: TaskEntity, type: string, data: Record<string, unknown>): AuditEntryInput {
    const context = task.snapshot.context;
    return {
      subjectType: 'task',
      subjectId: task.id,
      type,
      actor: user.email,
      occurredAt: new Date(),
      data,
      cycleId: context?.cycleId ?? null,
      organizationIds: [task.assigneeOrganizationId, task.supervisorOrganizationId, ...(context ? [context.subjectOrganizationId] : [])],
    };
  }

  private async requireTask(id: string): Promise<TaskEntity> {
    const task = await this.tasks.find(id);
    if (!task) throw new NotFoundException(`Задача «${id}» не найдена`);
    return task;
  }

  private async requireRequest(id: string): Promise<RequestRow> {
    const row = await this.requests.find(id);
    if (!row) throw new NotFoundException(`Запрос на продление ${id} не найден`);
    return row;
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
