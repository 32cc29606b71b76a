import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A closed workflow run's full event history, kept after Temporal's retention deletes it. `history` is the proto3
 * JSON that `temporal workflow show --output json` prints, so historyFromJSON and the replayer read it back as is.
 */
@Entity({ name: 'workflow_histories' })
export class WorkflowHistoryEntity {
  @PrimaryColumn({ name: 'workflow_id', type: 'varchar', length: 300 })
  workflowId!: string;

  @PrimaryColumn({ name: 'run_id', type: 'varchar', length: 64 })
  runId!: string;

  @Column({ name: 'workflow_type', type: 'varchar', length: 200 })
  workflowType!: string;

  /** Temporal's execution status name: COMPLETED, FAILED, CANCELLED, TERMINATED, CONTINUED_AS_NEW, TIMED_OUT. */
  @Column({ type: 'varchar', length: 40 })
  status!: string;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'close_time', type: 'timestamptz', nullable: true })
  closeTime!: Date | null;

  @Column({ name: 'event_count', type: 'integer' })
  eventCount!: number;

  /** Not selected by summary listings: a task's history is tens of kilobytes, a cycle has thousands of them. */
  @Column({ type: 'jsonb', select: false })
  history!: { events: unknown[] };

  @Column({ name: 'archived_at', type: 'timestamptz', default: () => 'now()' })
  archivedAt!: Date;
}
