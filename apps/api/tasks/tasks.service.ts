import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
  type HttpException,
} from '@nestjs/common';
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  isGrpcDeadlineError,
  isGrpcServiceError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import {
  cancelTaskUpdate,
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  DEFAULT_NOTIFICATION_POLICY,
  extendTaskUpdate,
  reassignTaskUpdate,
  TaskRejection,
  taskReadyUpdate,
  type DeadlineRequest,
  type DeadlineTaskInput,
  type NotificationPolicy,
  type TaskSnapshot,
} from '../../../libs/contracts/deadline-task';
import { CalendarRangeError, CALENDAR_FIRST_YEAR, CALENDAR_LAST_YEAR, isValidIsoDate } from '../../../libs/domain/calendar';
import { DeadlineError, formatLocal, isValidTimeZone, resolveDeadline, validatePolicy } from '../../../libs/domain/deadline';
import { DirectoryRepository, TaskRepository, type OrganizationEntity, type TaskEntity } from '../../../libs/persistence';
import { TemporalGateway } from '../temporal/temporal-client.module';
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

/** A date without a time means the end of the working day, as officials write «до 15 декабря». */
const DEFAULT_DUE_TIME = '18:00';

@Injectable()
export class TasksService {
  private readonly logger = new Logger(TasksService.name);

  constructor(
    private readonly tasks: TaskRepository,
    private readonly directory: DirectoryRepository,
    private readonly temporal: TemporalGateway,
  ) {}

  async create(dto: CreateTaskDto): Promise<TaskView> {
    const assignee = await this.requireOrganization(dto.assigneeOrganizationId, 'assigneeOrganizationId');
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
    if (!(await this.directory.findPersonAnywhereByEmail(dto.createdBy))) {
      throw new UnprocessableEntityException(`Сотрудник с адресом ${dto.createdBy} не найден в справочнике`);
    }
    const policy: NotificationPolicy = dto.policy
      ? { reminders: dto.policy.reminders.map((r) => ({ ...r })), escalations: dto.policy.escalations.map((e) => ({ ...e })) }
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
      createdBy: dto.createdBy.toLowerCase(),
    };
    try {
      const handle = await this.temporal.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
        taskQueue: this.temporal.taskQueue,
        workflowId: deadlineTaskWorkflowId(taskId),
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      const snapshot = await this.temporal.withinUpdateDeadline(() => handle.executeUpdate(taskReadyUpdate));
      return this.view(snapshot);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new ConflictException(`Задача с ключом «${taskId}» уже существует`);
      }
      if (isGrpcDeadlineError(err)) {
        // The workflow is started and durable; only its worker is not answering yet.
        throw new ServiceUnavailableException(
          `Задача «${taskId}» принята, но обработчик задач сейчас не отвечает; она появится в списке, как только он заработает`,
        );
      }
      throw this.unavailableOr(err);
    }
  }

  async list(query: ListTasksQueryDto): Promise<TaskListView> {
    // new Date() rolls a day past the month's end over ('2026-02-30' becomes 2 March) instead of refusing it.
    const toDate = (value: string) => (isValidIsoDate(value.slice(0, 10)) ? new Date(value) : new Date(NaN));
    const dueFrom = query.dueFrom ? toDate(query.dueFrom) : undefined;
    const dueTo = query.dueTo ? toDate(query.dueTo) : undefined;
    for (const [name, value] of [['dueFrom', dueFrom], ['dueTo', dueTo]] as const) {
      if (value && Number.isNaN(value.getTime())) throw new BadRequestException(`${name}: несуществующая дата`);
    }
    const { items, total } = await this.tasks.list({
      organizationId: query.organizationId,
      status: query.status,
      dueFrom,
      dueTo,
      limit: query.limit,
      offset: query.offset,
    });
    const orgs = await this.directory.findOrganizations(
      items.flatMap((t) => [t.assigneeOrganizationId, t.supervisorOrganizationId]),
    );
    const now = new Date();
    return { items: items.map((t) => mapTask(t.snapshot, orgs, now)), total, limit: query.limit, offset: query.offset };
  }

  async get(id: string): Promise<TaskDetailView> {
    const task = await this.requireTask(id);
    const [view, timeline] = await Promise.all([this.view(task.snapshot), this.tasks.timeline(id)]);
    return {
      ...view,
      timeline: timeline.events.map(mapTimelineEvent),
      notifications: timeline.notifications.map(mapNotification),
    };
  }

  async complete(id: string, dto: CompleteTaskDto): Promise<CompletionView> {
    const task = await this.requireTask(id);
    const person = await this.directory.findPersonByEmail(task.assigneeOrganizationId, dto.completedBy);
    if (!person) {
      throw new UnprocessableEntityException(
        `${dto.completedBy} не является сотрудником организации-исполнителя «${task.assigneeOrganizationId}»`,
      );
    }
    this.assertOpen(task);
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    const result = await this.update(task, () =>
      handle.executeUpdate(completeTaskUpdate, {
        args: [{ completedBy: person.email, result: { comment: dto.comment, documentUrl: dto.documentUrl } }],
      }),
    );
    return { ...result, task: await this.view((await this.requireTask(id)).snapshot) };
  }

  async extend(id: string, dto: ExtendTaskDto): Promise<TaskView> {
    const task = await this.requireTask(id);
    const decidedBy = await this.requireSupervisorPerson(task, dto.decidedBy);
    this.assertOpen(task);
    const localDateTime = withDefaultTime(dto.dueAt);
    this.checkDeadline({ ...task.snapshot.deadline.requested, localDateTime });
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    await this.update(task, () =>
      handle.executeUpdate(extendTaskUpdate, { args: [{ localDateTime, reason: dto.reason, decidedBy }] }),
    );
    // The Update returns only after its projection is stored, so the read model is already current.
    return this.view((await this.requireTask(id)).snapshot);
  }

  async reassign(id: string, dto: ReassignTaskDto): Promise<TaskView> {
    const task = await this.requireTask(id);
    const decidedBy = await this.requireSupervisorPerson(task, dto.decidedBy);
    const target = await this.requireOrganization(dto.organizationId, 'organizationId');
    this.assertOpen(task);
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    const snapshot = await this.update(task, () =>
      handle.executeUpdate(reassignTaskUpdate, { args: [{ organizationId: target.id, reason: dto.reason, decidedBy }] }),
    );
    return this.view(snapshot);
  }

  async cancel(id: string, dto: CancelTaskDto): Promise<TaskView> {
    const task = await this.requireTask(id);
    const cancelledBy = await this.requireSupervisorPerson(task, dto.cancelledBy);
    this.assertOpen(task);
    const handle = this.temporal.client.workflow.getHandle(task.workflowId);
    const snapshot = await this.update(task, () =>
      handle.executeUpdate(cancelTaskUpdate, { args: [{ reason: dto.reason, cancelledBy }] }),
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

  private async requireSupervisorPerson(task: TaskEntity, email: string): Promise<string> {
    const person = await this.directory.findPersonByEmail(task.supervisorOrganizationId, email);
    if (!person) {
      throw new UnprocessableEntityException(
        `${email} не является сотрудником курирующей организации «${task.supervisorOrganizationId}»`,
      );
    }
    return person.email;
  }

  private assertOpen(task: TaskEntity): void {
    const snapshot = task.snapshot;
    if (snapshot.status === 'completed' && snapshot.completedAt) {
      throw new ConflictException(
        `Задача уже выполнена ${formatLocal(snapshot.completedAt, snapshot.deadline.requested.timeZone)}; повторное действие не требуется`,
      );
    }
    if (snapshot.status === 'cancelled') {
      throw new ConflictException(`Задача отменена${snapshot.cancelReason ? `: ${snapshot.cancelReason}` : ''}`);
    }
  }

  /** Runs an Update and turns the workflow's refusals into the HTTP answers they mean. */
  private async update<T>(task: TaskEntity, run: () => Promise<T>): Promise<T> {
    try {
      return await this.temporal.withinUpdateDeadline(run);
    } catch (err) {
      if (isGrpcDeadlineError(err)) {
        throw new ServiceUnavailableException('Обработчик задач сейчас не отвечает; действие может быть выполнено позже — проверьте состояние задачи, прежде чем повторять');
      }
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        const message = err.cause.message;
        switch (err.cause.type) {
          case TaskRejection.alreadyCompleted:
          case TaskRejection.cancelled:
            throw new ConflictException(message);
          case TaskRejection.invalidPayload:
            throw new UnprocessableEntityException(message);
          default:
            break;
        }
      }
      if (err instanceof WorkflowNotFoundError) {
        // The workflow closed between our read and the Update: the projection is about to say how.
        const fresh = await this.tasks.find(task.id);
        if (fresh) this.assertOpen(fresh);
        throw new ConflictException('Задача уже закрыта');
      }
      throw this.unavailableOr(err);
    }
  }

  private unavailableOr(err: unknown): HttpException | unknown {
    if (isGrpcServiceError(err) || (err instanceof Error && /UNAVAILABLE|DEADLINE_EXCEEDED|connect/i.test(err.message))) {
      this.logger.error(`Temporal unavailable: ${(err as Error).message}`);
      return new ServiceUnavailableException('Сервис процессов временно недоступен; повторите попытку позже');
    }
    return err;
  }
}

function withDefaultTime(value: string): string {
  return value.length === 10 ? `${value}T${DEFAULT_DUE_TIME}` : value;
}

/** The same request twice derives the same key, so a double submission is refused instead of duplicated. */
function derivedTaskId(organizationId: string, localDateTime: string, title: string): string {
  const digest = createHash('sha256').update(title.trim().toLowerCase()).digest('hex').slice(0, 10);
  return `${organizationId}.${localDateTime.slice(0, 10).replace(/-/g, '')}.${digest}`;
}
