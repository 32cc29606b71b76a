import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The inbox of anyone short of the whole region (a municipality's coordinator, a school) asks for the tasks whose
 * assignee, supervisor or subject (`snapshot.context.subjectOrganizationId`) is one of a few organisations. Only the
 * assignee had an index (tasks_inbox), so the OR of the three read every row of the table and unpacked each one's
 * snapshot: on a region's 40,000 tasks, 120 ms for a page and as long again for its count (`npm run bench:web`).
 * With these two the planner ORs three index scans and reads only the inbox's own rows. The subject's expression is
 * written exactly as TaskRepository.list writes it, or the planner would not match it.
 */
export class InboxIndexes1764000500000 implements MigrationInterface {
  name = 'InboxIndexes1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_supervisor ON tasks (supervisor_organization_id, due_at)`);
    await q.query(`CREATE INDEX tasks_subject ON tasks (((snapshot -> 'context') ->> 'subjectOrganizationId'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_subject`);
    await q.query(`DROP INDEX tasks_supervisor`);
  }
}
