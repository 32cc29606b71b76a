import type { DataSource } from 'typeorm';
import { NotificationEntity, TaskEntity, type NotificationRecipient, type NotificationStatus } from '../entities';
import type { NotificationKind } from '../../contracts/deadline-task';

export interface OutboxMessage {
  taskId: string;
  stepKey: string;
  kind: NotificationKind;
  target: string;
  messageId: string;
  recipients: NotificationRecipient[];
  subject: string;
  bodyText: string;
  bodyHtml: string;
  status: NotificationStatus;
}

/** One row per (task, step): the first writer decides the message, every retry re-reads it. */
export class NotificationOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(NotificationEntity);
  }

  async find(taskId: string, stepKey: string): Promise<NotificationEntity | null> {
    return this.rows.findOneBy({ taskId, stepKey });
  }

  /** Stores the message unless the step already has one, and returns the stored row. */
  async reserve(message: OutboxMessage): Promise<NotificationEntity> {
    await this.rows.createQueryBuilder().insert().values(message).orIgnore().execute();
    const stored = await this.find(message.taskId, message.stepKey);
    if (!stored) throw new Error(`outbox row for ${message.taskId}/${message.stepKey} vanished after insert`);
    return stored;
  }

  async recordAttempt(id: string, error: string | null): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .update()
      .set({ attempts: () => 'attempts + 1', lastError: error })
      .where('id = :id', { id })
      .execute();
  }

  async markSent(id: string): Promise<void> {
    await this.rows
      .createQueryBuilder()
      .update()
      .set({ status: 'sent', sentAt: () => 'now()', lastError: null })
      .where('id = :id AND status = :pending', { id, pending: 'pending' })
      .execute();
  }

  /**
   * How many escalations the outbox recorded per task of a cycle (task id → count; tasks without any are absent),
   * whatever their delivery state: an escalation was needed once its row exists. The copy an escalation's curators
   * get (target 'curator_copy', CURATOR_COPY_TARGET in activities/task-activities.ts) is the same escalation again.
   */
  async escalationCountsOfCycle(cycleId: string): Promise<Map<string, number>> {
    if (!cycleId) return new Map();
    const rows: { taskId: string; count: string }[] = await this.rows
      .createQueryBuilder('n')
      .select('n.task_id', 'taskId')
      .addSelect('count(*)', 'count')
      .innerJoin(TaskEntity, 't', 't.id = n.task_id')
      .where(`t.snapshot->'context'->>'cycleId' = :cycleId`, { cycleId })
      .andWhere('n.kind = :kind', { kind: 'escalation' })
      // A curator's copy, and the same escalation sent on to others after the relay refused its addressees, are one
      // escalation, not two.
      .andWhere('n.target NOT IN (:...others)', { others: ['curator_copy', 'fallback'] })
      .groupBy('n.task_id')
      .getRawMany();
    return new Map(rows.map((r) => [r.taskId, Number(r.count)]));
  }

  /** The messages of these tasks in the order they went out (unsent ones by when they were queued). */
  async listByTaskIds(
    taskIds: string[],
  ): Promise<Pick<NotificationEntity, 'taskId' | 'kind' | 'stepKey' | 'target' | 'subject' | 'messageId' | 'recipients' | 'status' | 'sentAt'>[]> {
    if (taskIds.length === 0) return [];
    const rows: {
      task_id: string;
      kind: NotificationEntity['kind'];
      step_key: string;
      target: string;
      subject: string;
      message_id: string;
      recipients: NotificationRecipient[];
      status: NotificationStatus;
      sent_at: Date | null;
    }[] = await this.dataSource.query(
      `SELECT task_id, kind, step_key, target, subject, message_id, recipients, status, sent_at
         FROM notifications WHERE task_id = ANY($1::varchar[]) ORDER BY coalesce(sent_at, created_at), id`,
      [taskIds],
    );
    return rows.map((n) => ({
      taskId: n.task_id,
      kind: n.kind,
      stepKey: n.step_key,
      target: n.target,
      subject: n.subject,
      messageId: n.message_id,
      recipients: n.recipients,
      status: n.status,
      sentAt: n.sent_at,
    }));
  }

  /**
   * The outbox by delivery state, for the metrics endpoint: `sent`, `no_recipients`, `waiting` (queued, not yet
   * tried or last tried without an error) and `failed` (queued, its last attempt failed: Temporal retries it, or gave up).
   */
  async countsByState(): Promise<Record<'sent' | 'no_recipients' | 'waiting' | 'failed', number>> {
    const rows: { state: 'sent' | 'no_recipients' | 'waiting' | 'failed'; count: string }[] = await this.dataSource.query(
      `SELECT CASE WHEN status = 'pending' THEN (CASE WHEN last_error IS NULL THEN 'waiting' ELSE 'failed' END)
                   ELSE status END AS state,
              count(*) AS count
         FROM notifications GROUP BY 1`,
    );
    const counts = { sent: 0, no_recipients: 0, waiting: 0, failed: 0 };
    for (const row of rows) if (row.state in counts) counts[row.state] = Number(row.count);
    return counts;
  }
}
