import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { TaskSnapshot, TaskStatus } from '../../contracts/deadline-task';

/** The read model of a deadline task: written only by the projection, queried by inboxes. */
@Entity({ name: 'tasks' })
export class TaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 120 })
  id!: string;

  @Column({ name: 'workflow_id', type: 'varchar', length: 200 })
  workflowId!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: TaskStatus;

  @Column({ name: 'assignee_organization_id', type: 'varchar', length: 64 })
  assigneeOrganizationId!: string;

  @Column({ name: 'supervisor_organization_id', type: 'varchar', length: 64 })
  supervisorOrganizationId!: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ name: 'time_zone', type: 'varchar', length: 64 })
  timeZone!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  /** The projection applies a snapshot only when its version is newer, so out-of-order retries cannot regress it. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  snapshot!: TaskSnapshot;

  /** snapshot.attention is set: a change of the task was not stored (computed by PostgreSQL, never written). */
  @Column({ name: 'needs_attention', type: 'boolean', insert: false, update: false, select: true })
  needsAttention!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
