import { Global, Module } from '@nestjs/common';
import type { AppConfig } from '../../../libs/config';
import { APP_CONFIG } from '../../../libs/platform';
import { TemporalGateway } from './temporal-gateway';
import { TaskUpdates } from './task-updates';

export { TemporalGateway } from './temporal-gateway';

@Global()
@Module({
  providers: [
    { provide: TemporalGateway, useFactory: (config: AppConfig) => new TemporalGateway(config), inject: [APP_CONFIG] },
    TaskUpdates,
  ],
  exports: [TemporalGateway, TaskUpdates],
})
export class TemporalClientModule {}
