import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox of the four-eyes requests' e-mails: one row per request and event (`requested`: to the ministry's other
 * administrators and specialists; `confirmed`, `refused`, `expired`: to the requester), written in the same
 * transaction as the request's change and its audit entry, and sent by the worker (the request's mail workflow).
 * The worker renders the message from the request, whose facts a mail tells no longer change once the row exists,
 * so every retry sends the same one under the same Message-ID.
 */
export class CycleActionMails1764001700000 implements MigrationInterface {
  name = 'CycleActionMails1764001700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cycle_action_mails (
        id bigserial PRIMARY KEY,
        request_id uuid NOT NULL REFERENCES cycle_action_requests(id),
        event varchar(20) NOT NULL CHECK (event IN ('requested', 'confirmed', 'refused', 'expired')),
        message_id varchar(300) NOT NULL UNIQUE,
        recipients jsonb NOT NULL,
        status varchar(20) NOT NULL CHECK (status IN ('pending', 'sent', 'no_recipients')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        UNIQUE (request_id, event)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE cycle_action_mails`);
  }
}
