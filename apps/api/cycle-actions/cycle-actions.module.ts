import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CyclesModule } from '../cycles/cycles.module';
import { CycleActionsController } from './cycle-actions.controller';
import { CycleActionsService } from './cycle-actions.service';

/** Four eyes on a cycle's launch, cancellation and deadline overrides: the requests and their confirmation. */
@Module({
  imports: [AuthModule, CyclesModule],
  controllers: [CycleActionsController],
  providers: [CycleActionsService],
})
export class CycleActionsModule {}
