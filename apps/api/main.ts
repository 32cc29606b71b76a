import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../libs/config';
import { createApiApp } from './api-app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.http.port, config.http.host);
  new Logger('Api').log(`listening on http://${config.http.host}:${config.http.port}/api (docs: /api/docs)`);
}

bootstrap().catch((err: unknown) => {
  new Logger('Api').error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
