import type { DataSource } from 'typeorm';
import type { CycleProgress } from '../../contracts/cycle';
import type { TaskSnapshot } from '../../contracts/deadline-task';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';
import type { CycleRepository } from './cycle.repository';

/** What the cycle's workflows write through their activities: the cycle's events with its progress, operator alerts. */
export class CycleJournalRepository {
  private readonly audit: AuditLogRepository;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cycles: CycleRepository,
  ) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /**
   * The cycle's event and the progress it leads to, in one transaction. Idempotent when the entry carries a `seq`
   * (the progress version); older progress never overwrites newer (CycleRepository.saveProgress).
   */
  async recordEvent(entry: AuditEntryInput, progress: CycleProgress): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.audit.append(entry, manager);
      await this.cycles.saveProgress(progress, manager);
    });
  }

  /** Appends an alert unless one with the same `data.key` is stored for that subject; true when appended. */
  async appendOnceByKey(entry: AuditEntryInput & { data: { key: string } }): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const existing: unknown[] = await manager.query(
        `SELECT 1 FROM audit_events WHERE subject_type = $1 AND subject_id = $2 AND type = $3 AND data->>'key' = $4`,
        [entry.subjectType, entry.subjectId, entry.type, entry.data.key],
      );
      if (existing.length > 0) return false;
      const { appended } = await this.audit.append(entry, manager);
      return appended;
    });
  }

  /** The cycle's open tasks (of one stage, when given), earliest deadline first, as their projections show them. */
  async openTasks(cycleId: string, stageId?: string): Promise<TaskSnapshot[]> {
    const rows: { snapshot: TaskSnapshot }[] = await this.dataSource.query(
      `SELECT snapshot FROM tasks
        WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1
          AND ($2::text IS NULL OR snapshot->'context'->>'stageId' = $2)
        ORDER BY due_at`,
      [cycleId, stageId ?? null],
    );
    return rows.map((r) => r.snapshot);
  }
}
