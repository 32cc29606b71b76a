import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  completeTaskUpdate,
  type CompletionResult,
  type TaskAction,
  type TaskContext,
  type TaskSnapshot,
} from '../../../libs/contracts/deadline-task';
import type { FormDefinition } from '../../../libs/contracts/cycle-template';
import { curatorReadsTask } from '../../../libs/domain/curators';
import { AuditLogRepository, CycleRepository, TaskRepository, type CycleRow } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import type { AuthUser } from '../auth/auth-user';
import { TemporalGateway } from '../temporal/temporal-client.module';
import { assertTaskOpen, TaskUpdates } from '../temporal/task-updates';

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
    private readonly updates: TaskUpdates,
  ) {}

  /** The open cycle task, checked to be of one of the expected kinds and to be the user's to act on. */
  async requireActionable(user: AuthUser, taskId: string, actions: TaskAction[]): Promise<CycleTask> {
    const task = await this.requireCycleTask(user, taskId);
    if (!actions.includes(task.context.action)) {
      throw new UnprocessableEntityException(
        `Задача «${task.snapshot.title}» — это ${ACTION_TITLES[task.context.action]}; здесь ожидается ${actions.map((a) => ACTION_TITLES[a]).join(' или ')}`,
      );
    }
    await this.access.assertCanActOnTask(user, task.snapshot, `${ACTION_TITLES[task.context.action]}: ${taskId}`);
    assertTaskOpen(task.snapshot);
    return task;
  }

  async requireCycleTask(user: AuthUser, taskId: string): Promise<CycleTask> {
    const entity = await this.tasks.find(taskId);
    if (!entity) throw new NotFoundException(`Задача «${taskId}» не найдена`);
    const snapshot = entity.snapshot;
    const readable =
      (await this.access.canRead(user, snapshot.assigneeOrganizationId)) ||
      (snapshot.context ? await this.access.canRead(user, snapshot.context.subjectOrganizationId) : false) ||
      curatorReadsTask(await this.access.curatedSchools(user), snapshot);
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
      await this.updates.run(task.snapshot.taskId, () =>
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
}
