import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who holds a running idempotency claim, so that a retry can tell a request still running from one whose API process
 * died. `owner_key` names the claiming process: each API process keeps one PostgreSQL session holding the advisory
 * lock (7402313, owner_key); the lock goes when the process dies, and a retry then takes the claim over at once. NULL
 * for claims made before this column (they are judged by their age, as before). `operation_id` names the request's
 * business operation across its attempts (a Temporal Update is sent under it): kept when a retry takes over the claim
 * of a dead process, new when an expired key is used again. Existing rows get a fresh one each.
 */
export class IdempotencyClaimOwners1764001750000 implements MigrationInterface {
  name = 'IdempotencyClaimOwners1764001750000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN operation_id uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`ALTER TABLE idempotency_keys ALTER COLUMN operation_id DROP DEFAULT`);
    await q.query(`ALTER TABLE idempotency_keys ADD COLUMN owner_key integer CHECK (owner_key > 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP COLUMN owner_key, DROP COLUMN operation_id`);
  }
}
