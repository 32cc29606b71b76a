import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';

/** The monitoring stage read back: reports and the dynamics of their indicators. */
@Module({
  imports: [AuthModule],
  controllers: [MonitoringController],
  providers: [MonitoringService],
})
export class MonitoringModule {}
