import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A cycle's dashboard reads its tasks by `snapshot.context.cycleId` (the launch card on every refresh while the cycle
 * issues its tasks, the lateness ranking, the heat table's and the inbox's cycle filter). Without an index each read
 * unpacked the snapshot of every task of every cycle. The expression is written exactly as TaskRepository and
 * CycleRepository write it, or the planner would not match it.
 */
export class TaskCycleIndex1764000900000 implements MigrationInterface {
  name = 'TaskCycleIndex1764000900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX tasks_cycle ON tasks (((snapshot -> 'context') ->> 'cycleId'), status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX tasks_cycle`);
  }
}
