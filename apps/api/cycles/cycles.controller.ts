import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import { CycleControlDto, DryRunDto, ExtendStageDto, LaunchCycleDto, SetStepDeadlineDto, TemplateUploadDto, TemplateVersionQueryDto } from './cycle.dto';
import { CyclesService, type CycleView } from './cycles.service';
import { TemplatesService } from './templates.service';
import { CYCLE_TEMPLATE_SCHEMA } from '../../../libs/templates';

@ApiTags('templates')
@ApiBearerAuth()
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get('schema')
  @Public()
  @ApiOperation({ summary: 'The JSON Schema of cycle templates (draft 2020-12)' })
  schema(): unknown {
    return CYCLE_TEMPLATE_SCHEMA;
  }

  @Get()
  @ApiOperation({ summary: 'Templates, latest version of each' })
  list(@CurrentUser() user: AuthUser) {
    return this.templates.list(user);
  }

  @Post('validate')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check a template without storing it: every problem with its path' })
  validate(@Body() dto: TemplateUploadDto) {
    const { valid, problems } = this.templates.validate(dto.source, dto.format);
    return { valid, problems };
  }

  @Post()
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Store a new template version (YAML or JSON); invalid templates are refused with every problem' })
  @ApiResponse({ status: 422, description: 'The template has problems; `problems` lists each with its path' })
  upload(@CurrentUser() user: AuthUser, @Body() dto: TemplateUploadDto) {
    return this.templates.upload(user, dto.source, dto.format);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A template version: document, source text and the list of versions' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: TemplateVersionQueryDto) {
    return this.templates.get(user, id, query.version);
  }

  @Post(':id/dry-run')
  @HttpCode(200)
  @Roles('ministry_admin', 'ministry_reviewer', 'institute_curator', 'auditor')
  @ApiOperation({ summary: 'The whole schedule before launch: every task, deadline, reminder and escalation' })
  dryRun(@CurrentUser() user: AuthUser, @Param('id') id: string, @Query() query: TemplateVersionQueryDto, @Body() dto: DryRunDto) {
    const organizations = dto.schools
      ? { schools: dto.schools, municipalities: [...new Set(dto.schools.map((s) => s.municipalityId))] }
      : undefined;
    return this.templates.dryRun(user, id, query.version, dto.academicYear, organizations, dto.adoptRegionTimeZone);
  }
}

@ApiTags('cycles')
@ApiBearerAuth()
@ApiResponse({ status: 403, description: 'Not allowed; the reason says why' })
@Controller('cycles')
export class CyclesController {
  constructor(private readonly cycles: CyclesService) {}

  @Post()
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Launch the yearly cycle of the ministry\'s region from a template version' })
  @ApiResponse({ status: 409, description: 'The region\'s cycle for that academic year exists' })
  @ApiResponse({ status: 422, description: 'Dates outside the production calendar, or a template written for another time zone (see adoptRegionTimeZone)' })
  launch(@CurrentUser() user: AuthUser, @Body() dto: LaunchCycleDto): Promise<CycleView> {
    return this.cycles.launch(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Cycles of the user\'s region (all regions for auditors)' })
  list(@CurrentUser() user: AuthUser): Promise<CycleView[]> {
    return this.cycles.list(user);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A cycle with its live progress per stage' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CycleView> {
    return this.cycles.get(user, id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Pause: no new task is issued until resumed (tasks already issued keep their deadlines)' })
  pause(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CycleControlDto): Promise<CycleView> {
    return this.cycles.pause(user, id, dto.reason);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Resume a paused cycle' })
  resume(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CycleControlDto): Promise<CycleView> {
    return this.cycles.resume(user, id, dto.reason);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Cancel the cycle and every open task in it' })
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CycleControlDto): Promise<CycleView> {
    return this.cycles.cancel(user, id, dto.reason);
  }

  @Post(':id/stages/:stageId/extend')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Extend a stage for everyone: open tasks move to the new deadline, later ones start with it' })
  extend(@CurrentUser() user: AuthUser, @Param('id') id: string, @Param('stageId') stageId: string, @Body() dto: ExtendStageDto): Promise<CycleView> {
    return this.cycles.extendStage(user, id, stageId, dto);
  }

  @Post(':id/steps/:stepKey/deadline')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({
    summary: 'Set the date of a step the roadmap left «по специальному графику»: its tasks are issued with it, with reminders from then on',
  })
  setStepDeadline(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Param('stepKey') stepKey: string,
    @Body() dto: SetStepDeadlineDto,
  ): Promise<CycleView> {
    return this.cycles.setStepDeadline(user, id, stepKey, dto);
  }
}
