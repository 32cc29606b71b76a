import type { DataSource, FindOptionsSelect } from 'typeorm';
import { DocumentEntity } from '../entities';
import { AuditLogRepository, type AuditEntryInput } from './audit-log.repository';
import { isUuid } from './ids';

/** A document's metadata: everything but the file itself. */
export type DocumentMeta = Omit<DocumentEntity, 'content'>;

export type NewDocument = Omit<DocumentMeta, 'uploadedAt'> & { content: Buffer };

const META_COLUMNS: FindOptionsSelect<DocumentEntity> = {
  id: true,
  organizationId: true,
  fileName: true,
  contentType: true,
  sizeBytes: true,
  sha256: true,
  uploadedBy: true,
  uploadedAt: true,
};

/** Uploaded documents (plans, signed agreements), stored in PostgreSQL so the auditors' record is complete. */
export class DocumentRepository {
  private readonly audit: AuditLogRepository;

  constructor(private readonly dataSource: DataSource) {
    this.audit = new AuditLogRepository(dataSource);
  }

  private get documents() {
    return this.dataSource.getRepository(DocumentEntity);
  }

  /**
   * Stores the document and its audit entry in one transaction. A document already stored under the same id (the
   * retry of an upload whose answer was lost: the id is the request's operation id) is returned as it is, and
   * nothing is written again.
   */
  async insertWithAudit(document: NewDocument, auditEntry: (meta: DocumentMeta) => AuditEntryInput): Promise<DocumentMeta> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager.createQueryBuilder().insert().into(DocumentEntity).values(document).orIgnore().returning(['id']).execute();
      const meta = await manager.findOneOrFail(DocumentEntity, { select: META_COLUMNS, where: { id: document.id } });
      // Last in the transaction: the audit chain's lock is held from here to the commit.
      if ((inserted.raw as unknown[]).length > 0) await this.audit.append(auditEntry(meta), manager);
      return meta;
    });
  }

  async findMeta(id: string): Promise<DocumentMeta | null> {
    return isUuid(id) ? this.documents.findOneBy({ id }) : null;
  }

  async content(id: string): Promise<Buffer | null> {
    if (!isUuid(id)) return null;
    const row = await this.documents.findOne({ select: { id: true, content: true }, where: { id } });
    return row?.content ?? null;
  }
}
