import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../../libs/config';
import { InjectConfig } from '../../../libs/platform';
import { TEMPORAL_CODEC_PATH, TemporalCodecController } from './temporal-codec.controller';
import { TemporalCodecService } from './temporal-codec.service';

const CODEC_PREFIX = `/api/${TEMPORAL_CODEC_PATH}/`;

/**
 * The Web UI's codec endpoint. CORS (Nest's own, @fastify/cors) answers only for this path and only to the origins of
 * TEMPORAL_UI_ORIGINS, with credentials so the session cookie goes along; every other route stays same-origin.
 */
@Module({
  controllers: [TemporalCodecController],
  providers: [TemporalCodecService],
})
export class TemporalCodecModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const origins = this.config.temporal.uiOrigins ?? [];
    const codec = {
      origin: origins,
      credentials: true,
      methods: ['POST'],
      allowedHeaders: ['Content-Type', 'X-Namespace', 'Authorization'],
      maxAge: 600,
    };
    this.adapterHost.httpAdapter.enableCors(
      (request: FastifyRequest, callback: (error: Error | null, options: typeof codec | { origin: false }) => void) => {
        callback(null, origins.length > 0 && request.url.startsWith(CODEC_PREFIX) ? codec : { origin: false });
      },
    );
  }
}
