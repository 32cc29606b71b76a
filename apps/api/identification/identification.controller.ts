import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, UseFilters } from '@nestjs/common';
import { BadRequestException } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { fileNameFromHeader, requireFileBody } from '../documents/raw-upload';
import { ApprovalView, ApproveListDto, ImportSummaryView, ParticipantView, RankingQueryDto, RankingView } from './identification.dto';
import {
  IDENTIFICATION_FILE_KINDS,
  IdentificationService,
  parseYearsQuery,
  type IdentificationFileKind,
} from './identification.service';
import { ImportRejectedFilter } from './import-rejected';

@ApiTags('identification')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not allowed; the reason says why' })
@ApiResponse({ status: 404, description: 'No such cycle' })
@Controller('cycles/:cycleId')
export class IdentificationController {
  constructor(private readonly identification: IdentificationService) {}

  @Put('identification/files/:kind')
  @Roles('ministry_admin', 'ministry_reviewer')
  @UseFilters(ImportRejectedFilter)
  @ApiOperation({ summary: 'Import the results (kind=results) or social-passport (kind=social) file: CSV or XLSX as the body' })
  @ApiParam({ name: 'kind', enum: IDENTIFICATION_FILE_KINDS })
  @ApiConsumes('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiHeader({ name: 'X-File-Name', required: true, description: 'The file name with its extension, URL-encoded UTF-8' })
  @ApiOkResponse({ type: ImportSummaryView, description: 'The stored import; the newest of a kind supersedes the older' })
  @ApiResponse({ status: 422, description: 'Nothing stored: `details` and `errors` name every bad cell by row and column' })
  importFile(
    @CurrentUser() user: AuthUser,
    @Param('cycleId') cycleId: string,
    @Param('kind') kind: string,
    @Body() body: unknown,
    @Headers('x-file-name') fileName: string | undefined,
  ): Promise<ImportSummaryView> {
    if (!(IDENTIFICATION_FILE_KINDS as readonly string[]).includes(kind)) {
      throw new BadRequestException({
        message: 'Запрос содержит ошибки',
        details: [`kind: results (результаты оценочных процедур) или social (социальные паспорта), а не «${kind}»`],
      });
    }
    const content = requireFileBody(body);
    return this.identification.importFile(user, cycleId, kind as IdentificationFileKind, { content, fileName: fileNameFromHeader(fileName) });
  }

  @Get('identification/ranking')
  @Roles('ministry_admin', 'ministry_reviewer', 'institute_curator', 'auditor')
  @ApiOperation({ summary: 'The ranking of the region\'s schools from the latest imports, with categories and reasons' })
  @ApiOkResponse({ type: RankingView })
  @ApiResponse({ status: 422, description: 'The files are not imported yet, or hold too few years' })
  ranking(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Query() query: RankingQueryDto): Promise<RankingView> {
    return this.identification.ranking(user, cycleId, parseYearsQuery(query.years));
  }

  @Post('identification/approve')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Approve the list of participant schools (ranked schools with a category, minus remove, plus add); completes approve_list' })
  @ApiOkResponse({ type: ApprovalView })
  @ApiResponse({ status: 409, description: 'No open approve_list task (already approved, or not issued yet)' })
  @ApiResponse({ status: 422, description: 'Unknown or duplicate school, or an empty final list' })
  approve(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Body() dto: ApproveListDto): Promise<ApprovalView> {
    return this.identification.approve(user, cycleId, dto);
  }

  @Get('participants')
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'The cycle\'s schools as approved (included and left out, with reasons), within the user\'s scope' })
  @ApiOkResponse({ type: [ParticipantView] })
  participants(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string): Promise<ParticipantView[]> {
    return this.identification.participants(user, cycleId);
  }
}
