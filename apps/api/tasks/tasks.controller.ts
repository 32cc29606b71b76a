import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser, Roles } from '../auth/decorators';
import { CancelTaskDto, CompleteTaskDto, CreateTaskDto, ExtendTaskDto, ListTasksQueryDto, ReassignTaskDto } from './task.dto';
import { CompletionView, TaskDetailView, TaskListView, TaskView } from './task.views';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed input; `details` lists each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: "Outside the user's scope or role; `message` says why" })
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @Roles('ministry_admin', 'ministry_reviewer')
  @ApiOperation({ summary: 'Create a deadline task and start its workflow (ministry administrator or reviewer)' })
  @ApiCreatedResponse({ type: TaskView })
  @ApiResponse({ status: 409, description: 'A task with this key exists' })
  @ApiResponse({ status: 422, description: 'Unknown organisation or person, a past deadline, outside the calendar' })
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateTaskDto): Promise<TaskView> {
    return this.tasks.create(user, dto);
  }

  @Get()
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Inbox: tasks by organisation, status and due date' })
  @ApiOkResponse({ type: TaskListView })
  list(@CurrentUser() user: AuthUser, @Query() query: ListTasksQueryDto): Promise<TaskListView> {
    return this.tasks.list(user, query);
  }

  @Get(':id')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'One task with its timeline and e-mails' })
  @ApiOkResponse({ type: TaskDetailView })
  @ApiResponse({ status: 404 })
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<TaskDetailView> {
    return this.tasks.get(user, id);
  }

  @Post(':id/complete')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete the task (its assignee, or a deputy); the answer says whether it was late' })
  @ApiOkResponse({ type: CompletionView })
  @ApiResponse({ status: 409, description: 'Already completed, or cancelled' })
  complete(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CompleteTaskDto): Promise<CompletionView> {
    return this.tasks.complete(user, id, dto);
  }

  @Post(':id/extend')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the deadline later, with a reason (ministry administrator or reviewer of the supervisor)' })
  @ApiOkResponse({ type: TaskView })
  extend(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: ExtendTaskDto): Promise<TaskView> {
    return this.tasks.extend(user, id, dto);
  }

  @Post(':id/reassign')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the task to another organisation' })
  @ApiOkResponse({ type: TaskView })
  reassign(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: ReassignTaskDto): Promise<TaskView> {
    return this.tasks.reassign(user, id, dto);
  }

  @Post(':id/cancel')
  @AnyLoggedIn('organization')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the task; reminders and escalations stop' })
  @ApiOkResponse({ type: TaskView })
  cancel(@CurrentUser() user: AuthUser, @Param('id') id: string, @Body() dto: CancelTaskDto): Promise<TaskView> {
    return this.tasks.cancel(user, id, dto);
  }
}
