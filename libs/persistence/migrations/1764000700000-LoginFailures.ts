import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed log-ins per e-mail, so that repeated wrong passwords lock the e-mail's log-in for a while and a restart of
 * the API does not reset the count. Keyed by the e-mail as typed (lower-cased), whether or not a person has it: an
 * unknown e-mail is counted and locked the same way, so the answers do not tell which e-mails exist. Text rather than
 * varchar(254): lower-casing may lengthen an e-mail the log-in accepted (one «İ» becomes two characters). A row whose
 * window and lock are both over is deleted as new failures are recorded.
 */
export class LoginFailures1764000700000 implements MigrationInterface {
  name = 'LoginFailures1764000700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE login_failures (
        email text PRIMARY KEY CHECK (length(email) <= 1000),
        failures integer NOT NULL CHECK (failures > 0),
        window_started_at timestamptz NOT NULL,
        last_failure_at timestamptz NOT NULL,
        locked_until timestamptz
      )`);
    await q.query(`CREATE INDEX login_failures_last_failure_at ON login_failures (last_failure_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE login_failures`);
  }
}
