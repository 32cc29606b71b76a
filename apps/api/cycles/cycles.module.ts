import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CycleTaskService } from './cycle-task.service';
import { CyclesController, TemplatesController } from './cycles.controller';
import { CyclesService } from './cycles.service';
import { LatenessRiskController } from './lateness-risk.controller';
import { LatenessRiskService } from './lateness-risk.service';
import { SubmissionsController } from './submissions.controller';
import { SubmissionsService } from './submissions.service';
import { TemplatesService } from './templates.service';

/** Templates, cycles and the hand-in/review of cycle tasks. Other stage modules build on CycleTaskService. */
@Module({
  imports: [AuthModule],
  controllers: [TemplatesController, CyclesController, SubmissionsController, LatenessRiskController],
  providers: [TemplatesService, CyclesService, CycleTaskService, SubmissionsService, LatenessRiskService],
  exports: [CycleTaskService, TemplatesService, CyclesService],
})
export class CyclesModule {}
