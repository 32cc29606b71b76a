import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CyclesModule } from '../cycles/cycles.module';
import { DocumentsModule } from '../documents/documents.module';
import { IdentificationModule } from '../identification/identification.module';
import { PartnershipsController } from './partnerships.controller';
import { PartnershipsService } from './partnerships.service';

/** Partner suggestions, the municipalities' pairs and the agreements' confirmations. */
@Module({
  imports: [AuthModule, CyclesModule, DocumentsModule, IdentificationModule],
  controllers: [PartnershipsController],
  providers: [PartnershipsService],
})
export class PartnershipsModule {}
