import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger as PinoLogger } from 'pino';
import { metricsRegistry } from './metrics';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** The Temporal SDK's own exporter (the worker's): its text is appended to ours. */
  temporalSdkMetricsUrl?: string;
  logger: PinoLogger;
}

export interface MetricsServer {
  /** The port it listens on (the one asked for, or the one given for 0). */
  port: number;
  close(): Promise<void>;
}

/** How long /metrics waits for the SDK's exporter (on loopback, in the same process) before leaving it out. */
const SDK_SCRAPE_TIMEOUT_MS = 2_000;

async function temporalSdkMetrics(url: string, logger: PinoLogger): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.text();
  } catch (err) {
    logger.warn({ err, url }, 'the Temporal SDK metrics could not be read; /metrics serves ours only');
    return '';
  }
}

/**
 * `GET /metrics` in Prometheus' text format on a port of its own: never on the public API port, so that it needs
 * no authentication and the ingress never exposes it.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    void (async () => {
      try {
        const [ours, sdk] = await Promise.all([
          metricsRegistry.metrics(),
          options.temporalSdkMetricsUrl ? temporalSdkMetrics(options.temporalSdkMetricsUrl, options.logger) : '',
        ]);
        response.writeHead(200, { 'content-type': metricsRegistry.contentType });
        response.end(sdk ? `${ours.trimEnd()}\n${sdk}` : ours);
      } catch (err) {
        options.logger.error({ err }, 'metrics could not be collected');
        response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  options.logger.info({ context: 'Metrics', host: options.host, port }, `metrics on http://${options.host}:${port}/metrics`);
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
