import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A curator of a participant school in one cycle («куратор школы»): a person of the region's institute or of a
 * partner school, named by the ministry on a stated basis. The curator reads the school's tasks of the cycle and
 * receives a copy of their escalations. Removal keeps the row (removed_at, removed_by, removal_reason) for auditors.
 */
@Entity({ name: 'curatorships' })
export class CuratorshipEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  /** The curated participant school. */
  @Column({ name: 'school_id', type: 'varchar', length: 64 })
  schoolId!: string;

  @Column({ name: 'curator_person_id', type: 'uuid' })
  curatorPersonId!: string;

  /** The curator's organisation when named (the institute, or the partner school). */
  @Column({ name: 'curator_organization_id', type: 'varchar', length: 64 })
  curatorOrganizationId!: string;

  /** Why this person: the order, roadmap clause or agreement the ministry cites. */
  @Column({ type: 'varchar', length: 1000 })
  basis!: string;

  /** E-mail of the ministry administrator who named the curator. */
  @Column({ name: 'named_by', type: 'varchar', length: 254 })
  namedBy!: string;

  @CreateDateColumn({ name: 'named_at', type: 'timestamptz' })
  namedAt!: Date;

  @Column({ name: 'removed_at', type: 'timestamptz', nullable: true })
  removedAt!: Date | null;

  @Column({ name: 'removed_by', type: 'varchar', length: 254, nullable: true })
  removedBy!: string | null;

  @Column({ name: 'removal_reason', type: 'varchar', length: 1000, nullable: true })
  removalReason!: string | null;
}
