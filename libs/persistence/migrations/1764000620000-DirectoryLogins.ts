import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ministry administrator manages log-ins from the directory. A withdrawn log-in keeps its role and password
 * (login_disabled_at set), so giving it back restores the same log-in and its e-mail stays reserved by the unique
 * index on log-in e-mails. password_set_at is when the current password was set, for the administrator to see (a
 * new password ends the person's sessions, which is what makes the old one's tokens useless).
 */
export class DirectoryLogins1764000620000 implements MigrationInterface {
  name = 'DirectoryLogins1764000620000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE people
        ADD COLUMN login_disabled_at timestamptz,
        ADD COLUMN password_set_at timestamptz,
        ADD CONSTRAINT people_disabled_needs_login CHECK (login_disabled_at IS NULL OR password_hash IS NOT NULL)`);
    // The passwords already stored were set no later than their people were added.
    await q.query(`UPDATE people SET password_set_at = created_at WHERE password_hash IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE people
        DROP CONSTRAINT people_disabled_needs_login,
        DROP COLUMN password_set_at,
        DROP COLUMN login_disabled_at`);
  }
}
