import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TaskRejection, type TaskSnapshot } from '../../../libs/contracts/deadline-task';
import { formatLocal } from '../../../libs/domain/deadline';
import { TaskRepository } from '../../../libs/persistence';
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
 * Runs Updates on deadline-task workflows and turns the workflow's refusals, or its silence, into the HTTP answers
 * they mean.
 */
@Injectable()
export class TaskUpdates {
  constructor(
    private readonly temporal: TemporalGateway,
    private readonly tasks: TaskRepository,
  ) {}

  async run<T>(taskId: string, run: () => Promise<T>): Promise<T> {
    try {
      return await this.temporal.withinUpdateDeadline(run);
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
