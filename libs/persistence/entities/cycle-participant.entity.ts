import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ParticipantOutcomeValue = 'continues' | 'leaves' | 'internship_site';

/**
 * A school of a cycle's approved list, or one the ministry decided to leave out (included = false, with the reason):
 * the list is exactly what the ministry saw and decided. The outcome is decided at the cycle's end.
 */
@Entity({ name: 'cycle_participants' })
export class CycleParticipantEntity {
  @PrimaryColumn({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  @PrimaryColumn({ name: 'school_id', type: 'varchar', length: 64 })
  schoolId!: string;

  /** The municipality the list records for the school (its supervisor in the cycle). */
  @Column({ name: 'municipality_id', type: 'varchar', length: 64 })
  municipalityId!: string;

  @Column({ type: 'varchar', length: 20, nullable: true })
  category!: string | null;

  @Column({ type: 'integer', nullable: true })
  rank!: number | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  reasons!: string[];

  @Column({ type: 'boolean' })
  included!: boolean;

  @Column({ name: 'manual_reason', type: 'text', nullable: true })
  manualReason!: string | null;

  @Column({ name: 'decided_by', type: 'varchar', length: 200 })
  decidedBy!: string;

  @Column({ name: 'decided_at', type: 'timestamptz', default: () => 'now()' })
  decidedAt!: Date;

  @Column({ type: 'varchar', length: 20, nullable: true })
  outcome!: ParticipantOutcomeValue | null;

  @Column({ name: 'outcome_reason', type: 'text', nullable: true })
  outcomeReason!: string | null;

  @Column({ name: 'outcome_by', type: 'varchar', length: 200, nullable: true })
  outcomeBy!: string | null;

  @Column({ name: 'outcome_at', type: 'timestamptz', nullable: true })
  outcomeAt!: Date | null;
}
