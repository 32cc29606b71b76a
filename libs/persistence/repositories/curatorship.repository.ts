import { In, IsNull, QueryFailedError, type DataSource } from 'typeorm';
import type { CuratedSchool } from '../../domain/curators';
import { CuratorshipEntity } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

export const CURATORSHIP_SUBJECT = 'curatorship';
const UNIQUE_VIOLATION = '23505';

export interface NewCuratorship {
  cycleId: string;
  schoolId: string;
  curatorPersonId: string;
  curatorOrganizationId: string;
  basis: string;
  namedBy: string;
}

export interface CuratorshipFilter {
  cycleId: string;
  schoolId?: string;
  /** With the removed ones (kept for auditors); default: only those in force. */
  includeRemoved?: boolean;
}

/**
 * Curators of participant schools, per cycle. Naming and removal write their audit entry in the same transaction,
 * so the log and the table never disagree.
 */
export class CuratorshipRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  private get rows() {
    return this.dataSource.getRepository(CuratorshipEntity);
  }

  async find(id: string): Promise<CuratorshipEntity | null> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
    return this.rows.findOneBy({ id });
  }

  /** Newest first within each school; removed ones only when asked. */
  async list(filter: CuratorshipFilter): Promise<CuratorshipEntity[]> {
    return this.rows.find({
      where: {
        cycleId: filter.cycleId,
        ...(filter.schoolId ? { schoolId: filter.schoolId } : {}),
        ...(filter.includeRemoved ? {} : { removedAt: IsNull() }),
      },
      order: { schoolId: 'ASC', namedAt: 'DESC', id: 'ASC' },
    });
  }

  /** The (cycle, school) pairs these people curate now. */
  async activeForPeople(personIds: string[]): Promise<CuratedSchool[]> {
    const unique = [...new Set(personIds.filter(Boolean))];
    if (unique.length === 0) return [];
    const rows = await this.rows.find({
      select: { cycleId: true, schoolId: true },
      where: { curatorPersonId: In(unique), removedAt: IsNull() },
    });
    const seen = new Set<string>();
    return rows.flatMap((r) => {
      const key = `${r.cycleId}\u0000${r.schoolId}`;
      if (seen.has(key)) return [];
      seen.add(key);
      return [{ cycleId: r.cycleId, schoolId: r.schoolId }];
    });
  }

  /** The people who curate the school in the cycle now, earliest named first. */
  async activeCuratorIds(cycleId: string, schoolId: string): Promise<string[]> {
    const rows = await this.rows.find({
      select: { curatorPersonId: true },
      where: { cycleId, schoolId, removedAt: IsNull() },
      order: { namedAt: 'ASC', id: 'ASC' },
    });
    return [...new Set(rows.map((r) => r.curatorPersonId))];
  }

  /**
   * Stores the curatorship and its audit entry (built from the stored row) in one transaction; `conflict` is the
   * curatorship already in force for the same cycle, school and person.
   */
  async name(
    input: NewCuratorship,
    auditEntry: (created: CuratorshipEntity) => AuditEntryInput,
  ): Promise<{ created: CuratorshipEntity } | { conflict: CuratorshipEntity }> {
    try {
      const created = await this.dataSource.transaction(async (manager) => {
        const repository = manager.getRepository(CuratorshipEntity);
        const saved = await repository.save(
          repository.create({ ...input, removedAt: null, removedBy: null, removalReason: null }),
        );
        // Last in the transaction: the audit chain's lock is held from here to the commit.
        await this.audit.append(auditEntry(saved), manager);
        return saved;
      });
      return { created };
    } catch (err) {
      if (!(err instanceof QueryFailedError) || (err.driverError as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      const conflict = await this.rows.findOneBy({
        cycleId: input.cycleId,
        schoolId: input.schoolId,
        curatorPersonId: input.curatorPersonId,
        removedAt: IsNull(),
      });
      if (!conflict) throw err;
      return { conflict };
    }
  }

  /**
   * Marks the curatorship removed (the row stays) and appends the audit entry, once: null when it was already
   * removed, by this call's rival or earlier.
   */
  async remove(
    id: string,
    removal: { removedBy: string; reason: string; at: Date },
    auditEntry: (removed: CuratorshipEntity) => AuditEntryInput,
  ): Promise<CuratorshipEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .getRepository(CuratorshipEntity)
        .createQueryBuilder()
        .update()
        .set({ removedAt: removal.at, removedBy: removal.removedBy, removalReason: removal.reason })
        .where('id = :id AND removed_at IS NULL', { id })
        .execute();
      if ((result.affected ?? 0) === 0) return null;
      const removed = await manager.getRepository(CuratorshipEntity).findOneByOrFail({ id });
      await this.audit.append(auditEntry(removed), manager);
      return removed;
    });
  }
}
