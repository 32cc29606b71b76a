import {
  ConflictException,
  Injectable,
  NotFoundException,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import { isGrpcDeadlineError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  completeTaskUpdate,
  TaskRejection,
  type CompletionResult,
  type TaskAction,
  type TaskContext,
  type TaskSnapshot,
} from '../../../libs/contracts/deadline-task';
import type { FormDefinition } from '../../../libs/contracts/cycle-template';
import { formatLocal } from '../../../libs/domain/deadline';
import { AuditLogRepository, CycleRepository, TaskRepository, type CycleRow } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { TemporalGateway } from '../temporal/temporal-client.module';

export const ACTION_TITLES: Record<TaskAction, string> = {
  approve_list: 'утверждение списка школ',
  perform: 'исполнение мероприятия',
  submit: 'представление документа',
  review: 'рассмотрение',
  propose_pairs: 'предложение пар школ',
  confirm_agreement: 'подтверждение соглашения',
  report: 'мониторинговый отчёт',
  describe_practice: 'описание практики',
};

export interface CycleTask {
  snapshot: TaskSnapshot;
  context: TaskContext;
  cycle: CycleRow;
}

/**
 * Completing a cycle task hands in what the task asks for (a plan version, a decision, a report). The stored record
 * and the task's completion succeed or fail together: the record is written in a transaction that commits only
 * after the workflow has accepted the completion.
 */
@Injectable()
export class CycleTaskService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tasks: TaskRepository,
    private readonly cycles: CycleRepository,
    private readonly auditLog: AuditLogRepository,
    private readonly access: AccessPolicy,
    private readonly temporal: TemporalGateway,
  ) {}

  /** The open cycle task, checked to be of one of the expected kinds and to be the user's to act on. */
  async requireActionable(user: AuthUser, taskId: string, actions: TaskAction[]): Promise<CycleTask> {
    const task = await this.requireCycleTask(user, taskId);
    if (!actions.includes(task.context.action)) {
      throw new UnprocessableEntityException(
        `Задача «${task.snapshot.title}» — это ${ACTION_TITLES[task.context.action]}; здесь ожидается ${actions.map((a) => ACTION_TITLES[a]).join(' или ')}`,
      );
    }
    this.access.assertCanActFor(user, task.snapshot.assigneeOrganizationId, `${ACTION_TITLES[task.context.action]}: ${taskId}`);
    assertOpen(task.snapshot);
    return task;
  }

  async requireCycleTask(user: AuthUser, taskId: string): Promise<CycleTask> {
    const entity = await this.tasks.find(taskId);
    if (!entity) throw new NotFoundException(`Задача «${taskId}» не найдена`);
    const snapshot = entity.snapshot;
    const readable =
      (await this.access.canRead(user, snapshot.assigneeOrganizationId)) ||
      (snapshot.context ? await this.access.canRead(user, snapshot.context.subjectOrganizationId) : false);
    if (!readable) await this.access.assertCanRead(user, snapshot.assigneeOrganizationId, `задача ${taskId}`);
    if (!snapshot.context) throw new UnprocessableEntityException(`Задача «${taskId}» не относится к циклу программы`);
    const cycle = await this.cycles.findCycle(snapshot.context.cycleId);
    if (!cycle) throw new NotFoundException(`Цикл «${snapshot.context.cycleId}» не найден`);
    return { snapshot, context: snapshot.context, cycle };
  }

  form(cycle: CycleRow, formId: string | undefined): FormDefinition | undefined {
    return formId ? cycle.plan.forms[formId] : undefined;
  }

  /**
   * Writes the task's record with `produce` inside a transaction, completes the task with the result it returns,
   * appends the audit entry and commits. A refused completion (the task closed meanwhile, Temporal down) leaves
   * nothing behind.
   *
   * `produce` must not append to the audit log itself: the chain's lock, held until commit, would block the task's
   * own projection of the completion, which the Update waits for. Return the entry instead.
   */
  async completeWith(
    user: AuthUser,
    task: CycleTask,
    produce: (manager: EntityManager) => Promise<{ result: CompletionResult; auditType: string; auditData: Record<string, unknown> }>,
  ): Promise<CompletionResult> {
    return this.dataSource.transaction(async (manager) => {
      const { result, auditType, auditData } = await produce(manager);
      await this.runUpdate(task.snapshot.taskId, () =>
        this.temporal.client.workflow
          .getHandle(task.snapshot.workflowId)
          .executeUpdate(completeTaskUpdate, { args: [{ completedBy: user.email, result }] }),
      );
      await this.auditLog.append(
        {
          subjectType: 'task',
          subjectId: task.snapshot.taskId,
          type: auditType,
          actor: user.email,
          occurredAt: new Date(),
          data: auditData,
          cycleId: task.context.cycleId,
          organizationIds: [...new Set([task.snapshot.assigneeOrganizationId, task.context.subjectOrganizationId])],
        },
        manager,
      );
      return result;
    });
  }

  /** Runs a Temporal Update and turns its refusals into the HTTP answers they mean. */
  async runUpdate<T>(taskId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.temporal.withinUpdateDeadline(run);
    } catch (err) {
      if (isGrpcDeadlineError(err)) {
        throw new ServiceUnavailableException('Обработчик задач сейчас не отвечает; повторите действие позже');
      }
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === TaskRejection.invalidPayload) throw new UnprocessableEntityException(err.cause.message);
        throw new ConflictException(err.cause.message);
      }
      if (err instanceof WorkflowNotFoundError) throw new ConflictException(`Задача «${taskId}» уже закрыта`);
      throw err;
    }
  }
}

export function assertOpen(snapshot: TaskSnapshot): void {
  if (snapshot.status === 'completed') {
    throw new ConflictException(
      `Задача уже выполнена ${snapshot.completedAt ? formatLocal(snapshot.completedAt, snapshot.deadline.requested.timeZone) : ''}`.trim(),
    );
  }
  if (snapshot.status === 'cancelled') throw new ConflictException(`Задача отменена${snapshot.cancelReason ? `: ${snapshot.cancelReason}` : ''}`);
}
