import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const EXTENSION_REQUEST_STATUSES = ['pending', 'granted', 'refused'] as const;
export type ExtensionRequestStatus = (typeof EXTENSION_REQUEST_STATUSES)[number];

/**
 * An organisation's request for a later deadline on one of its tasks (table `extension_requests`, migration
 * YearlyCycle): at most one pending per task (a partial unique index), decided by the task's ministry.
 */
@Entity({ name: 'extension_requests' })
export class ExtensionRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'task_id', type: 'varchar', length: 120 })
  taskId!: string;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100, nullable: true })
  cycleId!: string | null;

  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId!: string;

  @Column({ name: 'requested_by', type: 'varchar', length: 200 })
  requestedBy!: string;

  @Column({ type: 'text' })
  reason!: string;

  /** The deadline asked for, as the official wrote it in the task's zone (`2026-12-15T18:00`). */
  @Column({ name: 'proposed_local_date_time', type: 'varchar', length: 19 })
  proposedLocalDateTime!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: ExtensionRequestStatus;

  @Column({ name: 'decided_by', type: 'varchar', length: 200, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decision_basis', type: 'text', nullable: true })
  decisionBasis!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
