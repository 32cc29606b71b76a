import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OutcomesService } from './outcomes.service';
import { OutcomesController, PracticesController } from './practices.controller';
import { PracticesService } from './practices.service';

/** The bank of best practices and the participants' outcomes (leaving the list, internship sites). */
@Module({
  imports: [AuthModule],
  controllers: [PracticesController, OutcomesController],
  providers: [PracticesService, OutcomesService],
})
export class PracticesModule {}
