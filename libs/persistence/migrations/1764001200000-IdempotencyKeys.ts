import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys of write requests (`Idempotency-Key`): a client that lost an answer retries with the same key and
 * gets the first answer again instead of a second execution. A key belongs to one person and one method and path, so
 * two people (or two addresses) never share one. `status_code` NULL means the first request is still running; its
 * `claim_token` lets only that request complete or release the row. `response_body` is JSON (not jsonb) so a replay
 * keeps the key order of the first answer. Rows past `expires_at` are deleted lazily; a person's go with them.
 */
export class IdempotencyKeys1764001200000 implements MigrationInterface {
  name = 'IdempotencyKeys1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        person_id uuid NOT NULL REFERENCES people(id) ON DELETE CASCADE,
        method varchar(10) NOT NULL,
        path text NOT NULL CHECK (length(path) <= 2000),
        idempotency_key varchar(200) NOT NULL,
        fingerprint char(64) NOT NULL,
        claim_token uuid NOT NULL,
        status_code integer CHECK (status_code BETWEEN 100 AND 499),
        response_body json,
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (person_id, method, path, idempotency_key),
        CHECK ((status_code IS NULL) = (completed_at IS NULL))
      )`);
    await q.query(`CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
  }
}
