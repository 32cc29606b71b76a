import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A task whose change could not be stored carries `snapshot.attention` (workflows/deadline-task.workflow.ts). The
 * flag is derived from the snapshot by PostgreSQL itself, so the projection's write path stays as it is and no
 * writer can set one without the other; the partial index lets an operator list the flagged tasks without reading
 * every snapshot (they are expected to be few).
 */
export class TaskAttention1764000800000 implements MigrationInterface {
  name = 'TaskAttention1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tasks ADD COLUMN needs_attention boolean GENERATED ALWAYS AS (snapshot ? 'attention') STORED`);
    await q.query(`CREATE INDEX tasks_needs_attention ON tasks (updated_at) WHERE needs_attention`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_needs_attention`);
    await q.query(`ALTER TABLE tasks DROP COLUMN needs_attention`);
  }
}
