import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { createHash } from 'node:crypto';
import {
  cancelTaskUpdate,
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  DEFAULT_NOTIFICATION_POLICY,
  extendTaskUpdate,
  reassignTaskUpdate,
  taskReadyUpdate,
  type DeadlineRequest,
  type DeadlineTaskInput,
  type NotificationPolicy,
  type TaskSnapshot,
} from '../../../libs/contracts/deadline-task';
import {
  CalendarRangeError,
  CALENDAR_FIRST_YEAR,
  CALENDAR_LAST_YEAR,
  endOfWorkingDay,
  isValidIsoDate,
  type CalendarOptions,
} from '../../../libs/domain/calendar';
import { DeadlineError, formatLocal, isValidTimeZone, resolveDeadline, validatePolicy } from '../../../libs/domain/deadline';
import { DirectoryRepository, TaskRepository, type OrganizationEntity, type TaskEntity } from '../../../libs/persistence';
import { AccessPolicy, type TaskAccessFacts } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { assertTaskOpenToAct, TaskUpdates } from '../temporal/task-updates';
import { temporalOutageOr } from '../temporal/temporal-errors';
import type { CancelTaskDto, CompleteTaskDto, CreateTaskDto, ExtendTaskDto, ListTasksQueryDto, ReassignTaskDto } from './task.dto';
import {
  mapNotification,
  mapTask,
  mapTimelineEvent,
  type CompletionView,
  type TaskDetailView,
  type TaskListView,
  type TaskView,
} from './task.views';

/** Who decides on a task's deadline, assignee and cancellation: these roles in the supervising organisation. */
const SUPERVISING_ROLES: Role[] = ['ministry_admin', 'ministry_reviewer'];

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly directory: DirectoryRepository,
    private readonly temporal: TemporalGateway,
    private readonly updates: TaskUpdates,
    private readonly policy: AccessPolicy,
  ) {}

  async create(user: AuthUser, dto: CreateTaskDto): Promise<TaskView> {
    const assignee = await this.requireOrganization(dto.assigneeOrganizationId, 'assigneeOrganizationId');
    await this.policy.assertCanRead(user, assignee.id, `создание задачи для «${assignee.id}»`);
    const supervisor = dto.supervisorOrganizationId
      ? await this.requireOrganization(dto.supervisorOrganizationId, 'supervisorOrganizationId')
      : await this.directory.findRegionMinistry(assignee.regionCode);
    if (!supervisor) {
      throw new UnprocessableEntityException(
        `Для региона «${assignee.regionCode}» не найдено министерство; укажите supervisorOrganizationId`,
      );
    }
    if (supervisor.id === assignee.id) {
      throw new UnprocessableEntityException('Организация не может курировать собственную задачу');
    }
    await this.policy.assertCanRead(user, supervisor.id, `создание задачи под контролем «${supervisor.id}»`);
    const policy: NotificationPolicy = dto.policy
      ? {
          reminders: dto.policy.reminders.map((r) => ({ ...r })),
          escalations: dto.policy.escalations.map((e) => ({ ...e })),
          ...(dto.policy.minimumLeadSeconds !== undefined ? { minimumLeadSeconds: dto.policy.minimumLeadSeconds } : {}),
        }
      : DEFAULT_NOTIFICATION_POLICY;
    const policyProblems = validatePolicy(policy);
    if (policyProblems.length) {
      throw new BadRequestException({ message: 'Политика напоминаний содержит ошибки', details: policyProblems });
    }
    const deadlineRequest: DeadlineRequest = {
      localDateTime: withDefaultTime(dto.dueAt),
      timeZone: dto.timeZone ?? assignee.timeZone,
      calendar: dto.calendar ?? 'working-days',
    };
    const deadline = this.checkDeadline(deadlineRequest);
    if (Date.parse(deadline.dueAt) <= Date.now()) {
      throw new UnprocessableEntityException(
        `Срок ${formatLocal(deadline.dueAt, deadlineRequest.timeZone)} (${deadlineRequest.timeZone}) уже прошёл`,
      );
    }

    const taskId = dto.id ?? derivedTaskId(assignee.id, deadline.localDateTime, dto.title);
    const input: DeadlineTaskInput = {
      taskId,
      title: dto.title,
      description: dto.description,
      assigneeOrganizationId: assignee.id,
      supervisorOrganizationId: supervisor.id,
      deadline: deadlineRequest,
      policy,
      createdBy: user.email,
    };
    let handle: WorkflowHandle;
    try {
      handle = await this.temporal.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
        taskQueue: this.temporal.taskQueue,
        workflowId: deadlineTaskWorkflowId(taskId),
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new ConflictException(`Задача с ключом «${taskId}» уже существует`);
      }
      // Whether the start got through is unknown; the key makes a repeated request safe.
      throw temporalOutageOr(
        err,
        `Сервис процессов не ответил вовремя, и неизвестно, создана ли задача «${taskId}»; ` +
          'повторите запрос — задача с тем же ключом не будет создана дважды',
      );
    }
    let snapshot: TaskSnapshot;
    try {
      snapshot = await this.temporal.withinUpdateDeadline(() => handle.executeUpdate(taskReadyUpdate));
    } catch (err) {
      // The workflow is started and durable, so even an unreachable Temporal must not read as «not created».
      const accepted =
        `Задача «${taskId}» принята, но обработчик задач сейчас не отвечает; ` +
        'она появится в списке, как только он заработает';
      throw temporalOutageOr(err, accepted, accepted);
    }
    return this.view(snapshot);
  }

  async list(user: AuthUser, query: ListTasksQueryDto): Promise<TaskListView> {
    const readable = await this.policy.readableOrganizationIds(user);
    // A curator also sees the tasks of the schools they curate, of those cycles only.
    const curated = readable === 'all' ? [] : await this.policy.curatedSchools(user);
    if (query.organizationId && !curated.some((c) => c.schoolId === query.organizationId)) {
      await this.policy.assertCanRead(user, query.organizationId, `список задач организации «${query.organizationId}»`);
    }
    // new Date() rolls a day past the month's end over ('2026-02-30' becomes 2 March) instead of refusing it.
    const toDate = (value: string) => (isValidIsoDate(value.slice(0, 10)) ? new Date(value) : new Date(NaN));
    const dueFrom = query.dueFrom ? toDate(query.dueFrom) : undefined;
    const dueTo = query.dueTo ? toDate(query.dueTo) : undefined;
    for (const [name, value] of [['dueFrom', dueFrom], ['dueTo', dueTo]] as const) {
      if (value && Number.isNaN(value.getTime())) throw new BadRequestException(`${name}: несуществующая дата`);
    }
    const { items, total } = await this.tasks.list({
      organizationId: query.organizationId,
      organizationIds: readable === 'all' ? undefined : readable,
      curatedSchools: curated.length ? curated : undefined,
      cycleId: query.cycleId,
      status: query.status,
      action: query.action,
      dueFrom,
      dueTo,
      order: query.order,
      limit: query.limit,
      offset: query.offset,
    });
    const orgs = await this.directory.findOrganizations(
      items.flatMap((t) => [t.assigneeOrganizationId, t.supervisorOrganizationId]),
    );
    const now = new Date();
    return { items: items.map((t) => mapTask(t.snapshot, orgs, now)), total, limit: query.limit, offset: query.offset };
  }

  async get(user: AuthUser, id: string): Promise<TaskDetailView> {
    const task = await this.requireReadableTask(user, id);
    const [view, timeline] = await Promise.all([this.view(task.snapshot), this.tasks.timeline(id)]);
    return {
      ...view,
      timeline: timeline.events.map(mapTimelineEvent),
      notifications: timeline.notifications.map(mapNotification),
    };
  }

  async complete(user: AuthUser, id: string, dto: CompleteTaskDto): Promise<CompletionView> {
    const task = await this.requireReadableTask(user, id);
    await this.policy.assertCanActOnTask(user, accessFacts(task), `выполнение задачи «${task.id}»`);
    assertTaskOpenToAct(task.snapshot);
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    const result = await this.updates.run(task.id, (updateId) =>
      handle.executeUpdate(completeTaskUpdate, {
        args: [{ completedBy: user.email, result: { comment: dto.comment, documentUrl: dto.documentUrl } }],
        updateId,
      }),
    );
    return { ...result, task: await this.view((await this.requireTask(id)).snapshot) };
  }

  async extend(user: AuthUser, id: string, dto: ExtendTaskDto): Promise<TaskView> {
    const task = await this.requireReadableTask(user, id);
    const decidedBy = this.requireSupervisor(user, task, 'продление срока задачи');
    assertTaskOpenToAct(task.snapshot);
    const localDateTime = withDefaultTime(dto.dueAt, task.snapshot.deadline.requested);
    this.checkDeadline({ ...task.snapshot.deadline.requested, localDateTime });
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    await this.updates.run(task.id, (updateId) =>
      handle.executeUpdate(extendTaskUpdate, { args: [{ localDateTime, reason: dto.reason, decidedBy }], updateId }),
    );
    // The Update returns only after its projection is stored, so the read model is already current.
    return this.view((await this.requireTask(id)).snapshot);
  }

  async reassign(user: AuthUser, id: string, dto: ReassignTaskDto): Promise<TaskView> {
    const task = await this.requireReadableTask(user, id);
    const decidedBy = this.requireSupervisor(user, task, 'передача задачи другой организации');
    const target = await this.requireOrganization(dto.organizationId, 'organizationId');
    await this.policy.assertCanRead(user, target.id, `передача задачи организации «${target.id}»`);
    assertTaskOpenToAct(task.snapshot);
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    const snapshot = await this.updates.run(task.id, (updateId) =>
      handle.executeUpdate(reassignTaskUpdate, { args: [{ organizationId: target.id, reason: dto.reason, decidedBy }], updateId }),
    );
    return this.view(snapshot);
  }

  async cancel(user: AuthUser, id: string, dto: CancelTaskDto): Promise<TaskView> {
    const task = await this.requireReadableTask(user, id);
    const cancelledBy = this.requireSupervisor(user, task, 'отмена задачи');
    assertTaskOpenToAct(task.snapshot);
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    const snapshot = await this.updates.run(task.id, (updateId) =>
      handle.executeUpdate(cancelTaskUpdate, { args: [{ reason: dto.reason, cancelledBy }], updateId }),
    );
    return this.view(snapshot);
  }

  private async view(snapshot: TaskSnapshot): Promise<TaskView> {
    const orgs = await this.directory.findOrganizations([
      snapshot.assigneeOrganizationId,
      snapshot.supervisorOrganizationId,
    ]);
    return mapTask(snapshot, orgs, new Date());
  }

  private checkDeadline(request: DeadlineRequest) {
    if (!isValidTimeZone(request.timeZone)) {
      throw new BadRequestException(`Неизвестный часовой пояс «${request.timeZone}»; ожидается зона IANA, например Europe/Moscow`);
    }
    try {
      return resolveDeadline(request);
    } catch (err) {
      if (err instanceof CalendarRangeError) {
        throw new UnprocessableEntityException(
          `Срок ${request.localDateTime} вне производственного календаря (${CALENDAR_FIRST_YEAR}–${CALENDAR_LAST_YEAR} годы)`,
        );
      }
      if (err instanceof DeadlineError || err instanceof TypeError) {
        throw new BadRequestException(`Несуществующая дата или время: ${request.localDateTime}`);
      }
      throw err;
    }
  }

  private async requireOrganization(id: string, field: string): Promise<OrganizationEntity> {
    const org = await this.directory.findOrganization(id);
    if (!org) throw new UnprocessableEntityException(`${field}: организация «${id}» не найдена в справочнике`);
    return org;
  }

  private async requireTask(id: string): Promise<TaskEntity> {
    const task = await this.tasks.find(id);
    if (!task) throw new NotFoundException(`Задача «${id}» не найдена`);
    return task;
  }

  /**
   * A task is visible to whoever may read its assignee, its supervisor or the organisation it is about, and to the
   * curators of its school in its cycle (AccessPolicy.taskReadBasis); for anyone else it is refused with the reason their role gives (not hidden as 404: the id is no secret).
   */
  private async requireReadableTask(user: AuthUser, id: string): Promise<TaskEntity> {
    const task = await this.requireTask(id);
    if (await this.policy.taskReadBasis(user, accessFacts(task))) return task;
    return this.policy.deny(user, this.policy.scopeReason(user), {
      action: `просмотр задачи «${task.id}»`,
      taskId: task.id,
      organizationId: task.assigneeOrganizationId,
    });
  }

  /** The deciding official: a ministry administrator or reviewer of the supervising organisation, or their deputy. */
  private requireSupervisor(user: AuthUser, task: TaskEntity, what: string): string {
    const supervisor = task.supervisorOrganizationId;
    const own = SUPERVISING_ROLES.includes(user.role) && user.organizationId === supervisor;
    const deputising = user.actingFor.some((p) => p.organizationId === supervisor && SUPERVISING_ROLES.includes(p.role));
    if (own || deputising) return user.email;
    return this.policy.deny(
      user,
      `Продлевать срок, передавать и отменять задачу могут только администратор или специалист курирующей организации «${supervisor}»`,
      { action: `${what} «${task.id}»`, taskId: task.id, organizationId: supervisor },
    );
  }
}

/** What the access rules read of a task. */
function accessFacts(task: TaskEntity): TaskAccessFacts {
  return {
    assigneeOrganizationId: task.assigneeOrganizationId,
    supervisorOrganizationId: task.supervisorOrganizationId,
    context: task.snapshot.context,
  };
}

/** A date without a time means the end of that working day, as officials write «до 15 декабря». */
function withDefaultTime(value: string, options: CalendarOptions = {}): string {
  return value.length === 10 ? `${value}T${endOfWorkingDay(value, options)}` : value;
}

/** The same request twice derives the same key, so a double submission is refused instead of duplicated. */
function derivedTaskId(organizationId: string, localDateTime: string, title: string): string {
  const digest = createHash('sha256').update(title.trim().toLowerCase()).digest('hex').slice(0, 10);
  return `${organizationId}.${localDateTime.slice(0, 10).replace(/-/g, '')}.${digest}`;
}
