import type { DataSource } from 'typeorm';
import { IdentificationImportEntity, type IdentificationImportKind } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';

/** An identification file as stored, without its rows (what lists and answers show). */
export type IdentificationImportSummary = Omit<IdentificationImportEntity, 'rows'>;

/** A stored file with its parsed rows, typed by the reader (AssessmentRow, SocialPassportRow). */
export type StoredIdentificationImport<T> = IdentificationImportSummary & { rows: T[] };

export interface NewIdentificationImport {
  cycleId: string;
  kind: IdentificationImportKind;
  fileName: string;
  sha256: string;
  rows: unknown[];
  importedBy: string;
}

/** The identification files of cycles: each accepted file is kept whole; the ranking reads the latest of each kind. */
export class IdentificationImportRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  /** Stores the file and appends `auditEntry` in the same transaction: both are recorded or neither. */
  async insert(
    input: NewIdentificationImport,
    auditEntry: (stored: IdentificationImportSummary) => AuditEntryInput,
  ): Promise<IdentificationImportSummary> {
    return this.dataSource.transaction(async (manager) => {
      const repository = manager.getRepository(IdentificationImportEntity);
      const saved = await repository.save(repository.create({ ...input, rowCount: input.rows.length }));
      const summary: IdentificationImportSummary = {
        id: saved.id,
        cycleId: saved.cycleId,
        kind: saved.kind,
        fileName: saved.fileName,
        sha256: saved.sha256,
        rowCount: saved.rowCount,
        importedBy: saved.importedBy,
        importedAt: saved.importedAt,
      };
      // Last in the transaction: the audit chain's lock is held from here to the commit.
      await this.audit.append(auditEntry(summary), manager);
      return summary;
    });
  }

  async latest<T>(cycleId: string, kind: IdentificationImportKind): Promise<StoredIdentificationImport<T> | null> {
    const row = await this.dataSource.getRepository(IdentificationImportEntity).findOne({
      where: { cycleId, kind },
      order: { importedAt: 'DESC', id: 'DESC' },
    });
    return row ? (row as StoredIdentificationImport<T>) : null;
  }
}
