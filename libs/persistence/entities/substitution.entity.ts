import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A person's deputy for a period («исполняющий обязанности»): while it is in force (dates inclusive, in the
 * person's organisation's zone) the deputy receives the person's e-mails and may act for the person's organisation.
 */
@Entity({ name: 'substitutions' })
export class SubstitutionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'deputy_person_id', type: 'uuid' })
  deputyPersonId!: string;

  /** YYYY-MM-DD, inclusive. */
  @Column({ name: 'starts_on', type: 'date' })
  startsOn!: string;

  /** YYYY-MM-DD, inclusive. */
  @Column({ name: 'ends_on', type: 'date' })
  endsOn!: string;

  @Column({ type: 'varchar', length: 500 })
  reason!: string;

  /** E-mail of who named the deputy: the person, or a ministry administrator. */
  @Column({ name: 'created_by', type: 'varchar', length: 254 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by', type: 'varchar', length: 254, nullable: true })
  revokedBy!: string | null;
}
