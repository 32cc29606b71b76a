import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What a four-eyes request asks for: see CycleActionRequestRepository. */
export type CycleActionKind = 'launch' | 'cancel' | 'extend_stage';
export const CYCLE_ACTION_KINDS: CycleActionKind[] = ['launch', 'cancel', 'extend_stage'];

/**
 * pending: waiting for a second person (or again after a failed run); executing: confirmed, the command is running;
 * confirmed: done; refused, withdrawn, expired: closed without running.
 */
export type CycleActionStatus = 'pending' | 'executing' | 'confirmed' | 'refused' | 'withdrawn' | 'expired';
export const CYCLE_ACTION_STATUSES: CycleActionStatus[] = ['pending', 'executing', 'confirmed', 'refused', 'withdrawn', 'expired'];

/**
 * A launch, a cancellation or a deadline override for everyone, waiting for a second person of the ministry to
 * confirm it (four eyes). `payload` is the validated command as it will run.
 */
@Entity({ name: 'cycle_action_requests' })
export class CycleActionRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: CycleActionKind;

  @Column({ name: 'region_code', type: 'varchar', length: 20 })
  regionCode!: string;

  @Column({ name: 'ministry_id', type: 'varchar', length: 64 })
  ministryId!: string;

  /** The cycle acted on; for a launch, the id the cycle will have. */
  @Column({ name: 'cycle_id', type: 'varchar', length: 100 })
  cycleId!: string;

  @Column({ name: 'target_key', type: 'varchar', length: 400 })
  targetKey!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @Column({ type: 'jsonb', nullable: true })
  summary!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'varchar', length: 20 })
  status!: CycleActionStatus;

  @Column({ name: 'requested_by', type: 'varchar', length: 254 })
  requestedBy!: string;

  @Column({ name: 'requested_by_person_id', type: 'uuid' })
  requestedByPersonId!: string;

  @Column({ name: 'requested_by_name', type: 'varchar', length: 200 })
  requestedByName!: string;

  @Column({ name: 'requested_at', type: 'timestamptz' })
  requestedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'decided_by', type: 'varchar', length: 254, nullable: true })
  decidedBy!: string | null;

  @Column({ name: 'decided_by_person_id', type: 'uuid', nullable: true })
  decidedByPersonId!: string | null;

  @Column({ name: 'decided_by_name', type: 'varchar', length: 200, nullable: true })
  decidedByName!: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason!: string | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'attempt_started_at', type: 'timestamptz', nullable: true })
  attemptStartedAt!: Date | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true })
  lastErrorAt!: Date | null;
}
