import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CancelTaskDto, CompleteTaskDto, CreateTaskDto, ExtendTaskDto, ListTasksQueryDto, ReassignTaskDto } from './task.dto';
import { CompletionView, TaskDetailView, TaskListView, TaskView } from './task.views';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiResponse({ status: 400, description: 'Malformed input; `details` lists each field' })
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @ApiOperation({ summary: 'Create a deadline task and start its workflow' })
  @ApiCreatedResponse({ type: TaskView })
  @ApiResponse({ status: 409, description: 'A task with this key exists' })
  @ApiResponse({ status: 422, description: 'Unknown organisation or person, a past deadline, outside the calendar' })
  create(@Body() dto: CreateTaskDto): Promise<TaskView> {
    return this.tasks.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'Inbox: tasks by organisation, status and due date' })
  @ApiOkResponse({ type: TaskListView })
  list(@Query() query: ListTasksQueryDto): Promise<TaskListView> {
    return this.tasks.list(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One task with its timeline and e-mails' })
  @ApiOkResponse({ type: TaskDetailView })
  @ApiResponse({ status: 404 })
  get(@Param('id') id: string): Promise<TaskDetailView> {
    return this.tasks.get(id);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete the task; the answer says whether it was late' })
  @ApiOkResponse({ type: CompletionView })
  @ApiResponse({ status: 409, description: 'Already completed, or cancelled' })
  complete(@Param('id') id: string, @Body() dto: CompleteTaskDto): Promise<CompletionView> {
    return this.tasks.complete(id, dto);
  }

  @Post(':id/extend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move the deadline later, with a reason and who decided' })
  @ApiOkResponse({ type: TaskView })
  extend(@Param('id') id: string, @Body() dto: ExtendTaskDto): Promise<TaskView> {
    return this.tasks.extend(id, dto);
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give the task to another organisation' })
  @ApiOkResponse({ type: TaskView })
  reassign(@Param('id') id: string, @Body() dto: ReassignTaskDto): Promise<TaskView> {
    return this.tasks.reassign(id, dto);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel the task; reminders and escalations stop' })
  @ApiOkResponse({ type: TaskView })
  cancel(@Param('id') id: string, @Body() dto: CancelTaskDto): Promise<TaskView> {
    return this.tasks.cancel(id, dto);
  }
}
