import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ExtensionsController } from './extensions.controller';
import { ExtensionsService } from './extensions.service';

/** Requests for a later deadline and the supervising ministry's decisions on them. */
@Module({
  imports: [AuthModule],
  controllers: [ExtensionsController],
  providers: [ExtensionsService],
})
export class ExtensionsModule {}
