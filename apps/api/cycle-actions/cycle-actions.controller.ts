import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import {
  CycleActionListQueryDto,
  CycleActionListView,
  CycleActionView,
  RefuseCycleActionDto,
  WithdrawCycleActionDto,
} from './cycle-action.dto';
import { CycleActionsService } from './cycle-actions.service';

@ApiTags('cycle-actions')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not allowed; the reason says why' })
@Controller('cycle-actions')
export class CycleActionsController {
  constructor(private readonly actions: CycleActionsService) {}

  @Get()
  @Roles('ministry_admin', 'ministry_reviewer', 'auditor')
  @ApiOperation({ summary: 'Four-eyes requests on cycles (launch, cancel, deadline overrides) of the user\'s region, newest first' })
  @ApiOkResponse({ type: CycleActionListView })
  list(@CurrentUser() user: AuthUser, @Query() query: CycleActionListQueryDto): Promise<CycleActionListView> {
    return this.actions.list(user, query);
  }

  @Get(':id')
  @Roles('ministry_admin', 'ministry_reviewer', 'auditor')
  @ApiOperation({ summary: 'One request: what confirming it does, who asked, until when it may be confirmed' })
  @ApiOkResponse({ type: CycleActionView })
  @ApiResponse({ status: 404, description: 'No such request' })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CycleActionView> {
    return this.actions.get(user, id);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Roles('ministry_admin', 'ministry_reviewer')
  @ApiOperation({
    summary:
      'Confirm another person\'s request: its stored command runs once. When the command fails (Temporal away, the cycle ' +
      'changed), the error is answered and kept on the request, which stays confirmable until it expires',
  })
  @ApiOkResponse({ type: CycleActionView, description: 'Confirmed and done; `cycle` is the cycle afterwards' })
  @ApiResponse({ status: 404, description: 'No such request' })
  @ApiResponse({ status: 409, description: 'Already confirmed, running, refused, withdrawn or expired' })
  @ApiResponse({ status: 422, description: 'The command was refused by the cycle (its state changed); the request stays pending' })
  @ApiResponse({ status: 503, description: 'Temporal is unreachable; the request stays pending' })
  confirm(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<CycleActionView> {
    return this.actions.confirm(user, id);
  }

  @Post(':id/refuse')
  @HttpCode(200)
  @Roles('ministry_admin', 'ministry_reviewer')
  @ApiOperation({ summary: 'Refuse another person\'s request, with a reason: nothing runs' })
  @ApiOkResponse({ type: CycleActionView })
  @ApiResponse({ status: 404, description: 'No such request' })
  @ApiResponse({ status: 409, description: 'Already confirmed, running, refused, withdrawn or expired' })
  refuse(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: RefuseCycleActionDto): Promise<CycleActionView> {
    return this.actions.refuse(user, id, dto.reason);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @Roles('ministry_admin', 'ministry_reviewer')
  @ApiOperation({ summary: 'Withdraw one\'s own request: nothing runs' })
  @ApiOkResponse({ type: CycleActionView })
  @ApiResponse({ status: 404, description: 'No such request' })
  @ApiResponse({ status: 409, description: 'Already confirmed, running, refused, withdrawn or expired' })
  withdraw(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: WithdrawCycleActionDto): Promise<CycleActionView> {
    return this.actions.withdraw(user, id, dto.reason);
  }
}
