import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TaskRejection, type TaskSnapshot } from '../../../libs/contracts/deadline-task';
import { formatLocal } from '../../../libs/domain/deadline';
import { TaskRepository } from '../../../libs/persistence';
import { currentIdempotentOperation } from '../common/idempotent-operation';
import { temporalOutageOr } from './temporal-errors';
import { TemporalGateway } from './temporal-gateway';

// The Update may still be applied once a worker picks it up, so a blind retry could act twice.
const TASK_UPDATE_UNANSWERED =
  'Обработчик задач сейчас не отвечает; действие может быть выполнено позже — ' +
  'проверьте состояние задачи, прежде чем повторять';

/** 409 when the task is closed, with when or why; the same words wherever a task is acted on. */
export function assertTaskOpen(snapshot: TaskSnapshot): void {
  if (snapshot.status === 'completed') {
    const when = snapshot.completedAt ? ` ${formatLocal(snapshot.completedAt, snapshot.deadline.requested.timeZone)}` : '';
    throw new ConflictException(`Задача уже выполнена${when}; повторное действие не требуется`);
  }
  if (snapshot.status === 'cancelled') {
    throw new ConflictException(`Задача отменена${snapshot.cancelReason ? `: ${snapshot.cancelReason}` : ''}`);
  }
}

/**
 * The pre-check before an Update that acts on the task: assertTaskOpen, except for a request resuming an attempt
 * whose API process died (IdempotentOperation.resumed), which may have closed the task itself. Its Update, sent under
 * the same id (TaskUpdates.run), then answers with that attempt's outcome; and the workflow still refuses a task
 * closed otherwise.
 */
export function assertTaskOpenToAct(snapshot: TaskSnapshot): void {
  if (currentIdempotentOperation()?.resumed) return;
  assertTaskOpen(snapshot);
}

/**
 * Runs Updates on deadline-task workflows and turns the workflow's refusals, or its silence, into the HTTP answers
 * they mean.
 */
@Injectable()
export class TaskUpdates {
  constructor(
    private readonly temporal: TemporalGateway,
    private readonly tasks: TaskRepository,
  ) {}

  /**
   * `run` sends the Update under `updateId`: the request's IdempotentOperation id when it has an `Idempotency-Key`, so
   * that every attempt of one request is one Update to Temporal, carried out once and answered with its outcome
   * (even once the workflow has closed); otherwise undefined (a random id).
   */
  async run<T>(taskId: string, run: (updateId: string | undefined) => Promise<T>): Promise<T> {
    const updateId = currentIdempotentOperation()?.id;
    try {
      return await this.temporal.withinUpdateDeadline(() => run(updateId));
    } catch (err) {
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
        const fresh = await this.tasks.find(taskId);
        if (fresh) assertTaskOpen(fresh.snapshot);
        throw new ConflictException('Задача уже закрыта');
      }
      throw temporalOutageOr(err, TASK_UPDATE_UNANSWERED);
    }
  }
}
