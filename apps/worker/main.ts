import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '../../libs/config';
import { WorkerModule } from './worker.module';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { bufferLogs: false });
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((err: unknown) => {
  new Logger('Worker').error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
