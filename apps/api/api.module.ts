import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from '../../libs/config';
import { PlatformModule } from '../../libs/platform';
import { AuditApiModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { withIdempotencyKeys } from './common/idempotency';
import { CuratorsModule } from './curators/curators.module';
import { CyclesModule } from './cycles/cycles.module';
import { CycleActionsModule } from './cycle-actions/cycle-actions.module';
import { DocumentsModule } from './documents/documents.module';
import { ExtensionsModule } from './extensions/extensions.module';
import { HealthController } from './health/health.controller';
import { IdentificationModule } from './identification/identification.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { OrganizationsController, PeopleController } from './organizations/organizations.controller';
import { OrganizationsService } from './organizations/organizations.service';
import { PartnershipsModule } from './partnerships/partnerships.module';
import { PracticesModule } from './practices/practices.module';
import { TasksController } from './tasks/tasks.controller';
import { TasksService } from './tasks/tasks.service';
import { TemporalClientModule } from './temporal/temporal-client.module';
import { TemporalCodecModule } from './temporal/temporal-codec.module';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return withIdempotencyKeys({
      module: ApiModule,
      imports: [PlatformModule.forRoot(config), TemporalClientModule, AuthModule, CyclesModule, CycleActionsModule, MonitoringModule, PracticesModule, ExtensionsModule, AuditApiModule, DocumentsModule, IdentificationModule, PartnershipsModule, CuratorsModule, TemporalCodecModule],
      controllers: [HealthController, OrganizationsController, PeopleController, TasksController],
      providers: [OrganizationsService, TasksService],
    });
  }
}
