import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../libs/config';
import { seedDemoRegion } from '../../libs/persistence';
import { ApiModule } from './api.module';
import { fastifyErrorBody, HttpExceptionFilter } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';

/** Builds the API application; `main.ts` listens, tests listen on a free port. */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.forRoot(config),
    new FastifyAdapter({
      bodyLimit: config.http.maxBodyBytes,
      frameworkErrors: (error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
        const body = fastifyErrorBody(error);
        void reply.code(body.statusCode).send(body);
      },
    }),
    { logger: ['error', 'warn', 'log'] },
  );
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Uplift API')
      .setDescription('Deadline-driven tasks of the yearly support programme for low-performing schools')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /api/auth/login gives the token' })
      .addSecurityRequirements('bearer')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });

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
