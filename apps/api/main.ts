import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { loadConfig } from '../../libs/config';
import { createLogger, installTracing } from '../../libs/observability';
import { createApiApp } from './api-app';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  // Before the Temporal client is built: it takes the tracing interceptors when a collector is configured.
  const tracing = await installTracing('uplift-api', config.observability?.otlpEndpoint);
  const app = await createApiApp(config);
  if (tracing) app.getHttpAdapter().getInstance().addHook('onClose', async () => tracing.shutdown());
  await app.listen(config.http.port, config.http.host);
  new Logger('Api').log(`listening on http://${config.http.host}:${config.http.port}/api (docs: /api/docs)`);
}

bootstrap().catch((err: unknown) => {
  // The configuration may be what failed: the error still comes out as one JSON line.
  createLogger('uplift-api', 'info').fatal({ context: 'Api', err }, err instanceof Error ? err.message : String(err));
  process.exit(1);
});
