import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

export type AgreementStatus = 'proposed' | 'signed' | 'cancelled';

/** Each party's confirmation: 'school', 'partner', 'municipality' → who and when. */
export type AgreementConfirmations = Record<string, { by: string; at: string }>;

/** A partner agreement of a cycle: a school, its partner school and the proposing municipality; signed when all three confirm. */
@Entity({ name: 'agreements' })
@Unique(['cycleId', 'schoolId', 'partnerSchoolId'])
@Index('agreements_partner', ['partnerSchoolId', 'status'])
export class AgreementEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  @Column({ name: 'step_key', type: 'varchar', length: 120 })
  stepKey!: string;

  @Column({ name: 'municipality_id', type: 'varchar', length: 64 })
  municipalityId!: string;

  @Column({ name: 'school_id', type: 'varchar', length: 64 })
  schoolId!: string;

  @Column({ name: 'partner_school_id', type: 'varchar', length: 64 })
  partnerSchoolId!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: AgreementStatus;

  @Column({ name: 'proposal_submission_id', type: 'uuid', nullable: true })
  proposalSubmissionId!: string | null;

  @Column({ name: 'proposed_by', type: 'varchar', length: 200 })
  proposedBy!: string;

  @Column({ name: 'proposed_at', type: 'timestamptz', default: () => 'now()' })
  proposedAt!: Date;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  confirmations!: AgreementConfirmations;

  @Column({ name: 'document_id', type: 'uuid', nullable: true })
  documentId!: string | null;

  @Column({ name: 'signed_at', type: 'timestamptz', nullable: true })
  signedAt!: Date | null;
}
