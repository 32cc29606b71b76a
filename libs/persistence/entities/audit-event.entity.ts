import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Append-only: rows are inserted, never updated or deleted. */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 40 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 200 })
  subjectId!: string;

  /** Per-subject sequence number: the idempotency key of a retried projection. */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 60 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
