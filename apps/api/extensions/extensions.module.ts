import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CyclesModule } from '../cycles/cycles.module';
import { ExtensionsController } from './extensions.controller';
import { ExtensionsService } from './extensions.service';

/** Requests for a later deadline and the supervising ministry's decisions on them. */
@Module({
  imports: [AuthModule, CyclesModule],
  controllers: [ExtensionsController],
  providers: [ExtensionsService],
})
export class ExtensionsModule {}
