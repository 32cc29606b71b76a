import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { IdentificationModule } from '../identification/identification.module';
import { CuratorsController } from './curators.controller';
import { CuratorsService } from './curators.service';

/** Curators of participant schools: naming, removal and the cycle's list. Their read access lives in AccessPolicy. */
@Module({
  imports: [AuthModule, IdentificationModule],
  controllers: [CuratorsController],
  providers: [CuratorsService],
})
export class CuratorsModule {}
