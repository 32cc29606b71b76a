import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/decorators';
import { LatenessRiskQueryDto, LatenessRiskView } from './lateness-risk.dto';
import { LATENESS_RISK_REGION_READERS, LatenessRiskService } from './lateness-risk.service';

@ApiTags('cycles')
@ApiBearerAuth()
@ApiResponse({ status: 400, description: 'Malformed query; `details` names each field' })
@ApiResponse({ status: 401, description: 'No valid token' })
@ApiResponse({ status: 403, description: 'A school, or a cycle of another region; the reason says why' })
@ApiResponse({ status: 404, description: 'No such cycle' })
@Controller('cycles/:cycleId/lateness-risk')
export class LatenessRiskController {
  constructor(private readonly latenessRisk: LatenessRiskService) {}

  @Get()
  @Roles(...LATENESS_RISK_REGION_READERS, 'municipal_coordinator')
  @ApiOperation({
    summary: 'Municipalities most likely to be late: ranked by their record in the cycle, with the reasons in Russian',
    description:
      'score = 0.5 × share of tasks late + 0.25 × min(1, escalations per task / 2) + 0.25 × min(1, mean working days late / 10), ' +
      'over the tasks of the municipality and its schools whose deadline has come (see libs/domain/analytics/README.md). ' +
      'The ministry, the institute and auditors see every municipality; a municipal coordinator only its own row, ranked among all.',
  })
  @ApiOkResponse({ type: LatenessRiskView })
  ranking(@CurrentUser() user: AuthUser, @Param('cycleId') cycleId: string, @Query() query: LatenessRiskQueryDto): Promise<LatenessRiskView> {
    return this.latenessRisk.ranking(user, cycleId, query.minTasks);
  }
}
