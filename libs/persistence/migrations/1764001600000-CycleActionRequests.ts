import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four eyes on the cycle's weightiest commands: launching a cycle, cancelling one and overriding a deadline for
 * everyone are stored here as requests and run only when a second person of the ministry confirms. `payload` is the
 * validated command exactly as it will run; `summary` what the confirmer is shown (a launch's dry-run figures).
 * `target_key` names what the request acts on (`launch:<cycle>`, `cancel:<cycle>`, `extend:<cycle>:<stage>`,
 * `deadline:<cycle>:<step>`): at most one open request per target. A row is `executing` while the confirmed command
 * runs on Temporal (no transaction is held across that call); a failure puts it back to `pending` with `last_error`.
 */
export class CycleActionRequests1764001600000 implements MigrationInterface {
  name = 'CycleActionRequests1764001600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cycle_action_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(40) NOT NULL CHECK (kind IN ('launch', 'cancel', 'extend_stage')),
        region_code varchar(20) NOT NULL,
        ministry_id varchar(64) NOT NULL REFERENCES organizations(id),
        cycle_id varchar(100) NOT NULL,
        target_key varchar(400) NOT NULL,
        payload jsonb NOT NULL,
        summary jsonb,
        reason text,
        status varchar(20) NOT NULL CHECK (status IN ('pending', 'executing', 'confirmed', 'refused', 'withdrawn', 'expired')),
        requested_by varchar(254) NOT NULL,
        requested_by_person_id uuid NOT NULL REFERENCES people(id),
        requested_by_name varchar(200) NOT NULL,
        requested_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        decided_by varchar(254),
        decided_by_person_id uuid REFERENCES people(id),
        decided_by_name varchar(200),
        decided_at timestamptz,
        decision_reason text,
        attempts integer NOT NULL DEFAULT 0,
        attempt_started_at timestamptz,
        last_error text,
        last_error_at timestamptz
      )`);
    await q.query(
      `CREATE UNIQUE INDEX cycle_action_requests_open_target ON cycle_action_requests (target_key) WHERE status IN ('pending', 'executing')`,
    );
    await q.query(`CREATE INDEX cycle_action_requests_region_status ON cycle_action_requests (region_code, status, requested_at)`);
    await q.query(`CREATE INDEX cycle_action_requests_cycle ON cycle_action_requests (cycle_id, requested_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cycle_action_requests`);
  }
}
