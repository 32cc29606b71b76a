import { Injectable, NotFoundException } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { AgreementRepository, DocumentRepository, type DocumentMeta } from '../../../libs/persistence';
import { AccessPolicy } from '../auth/access-policy.service';
import { currentIdempotentOperation } from '../common/idempotent-operation';
import type { AuthUser } from '../auth/auth-user';
import { mapDocument, type DocumentView } from './document.dto';

export const DOCUMENT_SUBJECT = 'document';

/** Uploaded documents: stored whole in PostgreSQL with their sha256, readable by whoever may read their organisation. */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly documents: DocumentRepository,
    private readonly agreements: AgreementRepository,
    private readonly access: AccessPolicy,
  ) {}

  async upload(
    user: AuthUser,
    file: { content: Buffer; fileName: string; contentType: string; organizationId?: string },
  ): Promise<DocumentView> {
    const organizationId = file.organizationId ?? user.organizationId;
    this.access.assertCanActFor(user, organizationId, `загрузка документа «${file.fileName}»`);
    // The operation id is the same for every attempt of one keyed upload: a retry stores the document once.
    const meta = await this.documents.insertWithAudit(
      {
        id: currentIdempotentOperation()?.id ?? randomUUID(),
        organizationId,
        fileName: file.fileName,
        contentType: file.contentType || 'application/octet-stream',
        sizeBytes: file.content.length,
        sha256: createHash('sha256').update(file.content).digest('hex'),
        content: file.content,
        uploadedBy: user.email,
      },
      (stored) => ({
        subjectType: DOCUMENT_SUBJECT,
        subjectId: stored.id,
        type: 'document_uploaded',
        actor: user.email,
        occurredAt: new Date(),
        data: { fileName: stored.fileName, contentType: stored.contentType, sizeBytes: stored.sizeBytes, sha256: stored.sha256 },
        organizationIds: [organizationId],
      }),
    );
    return mapDocument(meta);
  }

  async get(user: AuthUser, id: string): Promise<DocumentView> {
    return mapDocument(await this.requireReadable(user, id));
  }

  async download(user: AuthUser, id: string): Promise<{ meta: DocumentMeta; content: Buffer }> {
    const meta = await this.requireReadable(user, id);
    const content = await this.documents.content(id);
    if (!content) throw new NotFoundException(`Документ ${id} не найден`);
    return { meta, content };
  }

  /** The document, if it exists (DocumentRepository.findMeta: an id that is not a UUID cannot). */
  async find(id: string): Promise<DocumentMeta | null> {
    return this.documents.findMeta(id);
  }

  private async requireReadable(user: AuthUser, id: string): Promise<DocumentMeta> {
    const meta = await this.find(id);
    if (!meta) throw new NotFoundException(`Документ ${id} не найден`);
    if (await this.access.canRead(user, meta.organizationId)) return meta;
    // A signed partner agreement is stored by the municipality that proposed the pair; both schools are its parties too.
    for (const party of await this.agreements.partiesOfSignedDocument(meta.id)) {
      if (await this.access.canRead(user, party)) return meta;
    }
    await this.access.assertCanRead(user, meta.organizationId, `документ ${id}`);
    return meta;
  }
}

/** RFC 6266: an ASCII fallback for old clients, and the real (Cyrillic) name in UTF-8. */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
