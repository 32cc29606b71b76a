import fastifyCookie from '@fastify/cookie';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { defaultWebDistDir, LOGIN_PROTECTION_DEFAULTS, type AppConfig } from '../../libs/config';
import { ApiNestLogger, ApiObservabilityModule, httpRequestDuration, registerRequestIdHeader, requestIdOf } from '../../libs/observability';
import { seedDemoRegion } from '../../libs/persistence';
import { ApiModule } from './api.module';
import { registerLoginRateLimits } from './auth/login-rate-limits';
import { refuseHostileInput } from './common/hostile-input';
import { answerClientError, fastifyErrorBody, HttpExceptionFilter } from './common/http-exception.filter';
import { registerSecurityHeadersAndCompression } from './common/security-headers';
import { createValidationPipe } from './common/validation';
import { serveWebApp } from './web-app';

/** The OpenAPI document's settings, shared by the served document and the web app's generated types. */
export function apiDocumentConfig(): Omit<OpenAPIObject, 'paths'> {
  return new DocumentBuilder()
    .setTitle('Uplift API')
    .setDescription('Deadline-driven tasks of the yearly support programme for low-performing schools')
    .setVersion('0.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /api/auth/login gives the token' })
    .addCookieAuth(
      'uplift_session',
      {
        type: 'apiKey',
        in: 'cookie',
        name: 'uplift_session',
        description:
          'The browser session, set by POST /api/auth/session; writes also need X-CSRF-Token equal to the uplift_csrf cookie',
      },
      'cookie',
    )
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('cookie')
    .build();
}

/** The API's modules with its observability (JSON request logs, the metrics endpoint) beside them. */
@Module({})
class ApiProcessModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ApiProcessModule, imports: [ApiObservabilityModule.forRoot(config), ApiModule.forRoot(config)] };
  }
}

/** Builds the API application; `main.ts` listens, tests listen on a free port. */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiProcessModule.forRoot(config),
    new FastifyAdapter({
      bodyLimit: config.http.maxBodyBytes,
      // The client's address (the log-in limits' key) and scheme (HSTS) as the trusted proxies report them.
      trustProxy: config.http.trustProxy ?? false,
      // The caller's X-Request-Id when well-formed, otherwise a new UUID: in the logs, the answer and Temporal headers.
      genReqId: requestIdOf,
      frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
        const body = fastifyErrorBody(error);
        void reply.code(body.statusCode).send(body);
      },
      // Headers over Node's limit (431) and requests its parser cannot read: Russian JSON, not Fastify's English.
      clientErrorHandler: answerClientError,
    }),
    // Held until the JSON logger takes over, so that start-up lines come out as JSON too.
    { bufferLogs: true },
  );
  app.useLogger(app.get(ApiNestLogger));
  registerRequestIdHeader(app.getHttpAdapter().getInstance());
  // Time per route template (never the raw URL: ids would make a series each).
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      httpRequestDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
      done();
    });
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  await app.register(fastifyCookie);
  // Before any route and before the web app's hook: plugins that work per route (compression) must see them all,
  // and hooks that answer early (the web app, the rate limits) skip the hooks registered after them.
  await registerSecurityHeadersAndCompression(app, config.publicUrl);
  await registerLoginRateLimits(app, config.loginProtection ?? LOGIN_PROTECTION_DEFAULTS);
  refuseHostileInput(app.getHttpAdapter().getInstance());

  const document = SwaggerModule.createDocument(app, apiDocumentConfig());
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });

  const webDistDir = config.web?.distDir ?? defaultWebDistDir();
  if (await serveWebApp(app, webDistDir)) new Logger('WebApp').log(`serving the web app from ${webDistDir}`);

  if (config.seedDemo) {
    const seeded = await seedDemoRegion(app.get(DataSource), {
      password: config.auth.demoPassword,
      bcryptCost: config.auth.bcryptCost,
    });
    if (seeded.organizations || seeded.people || seeded.logins) {
      new Logger('Seed').log(
        `demo region: ${seeded.organizations} organisations, ${seeded.people} people, ${seeded.logins} log-ins added`,
      );
    }
    if (!config.auth.demoPassword) {
      new Logger('Seed').warn('DEMO_PASSWORD is not set: the demo users have roles but cannot log in');
    }
  }
  return app;
}
