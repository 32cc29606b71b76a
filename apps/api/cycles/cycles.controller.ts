import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, ChangesNothing, CurrentUser, Public, Roles } from '../auth/decorators';
import {
  CycleControlDto,
  CycleView,
  DryRunDto,
  DryRunView,
  ExtendStageDto,
  LaunchCycleDto,
  SetStepDeadlineDto,
  TemplateDetailView,
  TemplateJsonSchemaView,
  TemplateSummaryView,
  TemplateUploadDto,
  TemplateUploadView,
  TemplateValidationView,
  TemplateVersionQueryDto,
} from './cycle.dto';
import { CycleActionView } from '../cycle-actions/cycle-action.dto';
import { CyclesService } from './cycles.service';
import { TemplatesService } from './templates.service';
import { CYCLE_TEMPLATE_SCHEMA } from '../../../libs/templates';

@ApiTags('templates')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get('schema')
  @Public()
  @ApiOperation({ summary: 'The JSON Schema of cycle templates (draft 2020-12)' })
  @ApiOkResponse({ type: TemplateJsonSchemaView })
  schema(): TemplateJsonSchemaView {
    return CYCLE_TEMPLATE_SCHEMA as unknown as TemplateJsonSchemaView;
  }

  @Get()
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'Templates, latest version of each' })
  @ApiOkResponse({ type: [TemplateSummaryView] })
  list(@CurrentUser() user: AuthUser): Promise<TemplateSummaryView[]> {
    return this.templates.list(user);
  }

  @Post('validate')
  @AnyLoggedIn('reference')
  @HttpCode(200)
  @ChangesNothing()
  @ApiOperation({ summary: 'Check a template without storing it: every problem with its path' })
  @ApiOkResponse({ type: TemplateValidationView })
  validate(@Body() dto: TemplateUploadDto): TemplateValidationView {
    const { valid, problems } = this.templates.validate(dto.source, dto.format);
    return { valid, problems };
  }

  @Post()
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Store a new template version (YAML or JSON); invalid templates are refused with every problem' })
  @ApiCreatedResponse({ type: TemplateUploadView, description: '`created` false when the same version was stored before with the same text' })
  @ApiResponse({ status: 403, description: 'Not a ministry administrator' })
  @ApiResponse({ status: 422, description: 'The template has problems (`problems` lists each with its path), or its id or version is taken' })
  upload(@CurrentUser() user: AuthUser, @Body() dto: TemplateUploadDto): Promise<TemplateUploadView> {
    return this.templates.upload(user, dto.source, dto.format);
  }

  @Get(':id')
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'A template version: document, source text and the list of versions' })
  @ApiOkResponse({ type: TemplateDetailView })
  @ApiResponse({ status: 404, description: 'No such template (or version) for the user\'s region' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: TemplateVersionQueryDto): Promise<TemplateDetailView> {
    return this.templates.get(user, id, query.version);
  }

  @Post(':id/dry-run')
  @HttpCode(200)
  @ChangesNothing()
  @Roles('ministry_admin', 'ministry_reviewer', 'institute_curator', 'auditor')
  @ApiOperation({ summary: 'The whole schedule before launch: every task, deadline, reminder and escalation' })
  @ApiOkResponse({ type: DryRunView })
  @ApiResponse({ status: 403, description: 'Not a ministry, institute or auditor role' })
  @ApiResponse({ status: 404, description: 'No such template (or version)' })
  @ApiResponse({ status: 422, description: 'Dates outside the production calendar, or a template written for another time zone' })
  dryRun(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Query() query: TemplateVersionQueryDto,
    @Body() dto: DryRunDto,
  ): Promise<DryRunView> {
    const organizations = dto.schools
      ? { schools: dto.schools, municipalities: [...new Set(dto.schools.map((s) => s.municipalityId))] }
      : undefined;
    return this.templates.dryRun(user, id, query.version, dto.academicYear, organizations, dto.adoptRegionTimeZone);
  }
}

@ApiTags('cycles')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not allowed; the reason says why' })
@Controller('cycles')
export class CyclesController {
  constructor(private readonly cycles: CyclesService) {}

  @Post()
  @HttpCode(202)
  @Roles('ministry_admin')
  @ApiOperation({
    summary:
      'Ask to launch the yearly cycle of the ministry\'s region from a template version: checked now, run when another ' +
      'ministry administrator or specialist confirms it (POST /api/cycle-actions/:id/confirm)',
  })
  @ApiAcceptedResponse({ type: CycleActionView, description: 'The request waiting for a second person' })
  @ApiResponse({ status: 404, description: 'No such template (or version)' })
  @ApiResponse({ status: 409, description: 'The region\'s cycle for that academic year exists, or its launch already waits for confirmation' })
  @ApiResponse({ status: 422, description: 'Dates outside the production calendar, or a template written for another time zone (see adoptRegionTimeZone)' })
  launch(@CurrentUser() user: AuthUser, @Body() dto: LaunchCycleDto): Promise<CycleActionView> {
    return this.cycles.launch(user, dto);
  }

  @Get()
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'Cycles of the user\'s region (all regions for auditors)' })
  @ApiOkResponse({ type: [CycleView] })
  list(@CurrentUser() user: AuthUser): Promise<CycleView[]> {
    return this.cycles.list(user);
  }

  @Get(':id')
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'A cycle with its live progress per stage' })
  @ApiOkResponse({ type: CycleView })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CycleView> {
    return this.cycles.get(user, id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Pause: no new task is issued until resumed (tasks already issued keep their deadlines)' })
  @ApiOkResponse({ type: CycleView })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  @ApiResponse({ status: 422, description: 'Not possible in the cycle\'s state (already paused, closed…); the reason says why' })
  pause(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CycleControlDto): Promise<CycleView> {
    return this.cycles.pause(user, id, dto.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Resume a paused cycle' })
  @ApiOkResponse({ type: CycleView })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  @ApiResponse({ status: 422, description: 'Not possible in the cycle\'s state (already paused, closed…); the reason says why' })
  resume(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CycleControlDto): Promise<CycleView> {
    return this.cycles.resume(user, id, dto.reason);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Ask to cancel the cycle and every open task in it; runs when a second person of the ministry confirms' })
  @ApiAcceptedResponse({ type: CycleActionView, description: 'The request waiting for a second person' })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  @ApiResponse({ status: 409, description: 'The cancellation already waits for confirmation' })
  @ApiResponse({ status: 422, description: 'Not possible in the cycle\'s state (already paused, closed…); the reason says why' })
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CycleControlDto): Promise<CycleActionView> {
    return this.cycles.cancel(user, id, dto.reason);
  }

  @Post(':id/stages/:stageId/extend')
  @HttpCode(202)
  @Roles('ministry_admin')
  @ApiOperation({
    summary:
      'Ask to extend a stage for everyone (open tasks move to the new deadline, later ones start with it); runs when a second person of the ministry confirms',
  })
  @ApiAcceptedResponse({ type: CycleActionView, description: 'The request waiting for a second person' })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  @ApiResponse({ status: 409, description: 'An extension of this stage already waits for confirmation' })
  @ApiResponse({ status: 422, description: 'Not possible in the cycle\'s state (already paused, closed…); the reason says why' })
  extend(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('stageId') stageId: string,
    @Body() dto: ExtendStageDto,
  ): Promise<CycleActionView> {
    return this.cycles.extendStage(user, id, stageId, dto);
  }

  @Post(':id/steps/:stepKey/deadline')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({
    summary:
      'Set the date of a step the roadmap left «по специальному графику»: its tasks are issued with it, with reminders from then on. ' +
      'Set once, at once: it fills in the roadmap, overriding no one\'s deadline; a date set is moved only by extending the stage (four eyes) or a task',
  })
  @ApiOkResponse({ type: CycleView, description: 'The date is set' })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  @ApiResponse({ status: 422, description: 'Not a step left «по специальному графику», its date already set, a date past its latest, or the cycle closed' })
  setStepDeadline(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('stepKey') stepKey: string,
    @Body() dto: SetStepDeadlineDto,
  ): Promise<CycleView> {
    return this.cycles.setStepDeadline(user, id, stepKey, dto);
  }
}
