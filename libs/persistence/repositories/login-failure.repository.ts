import { LessThan, MoreThan, type DataSource } from 'typeorm';
import { LoginFailureEntity } from '../entities/login-failure.entity';

/** How failures are counted: `maxFailures` within `windowSeconds` lock the log-in for `lockoutSeconds`. */
export interface LoginFailurePolicy {
  maxFailures: number;
  windowSeconds: number;
  lockoutSeconds: number;
}

/**
 * Failed log-ins per e-mail, persisted so a restart does not forgive them. The e-mail is the account as typed
 * (lower-cased), known or not: counting unknown ones too keeps the answers from telling which e-mails exist.
 */
export class LoginFailureRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(LoginFailureEntity);
  }

  /** Until when the e-mail's log-in is locked at `now`; null when it is not. */
  async lockedUntil(email: string, now: Date = new Date()): Promise<Date | null> {
    const row = await this.rows.findOneBy({ email: email.toLowerCase(), lockedUntil: MoreThan(now) });
    return row?.lockedUntil ?? null;
  }

  /**
   * Counts one more wrong password, in one statement so that concurrent attempts cannot both slip under the limit:
   * a new window starts when the previous one is over, and reaching `maxFailures` sets the lock. Returns the lock's
   * end when the log-in is now locked.
   */
  async recordFailure(email: string, policy: LoginFailurePolicy, now: Date = new Date()): Promise<Date | null> {
    // Rows neither counting nor locking any more (the table stays as small as the recent attacks).
    const stale = new Date(now.getTime() - Math.max(policy.windowSeconds, policy.lockoutSeconds) * 1000);
    await this.rows.delete({ lastFailureAt: LessThan(stale) });
    const rows = (await this.dataSource.query(
      `INSERT INTO login_failures AS f (email, failures, window_started_at, last_failure_at, locked_until)
       VALUES ($1, 1, $2, $2, CASE WHEN $3::int <= 1 THEN $2::timestamptz + make_interval(secs => $5) END)
       ON CONFLICT (email) DO UPDATE SET
         failures = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN 1 ELSE f.failures + 1 END,
         window_started_at = CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4)
                                  THEN $2::timestamptz ELSE f.window_started_at END,
         last_failure_at = $2,
         locked_until = CASE
           WHEN f.locked_until > $2 THEN f.locked_until
           WHEN (CASE WHEN f.window_started_at <= $2::timestamptz - make_interval(secs => $4) THEN 1 ELSE f.failures + 1 END) >= $3
             THEN $2::timestamptz + make_interval(secs => $5)
         END
       RETURNING locked_until`,
      [email.toLowerCase(), now, policy.maxFailures, policy.windowSeconds, policy.lockoutSeconds],
    )) as { locked_until: Date | null }[];
    return rows[0]?.locked_until ?? null;
  }

  /** Forgets the e-mail's failures (a successful log-in). */
  async clear(email: string): Promise<void> {
    await this.rows.delete({ email: email.toLowerCase() });
  }
}
