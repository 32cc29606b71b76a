import { Body, Controller, Get, Headers, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser } from '../auth/decorators';
import { DocumentUploadQueryDto, DocumentView } from './document.dto';
import { contentDisposition, DocumentsService } from './documents.service';
import { fileNameFromHeader, requireFileBody } from './raw-upload';

@ApiTags('documents')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not this user\'s organisation; the reason says why' })
@Controller('documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Upload a document: the body is the file itself (up to 20 MiB), its name in X-File-Name' })
  @ApiConsumes('application/pdf', 'application/octet-stream', 'image/png', 'image/jpeg', 'text/plain', 'text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: 'X-File-Name', required: true, description: 'The file name, URL-encoded UTF-8 (encodeURIComponent)' })
  @ApiCreatedResponse({ type: DocumentView })
  @ApiResponse({ status: 400, description: 'Empty body or no file name' })
  @ApiResponse({ status: 413, description: 'Larger than 20 MiB' })
  @ApiResponse({ status: 415, description: 'A file type not accepted; the message lists the accepted ones' })
  upload(
    @CurrentUser() user: AuthUser,
    @Body() body: unknown,
    @Headers('x-file-name') fileNameHeader: string | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Query() query: DocumentUploadQueryDto,
  ): Promise<DocumentView> {
    const content = requireFileBody(body);
    const fileName = fileNameFromHeader(fileNameHeader);
    const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
    return this.documents.upload(user, { content, fileName, contentType: mediaType, organizationId: query.organizationId });
  }

  @Get(':id')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'A document\'s metadata: name, type, size, sha256, who uploaded it and when' })
  @ApiOkResponse({ type: DocumentView })
  @ApiResponse({ status: 404, description: 'No such document' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<DocumentView> {
    return this.documents.get(user, id);
  }

  @Get(':id/content')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Download the document as uploaded' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'The file with the content type it was uploaded with, as an attachment; `X-Content-SHA256` carries its hash',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 404, description: 'No such document' })
  async content(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const { meta, content } = await this.documents.download(user, id);
    void reply.header('content-type', meta.contentType);
    void reply.header('content-disposition', contentDisposition(meta.fileName));
    void reply.header('x-content-type-options', 'nosniff');
    void reply.header('x-content-sha256', meta.sha256);
    return new StreamableFile(content, { length: content.length });
  }
}
