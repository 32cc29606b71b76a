import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser } from '../auth/decorators';
import { CompareQueryDto, ComparisonView, ReviewDto, ReviewResultView, SubmitDto, SubmitResultView, VersionsView } from './submission.dto';
import { SubmissionsService } from './submissions.service';

@ApiTags('cycle tasks')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input or a form filled wrongly; `details` lists each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not this user\'s task; the reason says why' })
@ApiResponse({ status: 404, description: 'No such task, cycle or version' })
@ApiResponse({ status: 409, description: 'The task is already closed' })
@ApiResponse({ status: 422, description: 'The task asks for something else (a document, answers to remarks…)' })
@Controller()
export class SubmissionsController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Post('tasks/:id/submission')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hand in a plan, programme, report, practice or a performed measure; completes the task' })
  @ApiOkResponse({ type: SubmitResultView })
  submit(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: SubmitDto): Promise<SubmitResultView> {
    return this.submissions.submit(user, id, dto);
  }

  @Post('tasks/:id/review')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve, return with remarks, or reject the submission under review; completes the review task' })
  @ApiOkResponse({ type: ReviewResultView })
  review(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: ReviewDto): Promise<ReviewResultView> {
    return this.submissions.review(user, id, dto);
  }

  @Get('cycles/:cycleId/steps/:stepKey/subjects/:organizationId/versions')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Every version of one organisation\'s submission for a step, with all remarks and their status' })
  @ApiOkResponse({ type: VersionsView })
  versions(
    @CurrentUser() user: AuthUser,
    @Param('cycleId') cycleId: string,
    @Param('stepKey') stepKey: string,
    @Param('organizationId') organizationId: string,
  ): Promise<VersionsView> {
    return this.submissions.versions(user, cycleId, stepKey, organizationId);
  }

  @Get('cycles/:cycleId/steps/:stepKey/subjects/:organizationId/compare')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Two versions side by side, field by field, with the remarks the later one answers' })
  @ApiOkResponse({ type: ComparisonView })
  compare(
    @CurrentUser() user: AuthUser,
    @Param('cycleId') cycleId: string,
    @Param('stepKey') stepKey: string,
    @Param('organizationId') organizationId: string,
    @Query() query: CompareQueryDto,
  ): Promise<ComparisonView> {
    return this.submissions.compare(user, cycleId, stepKey, organizationId, query.from, query.to);
  }
}
