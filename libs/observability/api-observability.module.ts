import { Inject, Injectable, Logger, Module, RequestMethod, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { metricsPort, type AppConfig } from '../config';
import { REQUEST_ID_HTTP_HEADER } from './headers';
import { ApiNestLogger, createLogger } from './logger';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { acceptRequestId } from './request-id';

/** The API's metrics port when METRICS_PORT is not set (the worker's is 9464: both fit on one machine). */
export const API_METRICS_PORT_DEFAULT = 9465;

const API_OBSERVABILITY_OPTIONS = Symbol('API_OBSERVABILITY_OPTIONS');

interface ApiObservabilityOptions {
  logger: PinoLogger;
  metrics?: { host: string; port: number };
}

/** Health probes come every few seconds from the orchestrator: a line each would bury the requests that matter. */
const UNLOGGED_PATHS = /^\/api\/health(\/|\?|$)/;

/**
 * Fastify's `genReqId`: the request id of a request (which pino-http and so every log line of it take over), the
 * caller's X-Request-Id when well-formed, otherwise a new UUID. `registerRequestIdHeader` returns it.
 */
export function requestIdOf(request: IncomingMessage): string {
  return acceptRequestId(request.headers[REQUEST_ID_HTTP_HEADER]);
}

/** Returns each request's id in its X-Request-Id response header, on every answer (errors and 404s too). */
export function registerRequestIdHeader(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    done();
  });
}

@Injectable()
class ApiMetricsEndpoint implements OnApplicationBootstrap, OnApplicationShutdown {
  private server?: MetricsServer;

  constructor(@Inject(API_OBSERVABILITY_OPTIONS) private readonly options: ApiObservabilityOptions) {}

  async onApplicationBootstrap(): Promise<void> {
    const { metrics, logger } = this.options;
    if (metrics) this.server = await startMetricsServer({ ...metrics, logger });
    else new Logger('Metrics').debug('no metrics endpoint (METRICS_PORT=0, or a test)');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}

/**
 * The API's logs and metrics: one JSON line per request (method, route, status, time) with its `requestId` (see
 * requestIdOf: also on every log line of the request and on its Temporal calls), and /metrics on a port of its own.
 */
@Module({})
export class ApiObservabilityModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Hand-built configs (tests) log warnings and errors only.
    const logger = createLogger('uplift-api', config.observability?.logLevel ?? 'warn');
    const port = metricsPort(config, API_METRICS_PORT_DEFAULT);
    const options: ApiObservabilityOptions = {
      logger,
      metrics: port === undefined ? undefined : { host: config.observability?.metrics?.host ?? '0.0.0.0', port },
    };
    return {
      module: ApiObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          // Every route under the global prefix (nestjs-pino's default '*' is a pattern Nest 11 no longer takes).
          forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
          pinoHttp: {
            logger,
            // Lines logged during a request carry only its id; the request itself is described once, when answered.
            quietReqLogger: true,
            customAttributeKeys: { reqId: 'requestId' },
            // originalUrl: the middleware layer strips the path it is mounted at from `url`.
            autoLogging: { ignore: (request) => UNLOGGED_PATHS.test((request as { originalUrl?: string }).originalUrl ?? request.url ?? '') },
            // A refused request (4xx) is the caller's business; the operator's are the answers the API could not give.
            customLogLevel: (_request, response, err) => (err || response.statusCode >= 500 ? 'error' : 'info'),
            // No headers: they hold session cookies, bearer tokens and CSRF tokens.
            serializers: {
              req: (request: { method?: string; url?: string; remoteAddress?: string }) => ({
                method: request.method,
                url: request.url,
                remoteAddress: request.remoteAddress,
              }),
              res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
            },
          },
        }),
      ],
      providers: [{ provide: API_OBSERVABILITY_OPTIONS, useValue: options }, ApiNestLogger, ApiMetricsEndpoint],
      exports: [ApiNestLogger],
    };
  }
}
