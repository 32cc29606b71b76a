import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CyclesModule } from '../cycles/cycles.module';
import { DocumentsModule } from '../documents/documents.module';
import { FileTemplatesController } from './file-templates.controller';
import { IdentificationController } from './identification.controller';
import { IdentificationService } from './identification.service';
import { RegionDirectory } from './region-directory';

/** Identification files (and their templates), the ranking and the approved list of participant schools. */
@Module({
  imports: [AuthModule, CyclesModule, DocumentsModule],
  controllers: [IdentificationController, FileTemplatesController],
  providers: [IdentificationService, RegionDirectory],
  exports: [IdentificationService, RegionDirectory],
})
export class IdentificationModule {}
