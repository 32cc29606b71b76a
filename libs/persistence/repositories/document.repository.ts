import type { DataSource } from 'typeorm';
import { DocumentEntity } from '../entities';
import { isUuid } from './ids';

/** A document's metadata: everything but the file itself. */
export type DocumentMeta = Omit<DocumentEntity, 'content'>;

/** Uploaded documents (plans, signed agreements), stored in PostgreSQL so the auditors' record is complete. */
export class DocumentRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get documents() {
    return this.dataSource.getRepository(DocumentEntity);
  }

  async insert(d: Omit<DocumentMeta, 'id' | 'uploadedAt'> & { content: Buffer }): Promise<DocumentMeta> {
    const saved = await this.documents.save(this.documents.create(d));
    return {
      id: saved.id,
      organizationId: saved.organizationId,
      fileName: saved.fileName,
      contentType: saved.contentType,
      sizeBytes: saved.sizeBytes,
      sha256: saved.sha256,
      uploadedBy: saved.uploadedBy,
      uploadedAt: saved.uploadedAt,
    };
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
