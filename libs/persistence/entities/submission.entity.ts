import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One version of what an organisation handed in for a cycle step (a plan, a programme, a report, a practice
 * description): one row per completed task, versions counted per step, subject and period.
 */
@Entity({ name: 'submissions' })
@Index('submissions_subject', ['cycleId', 'stepKey', 'subjectOrganizationId', 'version'])
export class SubmissionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  @Column({ name: 'task_id', type: 'varchar', length: 120, unique: true })
  taskId!: string;

  @Column({ name: 'stage_id', type: 'varchar', length: 100 })
  stageId!: string;

  @Column({ name: 'step_key', type: 'varchar', length: 120 })
  stepKey!: string;

  @Column({ type: 'varchar', length: 40 })
  action!: string;

  /** Who handed it in. */
  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId!: string;

  /** Whom it is about (a school's plan may be handed in by the school itself or reviewed for it). */
  @Column({ name: 'subject_organization_id', type: 'varchar', length: 64 })
  subjectOrganizationId!: string;

  /** The monitoring period; null outside monitoring. */
  @Column({ name: 'period_id', type: 'varchar', length: 40, nullable: true })
  periodId!: string | null;

  @Column({ type: 'integer', default: 1 })
  round!: number;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'document_id', type: 'uuid', nullable: true })
  documentId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  form!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @Column({ name: 'submitted_by', type: 'varchar', length: 200 })
  submittedBy!: string;

  @Column({ name: 'submitted_at', type: 'timestamptz', default: () => 'now()' })
  submittedAt!: Date;
}
