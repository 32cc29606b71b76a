import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { AgreementView, ConfirmAgreementDto, ConfirmationView, PairsView, ProposePairsDto, SuggestionsQueryDto, SuggestionsView } from './partnership.dto';
import { PartnershipsService } from './partnerships.service';

@ApiTags('partnerships')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not allowed; the reason says why' })
@Controller()
export class PartnershipsController {
  constructor(private readonly partnerships: PartnershipsService) {}

  @Get('cycles/:cycleId/partners/suggestions')
  @Roles('ministry_admin', 'ministry_reviewer', 'municipal_coordinator')
  @ApiOperation({ summary: 'Partner schools suggested for a participant school: strong results, nearby, not overloaded' })
  @ApiOkResponse({ type: SuggestionsView })
  @ApiResponse({ status: 404, description: 'No such cycle, or the school is not on its approved list' })
  suggestions(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Query() query: SuggestionsQueryDto): Promise<SuggestionsView> {
    return this.partnerships.suggestions(user, cycleId, query.schoolId, query.limit);
  }

  @Post('tasks/:taskId/pairs')
  @HttpCode(200)
  @Roles('municipal_coordinator')
  @ApiOperation({ summary: 'Propose one partner for every participant school of the municipality; completes propose_pairs' })
  @ApiResponse({ status: 422, description: 'A school without a pair, a partner that participates, is unknown or overloaded' })
  @ApiOkResponse({ type: PairsView })
  @ApiResponse({ status: 404, description: 'No such task' })
  @ApiResponse({ status: 409, description: 'The task is closed' })
  pairs(@CurrentUser() user: AuthUser, @Param('taskId') taskId: string, @Body() dto: ProposePairsDto): Promise<PairsView> {
    return this.partnerships.proposePairs(user, taskId, dto);
  }

  @Post('tasks/:taskId/confirm-agreement')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Confirm an agreement as one of its parties; the municipality attaches the signed document' })
  @ApiResponse({ status: 422, description: 'The municipality\'s confirmation without the signed document' })
  @ApiOkResponse({ type: ConfirmationView })
  @ApiResponse({ status: 404, description: 'No such task or agreement' })
  @ApiResponse({ status: 409, description: 'The task is closed, or the agreement cancelled' })
  confirm(@CurrentUser() user: AuthUser, @Param('taskId') taskId: string, @Body() dto: ConfirmAgreementDto): Promise<ConfirmationView> {
    return this.partnerships.confirm(user, taskId, dto);
  }

  @Get('cycles/:cycleId/agreements')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'The cycle\'s partner agreements the user may see, with their confirmations' })
  @ApiOkResponse({ type: [AgreementView] })
  @ApiResponse({ status: 404, description: 'No such cycle' })
  agreements(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string): Promise<AgreementView[]> {
    return this.partnerships.agreements(user, cycleId);
  }
}
