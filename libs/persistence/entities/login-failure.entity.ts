import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed log-ins for one e-mail (lower-cased) within the current counting window, and until when its log-in is
 * locked after too many. Deleted at a successful log-in; see LoginFailureRepository.
 */
@Entity({ name: 'login_failures' })
export class LoginFailureEntity {
  @PrimaryColumn({ type: 'text' })
  email!: string;

  /** Wrong passwords since `windowStartedAt`. */
  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'window_started_at', type: 'timestamptz' })
  windowStartedAt!: Date;

  @Column({ name: 'last_failure_at', type: 'timestamptz' })
  lastFailureAt!: Date;

  /** Log-in refused until then, whatever the password; null: not locked. */
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil!: Date | null;
}
