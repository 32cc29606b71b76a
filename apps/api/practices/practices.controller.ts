import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { OutcomesService } from './outcomes.service';
import {
  InternshipSitesQueryDto,
  InternshipSiteView,
  OutcomeView,
  PracticeListView,
  PracticeView,
  SearchPracticesQueryDto,
  SetOutcomeDto,
  WithdrawPracticeDto,
} from './practice.dto';
import { PracticesService } from './practices.service';
import { uuidParam } from './uuid.pipe';

@ApiTags('best practices')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller('practices')
export class PracticesController {
  constructor(private readonly practices: PracticesService) {}

  @Get()
  @AnyLoggedIn('region')
  @ApiOperation({
    summary: 'Search the bank of best practices (full text, Russian stemming), best match first, with highlighted fragments',
    description: 'Any logged-in user. Only published practices. `titleHtml` and `snippetHtml` are HTML-escaped with matches in <mark>.',
  })
  @ApiOkResponse({ type: PracticeListView })
  search(@Query() query: SearchPracticesQueryDto): Promise<PracticeListView> {
    return this.practices.search(query);
  }

  @Get(':id')
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'One practice in full; a withdrawn one says when, by whom and why' })
  @ApiOkResponse({ type: PracticeView })
  @ApiResponse({ status: 404, description: 'No such practice' })
  get(@Param('id', uuidParam('идентификатор практики')) id: string): Promise<PracticeView> {
    return this.practices.get(id);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: 'Withdraw a practice from the bank (the publishing ministry); recorded in the audit log' })
  @ApiOkResponse({ type: PracticeView })
  @ApiResponse({ status: 403, description: 'Not the ministry that published it' })
  @ApiResponse({ status: 404, description: 'No such practice' })
  @ApiResponse({ status: 409, description: 'Already withdrawn' })
  withdraw(
    @CurrentUser() user: AuthUser,
    @Param('id', uuidParam('идентификатор практики')) id: string,
    @Body() dto: WithdrawPracticeDto,
  ): Promise<PracticeView> {
    return this.practices.withdraw(user, id, dto.reason);
  }
}

@ApiTags('best practices')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@Controller()
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  @Post('cycles/:cycleId/participants/:schoolId/outcome')
  @HttpCode(200)
  @Roles('ministry_admin')
  @ApiOperation({ summary: "A participant school's outcome: continues, leaves the list, or becomes an internship site" })
  @ApiOkResponse({ type: OutcomeView })
  @ApiResponse({ status: 403, description: 'Not the ministry that launched the cycle' })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  @ApiResponse({ status: 409, description: 'The cycle is cancelled' })
  @ApiResponse({ status: 422, description: 'The school is not on the approved list' })
  setOutcome(
    @CurrentUser() user: AuthUser,
    @Param('cycleId') cycleId: string,
    @Param('schoolId') schoolId: string,
    @Body() dto: SetOutcomeDto,
  ): Promise<OutcomeView> {
    return this.outcomes.setOutcome(user, cycleId, schoolId, dto.outcome, dto.reason);
  }

  @Get('internship-sites')
  @AnyLoggedIn('region')
  @ApiOperation({ summary: 'Internship sites: schools whose latest outcome made them one (any logged-in user)' })
  @ApiOkResponse({ type: [InternshipSiteView] })
  internshipSites(@Query() query: InternshipSitesQueryDto): Promise<InternshipSiteView[]> {
    return this.outcomes.internshipSites(query.regionCode);
  }
}
