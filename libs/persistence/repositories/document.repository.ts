import type { DataSource } from 'typeorm';

export interface DocumentMeta {
  id: string;
  organizationId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedBy: string;
  uploadedAt: Date;
}

const META_COLUMNS = `id, organization_id AS "organizationId", file_name AS "fileName", content_type AS "contentType",
  size_bytes AS "sizeBytes", sha256, uploaded_by AS "uploadedBy", uploaded_at AS "uploadedAt"`;

/** Uploaded documents (plans, signed agreements), stored in PostgreSQL so the auditors' record is complete. */
export class DocumentRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(d: Omit<DocumentMeta, 'id' | 'uploadedAt'> & { content: Buffer }): Promise<DocumentMeta> {
    const rows: DocumentMeta[] = await this.dataSource.query(
      `INSERT INTO documents (organization_id, file_name, content_type, size_bytes, sha256, content, uploaded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${META_COLUMNS}`,
      [d.organizationId, d.fileName, d.contentType, d.sizeBytes, d.sha256, d.content, d.uploadedBy],
    );
    return rows[0];
  }

  async findMeta(id: string): Promise<DocumentMeta | null> {
    const rows: DocumentMeta[] = await this.dataSource.query(`SELECT ${META_COLUMNS} FROM documents WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async content(id: string): Promise<Buffer | null> {
    const rows: { content: Buffer }[] = await this.dataSource.query(`SELECT content FROM documents WHERE id = $1`, [id]);
    return rows[0]?.content ?? null;
  }
}
