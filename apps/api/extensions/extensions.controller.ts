import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { uuidParam } from '../practices/uuid.pipe';
import { CreateExtensionRequestDto, DecideExtensionRequestDto, ExtensionRequestView, ListExtensionRequestsQueryDto } from './extension.dto';
import { ExtensionsService } from './extensions.service';

@ApiTags('extension requests')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'Not allowed; the reason says why' })
@Controller()
export class ExtensionsController {
  constructor(private readonly extensions: ExtensionsService) {}

  @Post('tasks/:taskId/extension-requests')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: "Ask the task's supervising ministry for a later deadline (an organisation acting for the assignee)" })
  @ApiCreatedResponse({ type: ExtensionRequestView })
  @ApiResponse({ status: 404, description: 'No such task' })
  @ApiResponse({ status: 409, description: 'The task is closed, or a request for it is already pending' })
  @ApiResponse({ status: 422, description: 'The proposed deadline is not later than the current one, or has passed' })
  create(@CurrentUser() user: AuthUser, @Param('taskId') taskId: string, @Body() dto: CreateExtensionRequestDto): Promise<ExtensionRequestView> {
    return this.extensions.create(user, taskId, dto);
  }

  @Get('extension-requests')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: "Extension requests: the ministry sees its region's, an organisation its own" })
  @ApiOkResponse({ type: [ExtensionRequestView] })
  list(@CurrentUser() user: AuthUser, @Query() query: ListExtensionRequestsQueryDto): Promise<ExtensionRequestView[]> {
    return this.extensions.list(user, query.status);
  }

  @Post('extension-requests/:id/decision')
  @HttpCode(200)
  @Roles('ministry_admin', 'ministry_reviewer')
  @ApiOperation({ summary: "Grant (the task's deadline moves) or refuse a pending request, citing the basis" })
  @ApiOkResponse({ type: ExtensionRequestView })
  @ApiResponse({ status: 404, description: 'No such request' })
  @ApiResponse({ status: 409, description: 'Already decided, or the task closed meanwhile' })
  @ApiResponse({ status: 422, description: 'The proposed deadline has passed or is no longer later than the current one' })
  decide(
    @CurrentUser() user: AuthUser,
    @Param('id', uuidParam('идентификатор запроса на продление')) id: string,
    @Body() dto: DecideExtensionRequestDto,
  ): Promise<ExtensionRequestView> {
    return this.extensions.decide(user, id, dto);
  }
}
