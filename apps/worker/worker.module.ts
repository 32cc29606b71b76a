import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../libs/config';
import { PlatformModule } from '../../libs/platform';
import { AuditCheckpointService } from './audit-checkpoint.service';
import { HistoryArchiverService } from './history-archiver.service';
import { TemporalWorkerService } from './temporal-worker.service';

/** The worker process: no HTTP routes, only the Temporal worker and the services its activities use. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(config)],
      providers: [TemporalWorkerService, HistoryArchiverService, AuditCheckpointService],
    };
  }
}
