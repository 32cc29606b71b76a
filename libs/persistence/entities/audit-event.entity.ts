import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Append-only (a trigger refuses UPDATE and DELETE) and hash-chained: write only through AuditLogRepository.append,
 * which assigns chain_seq, prev_hash and hash (libs/audit/audit-chain.ts).
 */
@Entity({ name: 'audit_events' })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  /** Global, gapless order of the whole log (bigint as a string). */
  @Column({ name: 'chain_seq', type: 'bigint', unique: true })
  chainSeq!: string;

  /** The previous entry's hash; null for the first entry. */
  @Column({ name: 'prev_hash', type: 'char', length: 64, nullable: true })
  prevHash!: string | null;

  @Column({ type: 'char', length: 64 })
  hash!: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 40 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 200 })
  subjectId!: string;

  /** Per-subject sequence number: the idempotency key of a retried projection. Null for one-off entries. */
  @Column({ type: 'integer', nullable: true })
  seq!: number | null;

  @Column({ type: 'varchar', length: 60 })
  type!: string;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'cycle_id', type: 'varchar', length: 100, nullable: true })
  cycleId!: string | null;

  /** Every organisation the entry concerns, sorted: what organisation-scoped reads and exports filter on. */
  @Column({ name: 'organization_ids', type: 'text', array: true, default: () => "'{}'" })
  organizationIds!: string[];

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
