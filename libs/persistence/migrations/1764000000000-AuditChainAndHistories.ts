import type { MigrationInterface, QueryRunner } from 'typeorm';
import { chainHash } from '../../audit/audit-chain';

const BACKFILL_BATCH = 1000;

interface LegacyRow {
  id: string;
  subject_type: string;
  subject_id: string;
  seq: number | null;
  type: string;
  actor: string;
  occurred_at: Date;
  data: Record<string, unknown>;
  cycle_id: string | null;
  organization_ids: string[];
}

/**
 * Hash-chains the audit log (libs/audit/audit-chain.ts) and adds the archive of closed workflow histories.
 * Rows written before this migration are chained here, in id order, so the whole log verifies.
 */
export class AuditChainAndHistories1764000000000 implements MigrationInterface {
  name = 'AuditChainAndHistories1764000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE audit_events
        ADD COLUMN chain_seq bigint,
        ADD COLUMN prev_hash char(64),
        ADD COLUMN hash char(64),
        ADD COLUMN cycle_id varchar(100),
        ADD COLUMN organization_ids text[] NOT NULL DEFAULT '{}',
        ALTER COLUMN seq DROP NOT NULL`);
    // The existing UNIQUE (subject_type, subject_id, seq) stays: PostgreSQL treats NULLs as distinct, so it binds
    // only entries that carry a per-subject sequence number.

    // The backfill updates rows, which the append-only trigger refuses; it is off only inside this transaction.
    await q.query(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete`);
    // Until now only task projections wrote the log: give their entries the cycle and organisations of their task.
    await q.query(`
      UPDATE audit_events a
         SET cycle_id = t.snapshot -> 'context' ->> 'cycleId',
             organization_ids = ARRAY(
               SELECT DISTINCT o COLLATE "C" FROM unnest(ARRAY[
                 t.assignee_organization_id, t.supervisor_organization_id,
                 t.snapshot -> 'context' ->> 'subjectOrganizationId']) AS o
                WHERE o IS NOT NULL AND o <> '' ORDER BY 1)
        FROM tasks t
       WHERE a.subject_type = 'task' AND a.subject_id = t.id`);
    let lastId = '0';
    let chainSeq = 0n;
    let prevHash: string | null = null;
    for (;;) {
      const rows: LegacyRow[] = await q.query(
        `SELECT id, subject_type, subject_id, seq, type, actor, occurred_at, data, cycle_id, organization_ids
           FROM audit_events WHERE id > $1 ORDER BY id LIMIT ${BACKFILL_BATCH}`,
        [lastId],
      );
      if (rows.length === 0) break;
      const ids: string[] = [];
      const seqs: string[] = [];
      const prevs: (string | null)[] = [];
      const hashes: string[] = [];
      for (const row of rows) {
        chainSeq += 1n;
        const hash = chainHash(prevHash, {
          chainSeq: chainSeq.toString(),
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          seq: row.seq,
          type: row.type,
          actor: row.actor,
          occurredAt: row.occurred_at,
          data: row.data,
          cycleId: row.cycle_id,
          organizationIds: row.organization_ids,
        });
        ids.push(row.id);
        seqs.push(chainSeq.toString());
        prevs.push(prevHash);
        hashes.push(hash);
        prevHash = hash;
      }
      await q.query(
        `UPDATE audit_events a SET chain_seq = v.chain_seq, prev_hash = v.prev_hash, hash = v.hash
           FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS v(id, chain_seq, prev_hash, hash)
          WHERE a.id = v.id`,
        [ids, seqs, prevs, hashes],
      );
      lastId = rows[rows.length - 1].id;
    }
    await q.query(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete`);

    await q.query(`
      ALTER TABLE audit_events
        ALTER COLUMN chain_seq SET NOT NULL,
        ALTER COLUMN hash SET NOT NULL,
        ADD CONSTRAINT audit_events_chain_seq_key UNIQUE (chain_seq),
        ADD CONSTRAINT audit_events_hash_format CHECK (hash ~ '^[0-9a-f]{64}$')`);
    await q.query(`CREATE INDEX audit_events_cycle ON audit_events (cycle_id, chain_seq) WHERE cycle_id IS NOT NULL`);
    await q.query(`CREATE INDEX audit_events_organizations ON audit_events USING gin (organization_ids)`);
    await q.query(`CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id, chain_seq)`);
    // Row triggers do not see TRUNCATE, which would empty the log in one statement.
    await q.query(`
      CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()`);

    await q.query(`
      CREATE TABLE workflow_histories (
        workflow_id varchar(300) NOT NULL,
        run_id varchar(64) NOT NULL,
        workflow_type varchar(200) NOT NULL,
        status varchar(40) NOT NULL,
        start_time timestamptz NOT NULL,
        close_time timestamptz,
        event_count integer NOT NULL,
        history jsonb NOT NULL,
        archived_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workflow_id, run_id)
      )`);
    // Prefix lookups ('cycle:<id>:', 'task:<cycle id>.') need pattern ops whatever the database collation.
    await q.query(`CREATE INDEX workflow_histories_id_prefix ON workflow_histories (workflow_id varchar_pattern_ops)`);
    await q.query(`CREATE INDEX workflow_histories_close_time ON workflow_histories (close_time)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE workflow_histories`);
    await q.query(`DROP TRIGGER audit_events_no_truncate ON audit_events`);
    await q.query(`DROP INDEX audit_events_subject`);
    await q.query(`DROP INDEX audit_events_organizations`);
    await q.query(`DROP INDEX audit_events_cycle`);
    // Fails while entries without a per-subject seq exist: audit history is never dropped to make a rollback fit.
    await q.query(`
      ALTER TABLE audit_events
        DROP CONSTRAINT audit_events_hash_format,
        DROP CONSTRAINT audit_events_chain_seq_key,
        DROP COLUMN organization_ids,
        DROP COLUMN cycle_id,
        DROP COLUMN hash,
        DROP COLUMN prev_hash,
        DROP COLUMN chain_seq,
        ALTER COLUMN seq SET NOT NULL`);
  }
}
