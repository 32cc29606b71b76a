import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Log-in and deputies. A person without a role still receives e-mails; a password needs a role. The e-mail of a
 * person who can log in is unique across the directory (it is the log-in name), while e-mail-only people may
 * appear in several organisations.
 */
export class AuthAndSubstitution1764000100000 implements MigrationInterface {
  name = 'AuthAndSubstitution1764000100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE people
        ADD COLUMN role varchar(40) CHECK (role IN (
          'ministry_admin', 'ministry_reviewer', 'institute_curator', 'municipal_coordinator', 'school', 'auditor')),
        ADD COLUMN password_hash varchar(100),
        ADD CONSTRAINT people_password_needs_role CHECK (password_hash IS NULL OR role IS NOT NULL)`);
    await q.query(`CREATE UNIQUE INDEX people_login_email ON people (lower(email)) WHERE password_hash IS NOT NULL`);
    await q.query(`
      CREATE TABLE substitutions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        person_id uuid NOT NULL REFERENCES people(id),
        deputy_person_id uuid NOT NULL REFERENCES people(id),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        reason varchar(500) NOT NULL,
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_by varchar(254),
        CHECK (ends_on >= starts_on),
        CHECK (person_id <> deputy_person_id)
      )`);
    await q.query(`CREATE INDEX substitutions_person ON substitutions (person_id, starts_on) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX substitutions_deputy ON substitutions (deputy_person_id, starts_on) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE substitutions`);
    await q.query(`DROP INDEX people_login_email`);
    await q.query(`ALTER TABLE people DROP CONSTRAINT people_password_needs_role, DROP COLUMN password_hash, DROP COLUMN role`);
  }
}
