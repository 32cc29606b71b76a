import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { DocumentMeta } from '../../../libs/persistence';
import { DATE_TIME, iso } from '../common/views';

export class DocumentUploadQueryDto {
  @ApiPropertyOptional({ description: 'The organisation the document belongs to; default: the user\'s own' })
  @IsOptional()
  @IsString({ message: 'ожидается идентификатор организации' })
  @MinLength(1, { message: 'пустой идентификатор организации' })
  @MaxLength(64, { message: 'не длиннее 64 символов' })
  organizationId?: string;
}

export class DocumentView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ description: 'Whose document it is' }) organizationId!: string;
  @ApiProperty() fileName!: string;
  @ApiProperty({ example: 'application/pdf' }) contentType!: string;
  @ApiProperty() sizeBytes!: number;
  @ApiProperty({ description: 'Hex SHA-256 of the content' }) sha256!: string;
  @ApiProperty() uploadedBy!: string;
  @ApiProperty(DATE_TIME) uploadedAt!: string;
  @ApiProperty({ example: '/api/documents/4f1c…/content' }) contentUrl!: string;
}

export function mapDocument(meta: DocumentMeta): DocumentView {
  return {
    id: meta.id,
    organizationId: meta.organizationId,
    fileName: meta.fileName,
    contentType: meta.contentType,
    sizeBytes: meta.sizeBytes,
    sha256: meta.sha256,
    uploadedBy: meta.uploadedBy,
    uploadedAt: iso(meta.uploadedAt),
    contentUrl: `/api/documents/${meta.id}/content`,
  };
}
