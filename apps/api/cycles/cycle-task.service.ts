import { Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import {
  completeTaskUpdate,
  type CompletionResult,
  type TaskAction,
  type TaskContext,
  type TaskSnapshot,
} from '../../../libs/contracts/deadline-task';
import type { FormDefinition } from '../../../libs/contracts/cycle-template';
import type { CycleRecordWrite, CycleTaskRecord, SubmissionWrite } from '../../../libs/contracts/task-record';
import { curatorReadsTask } from '../../../libs/domain/curators';
import { CycleRepository, TaskRepository, type CycleRow } from '../../../libs/persistence';
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

/** What a cycle task's completion hands in: the answer, the rows to store and the audit entry that tells of them. */
export interface CycleTaskHandIn {
  result: CompletionResult;
  /** Ids the API chooses (a submission's, a remark's) are in the writes already, so the result can name them. */
  writes: CycleRecordWrite[];
  auditType: string;
  /** The projection adds what only the database knows (a submission's version, an agreement's id and state). */
  auditData: Record<string, unknown>;
}

/**
 * The submission a task hands in (a version, a report, a proposal of pairs): what the user gave, and where it belongs
 * as the task says. Its version is numbered when it is stored (SubmissionRepository.insertNextVersion).
 */
export function submissionWrite(
  user: AuthUser,
  task: CycleTask,
  handedIn: Pick<SubmissionWrite, 'id' | 'documentId' | 'form' | 'comment'>,
): CycleRecordWrite {
  const { context, snapshot } = task;
  return {
    kind: 'submission',
    submission: {
      id: handedIn.id,
      cycleId: task.cycle.id,
      taskId: snapshot.taskId,
      stageId: context.stageId,
      stepKey: context.stepKey,
      action: context.action,
      organizationId: snapshot.assigneeOrganizationId,
      subjectOrganizationId: context.subjectOrganizationId,
      periodId: context.periodId ?? null,
      round: context.round ?? 1,
      documentId: handedIn.documentId,
      form: handedIn.form,
      comment: handedIn.comment,
      submittedBy: user.email,
    },
  };
}

/**
 * Completing a cycle task hands in what the task asks for (a plan version, a decision, a report). The stored record
 * and the task's completion succeed or fail together: see completeWith.
 */
@Injectable()
export class CycleTaskService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly cycles: CycleRepository,
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
   * Completes the task with the record it hands in. No transaction is held here: the record travels in the
   * completion Update, and the workflow's projection stores it with the task's completion and both audit entries in
   * one transaction before the Update answers (libs/contracts/task-record.ts). The workflow is the source of truth: a
   * refused completion (the task closed meanwhile, data PostgreSQL refuses) stores nothing, and a crash of this
   * process or of the worker after Temporal accepted the Update ends with the record stored once, by the retried
   * projection.
   */
  async completeWith(user: AuthUser, task: CycleTask, handIn: CycleTaskHandIn): Promise<CompletionResult> {
    const record: CycleTaskRecord = {
      kind: 'cycle_record',
      writes: handIn.writes,
      audit: {
        type: handIn.auditType,
        actor: user.email,
        data: handIn.auditData,
        cycleId: task.context.cycleId,
        organizationIds: [...new Set([task.snapshot.assigneeOrganizationId, task.context.subjectOrganizationId])],
      },
    };
    await this.updates.run(task.snapshot.taskId, () =>
      this.temporal.client.workflow
        .getHandle(task.snapshot.workflowId)
        .executeUpdate(completeTaskUpdate, { args: [{ completedBy: user.email, result: handIn.result, record }] }),
    );
    return handIn.result;
  }
}
