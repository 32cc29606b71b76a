import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { AnyLoggedIn, CurrentUser } from '../auth/decorators';
import { DynamicsQueryDto, DynamicsView, ReportsQueryDto, ReportsView } from './monitoring.dto';
import { MonitoringService } from './monitoring.service';

@ApiTags('monitoring')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed query; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'A cycle of another region; the reason says why' })
@ApiResponse({ status: 404, description: 'No such cycle' })
@ApiResponse({ status: 422, description: 'The plan has no monitoring, or the indicator or period is not in it' })
@Controller('cycles/:cycleId/monitoring')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  @Get('dynamics')
  @AnyLoggedIn('organization')
  @ApiOperation({
    summary: 'Dynamics of the monitoring indicators per school and per municipality, and which reports are missing or late',
    description:
      'Within what the user may read: a municipal coordinator sees its schools, a school itself; the ministry, the institute and auditors see all.',
  })
  @ApiOkResponse({ type: DynamicsView })
  dynamics(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Query() query: DynamicsQueryDto): Promise<DynamicsView> {
    return this.monitoring.dynamics(user, cycleId, query.indicator);
  }

  @Get('reports')
  @AnyLoggedIn('organization')
  @ApiOperation({ summary: 'Monitoring reports with their values (every version), optionally of one period' })
  @ApiOkResponse({ type: ReportsView })
  reports(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Query() query: ReportsQueryDto): Promise<ReportsView> {
    return this.monitoring.reports(user, cycleId, query.periodId);
  }
}
