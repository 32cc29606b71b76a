import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type RemarkStatus = 'open' | 'answered' | 'accepted';

/** A reviewer's remark on a submission version, answered in a later version and accepted by the reviewer. */
@Entity({ name: 'remarks' })
@Index('remarks_subject', ['cycleId', 'stepKey', 'subjectOrganizationId'])
export class RemarkEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  @Column({ name: 'submission_id', type: 'uuid' })
  submissionId!: string;

  @Column({ name: 'step_key', type: 'varchar', length: 120 })
  stepKey!: string;

  @Column({ name: 'subject_organization_id', type: 'varchar', length: 64 })
  subjectOrganizationId!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: RemarkStatus;

  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'text', nullable: true })
  answer!: string | null;

  @Column({ name: 'answered_by', type: 'varchar', length: 200, nullable: true })
  answeredBy!: string | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  @Column({ name: 'answered_in_submission_id', type: 'uuid', nullable: true })
  answeredInSubmissionId!: string | null;

  @Column({ name: 'accepted_by', type: 'varchar', length: 200, nullable: true })
  acceptedBy!: string | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;
}
