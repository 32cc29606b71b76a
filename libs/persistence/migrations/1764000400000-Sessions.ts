import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Browser sessions: the web app's session cookie carries a JWT whose `sid` names a row here, so a log-out ends the
 * session on the server (revoked_at) and a replayed cookie is refused. Rows past their expiry are deleted as new
 * sessions start; a removed person's sessions go with them.
 */
export class Sessions1764000400000 implements MigrationInterface {
  name = 'Sessions1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE INDEX sessions_person ON sessions (person_id)`);
    await q.query(`CREATE INDEX sessions_expires_at ON sessions (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sessions`);
  }
}
