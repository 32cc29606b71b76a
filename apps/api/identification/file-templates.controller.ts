import { Controller, Get, Param, Query, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { buildImportTemplate, describeImportFile, IMPORT_FILE_KINDS, XLSX_MEDIA_TYPE } from '../../../libs/import';
import { AnyLoggedIn } from '../auth/decorators';
import { contentDisposition } from '../documents/documents.service';
import { FileFormatView, FileTemplateParamsDto, FileTemplateQueryDto, mapFileFormat } from './file-templates.dto';

/** What the identification files look like, and templates to fill in: for anyone who prepares them. */
@ApiTags('identification')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('identification/file-templates')
export class FileTemplatesController {
  @Get()
  @AnyLoggedIn('reference')
  @ApiOperation({ summary: 'The formats of the results and social-passport files: columns, other accepted names, encodings, delimiters' })
  @ApiOkResponse({ type: [FileFormatView] })
  list(): FileFormatView[] {
    return IMPORT_FILE_KINDS.map((kind) => mapFileFormat(describeImportFile(kind)));
  }

  @Get(':kind')
  @AnyLoggedIn('reference')
  @ApiOperation({
    summary: 'Download a template with example rows (CSV or XLSX) that imports as it is',
    description: 'The XLSX has a second sheet describing every column. The example codes are the demo region\'s schools.',
  })
  @ApiProduces('text/csv', XLSX_MEDIA_TYPE)
  @ApiOkResponse({ description: 'The file, as an attachment', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 400, description: 'Unknown kind or format' })
  async download(
    @Param() params: FileTemplateParamsDto,
    @Query() query: FileTemplateQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const file = await buildImportTemplate(params.kind, query.format ?? 'xlsx');
    void reply.header('content-type', file.mediaType);
    void reply.header('content-disposition', contentDisposition(file.fileName));
    return new StreamableFile(file.content, { length: file.content.length });
  }
}
