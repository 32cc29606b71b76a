import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DocumentsController } from './documents.controller';
import { DocumentsService } from './documents.service';
import { RawUploadParsers } from './raw-upload';

/** Document upload and download, and the raw-body parsing every file route (documents, identification files) uses. */
@Module({
  imports: [AuthModule],
  controllers: [DocumentsController],
  providers: [DocumentsService, RawUploadParsers],
  exports: [DocumentsService],
})
export class DocumentsModule {}
