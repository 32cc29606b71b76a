import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import {
  AuditChainVerificationView,
  AuditExportQueryDto,
  AuditExportView,
  CycleWorkflowsView,
  WorkflowHistoryQueryDto,
  WorkflowHistoryView,
} from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed query; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not an auditor (or, where allowed, a ministry administrator of the region)' })
@ApiExtraModels(AuditExportView)
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('export')
  @Roles('auditor', 'ministry_admin')
  @ApiOperation({
    summary: 'Who did what, when, against which deadline: the audit entries, tasks, e-mails and workflow runs of a cycle, organisation or task',
    description: 'JSON, or CSV (one row per audit entry, UTF-8 with BOM) as an attachment. A ministry administrator only within its region.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({
    description: 'The export as JSON, or with format=csv the CSV file as an attachment',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(AuditExportView) } },
      'text/csv': { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiResponse({ status: 404, description: 'The cycle, organisation or task does not exist' })
  async export(
    @CurrentUser() user: AuthUser,
    @Query() query: AuditExportQueryDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuditExportView | string> {
    if (query.format !== 'csv') return this.audit.export(user, query.scope, query.id, query.includeHistories ?? false);
    const file = await this.audit.exportCsv(user, query.scope, query.id, query.delimiter === 'semicolon' ? ';' : ',');
    void reply.header('Content-Type', 'text/csv; charset=utf-8').header('Content-Disposition', attachment(file.fileName));
    return file.content;
  }

  @Get('verify')
  @Roles('auditor')
  @ApiOperation({ summary: 'Recompute the whole hash chain of the audit log; the first break, if any, with its reason' })
  @ApiOkResponse({ type: AuditChainVerificationView })
  verify(): Promise<AuditChainVerificationView> {
    return this.audit.verify();
  }

  @Get('workflows/:workflowId/history')
  @Roles('auditor')
  @ApiOperation({
    summary: "A workflow's event history: from the PostgreSQL archive, or live from Temporal while it runs; `source` says which",
  })
  @ApiOkResponse({ type: WorkflowHistoryView })
  @ApiResponse({ status: 404, description: 'Neither Temporal nor the archive knows the workflow' })
  @ApiResponse({ status: 503, description: 'Temporal is unreachable and the archive has no copy' })
  history(@Param('workflowId') workflowId: string, @Query() query: WorkflowHistoryQueryDto): Promise<WorkflowHistoryView> {
    return this.audit.workflowHistory(workflowId, query.runId);
  }

  @Get('cycles/:cycleId/workflows')
  @Roles('auditor', 'ministry_admin')
  @ApiOperation({ summary: "The cycle's workflows (cycle, tracks, steps, tasks) with their status and whether each history is archived" })
  @ApiOkResponse({ type: CycleWorkflowsView })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  workflows(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string): Promise<CycleWorkflowsView> {
    return this.audit.cycleWorkflows(user, cycleId);
  }
}

/** An ASCII name for every client, and the exact one (RFC 5987) for those that read it. */
function attachment(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
