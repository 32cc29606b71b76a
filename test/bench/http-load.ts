/**
 * HTTP load with autocannon against the API process, the same way for every route the benchmarks measure: a fixed
 * number of connections for a fixed time (or a fixed number of requests, for requests that can be made only once,
 * such as completing a task), each request built by `next()` so that users, filters and pages rotate.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: unknown;
}

export interface LoadFigures {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors, timeouts and answers other than 2xx: must all be 0. */
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

export async function load(
  baseUrl: string,
  next: () => LoadRequest,
  options: { connections: number; durationSeconds?: number; amount?: number },
): Promise<LoadFigures> {
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationSeconds ?? 10 }),
    timeout: 30,
    requests: [
      {
        setupRequest: (request) => {
          const r = next();
          return {
            ...request,
            method: r.method,
            path: r.path,
            headers: {
              accept: 'application/json',
              ...(r.token ? { authorization: `Bearer ${r.token}` } : {}),
              ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}),
            },
            body: r.body !== undefined ? JSON.stringify(r.body) : undefined,
          };
        },
      },
    ],
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, Number(s.count)])),
  };
}

/** Rotates through a list. */
export function rotate<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => items[i++ % items.length];
}
