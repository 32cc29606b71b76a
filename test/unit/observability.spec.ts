import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError, loadConfig, metricsPort } from '../../libs/config';
import { acceptRequestId, currentRequestId, withRequestId } from '../../libs/observability/request-id';
import { requestIdFromHeaders, withRequestIdHeader } from '../../libs/observability/temporal-request-id';
import { temporalRuntimeLogger } from '../../libs/observability/logger';
import { identificationImportDuration, metricsRegistry, registerReadModelGauges, timed } from '../../libs/observability/metrics';
import { REQUEST_ID_TEMPORAL_HEADER } from '../../libs/observability/headers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('the request id of an API request', () => {
  it('keeps a well-formed X-Request-Id from a proxy or a caller', () => {
    for (const id of ['0f8fad5b-d9cb-469f-a165-70867728950e', '01HZX3K5V7Q8', 'abc.def:1-2_3', 'a'.repeat(128)]) {
      expect(acceptRequestId(id)).toBe(id);
    }
  });

  it('replaces a missing, repeated, overlong or unsafe one with a fresh UUID', () => {
    for (const header of [undefined, '', ['a', 'b'], 'a'.repeat(129), 'id with spaces', 'id"}\n{"level":"fatal', '-leading-dash', 'ид']) {
      expect(acceptRequestId(header)).toMatch(UUID);
    }
    expect(acceptRequestId(undefined)).not.toBe(acceptRequestId(undefined));
  });

  it('is current within withRequestId across awaits, and only there', async () => {
    expect(currentRequestId()).toBeUndefined();
    await withRequestId('req-1', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      expect(currentRequestId()).toBe('req-1');
    });
    expect(currentRequestId()).toBeUndefined();
  });
});

describe('the request id in Temporal headers', () => {
  it('round-trips through a header, and a caller’s own header is kept', () => {
    const headers = withRequestIdHeader({}, 'req-2');
    expect(requestIdFromHeaders(headers)).toBe('req-2');
    expect(withRequestIdHeader(headers, 'req-3')).toBe(headers);
  });

  it('adds nothing outside a request, and reads nothing from a missing or malformed header', () => {
    expect(withRequestIdHeader({})).toEqual({});
    expect(requestIdFromHeaders(undefined)).toBeUndefined();
    expect(requestIdFromHeaders(withRequestIdHeader({}, 'not a well-formed id'))).toBeUndefined();
    expect(requestIdFromHeaders({ [REQUEST_ID_TEMPORAL_HEADER]: { metadata: {}, data: new Uint8Array([1]) } })).toBeUndefined();
  });
});

function capturedLogger(level: pino.LevelWithSilent): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level, formatters: { level: (label) => ({ level: label }) } }, stream), lines };
}

describe("the Temporal Runtime's logger", () => {
  it('writes the SDK’s lines as JSON with their metadata, errors under err', () => {
    const { logger, lines } = capturedLogger('info');
    const runtime = temporalRuntimeLogger(logger);
    runtime.warn('Activity failed', { activityType: 'sendTaskNotification', requestId: 'req-4', error: new Error('SMTP down') });
    runtime.debug('Activity completed', { activityType: 'projectTaskEvent' });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'Activity failed',
        context: 'Temporal',
        activityType: 'sendTaskNotification',
        requestId: 'req-4',
        err: expect.objectContaining({ message: 'SMTP down' }),
      }),
    ]);
  });

  it('moves the bundle statistics off the INFO level', () => {
    const { logger, lines } = capturedLogger('info');
    temporalRuntimeLogger(logger).info('Workflow bundle created', { size: '1.20MB' });
    expect(lines).toEqual([]);
    const debug = capturedLogger('debug');
    temporalRuntimeLogger(debug.logger).info('Workflow bundle created', { size: '1.20MB' });
    expect(debug.lines).toEqual([expect.objectContaining({ level: 'debug', msg: 'Workflow bundle created' })]);
  });
});

describe('metrics', () => {
  it('times work by outcome', async () => {
    await timed(identificationImportDuration, { kind: 'results' }, async () => 'ok');
    await expect(timed(identificationImportDuration, { kind: 'results' }, () => Promise.reject(new Error('bad file')))).rejects.toThrow('bad file');
    const text = await metricsRegistry.getSingleMetricAsString('uplift_identification_import_duration_seconds');
    expect(text).toMatch(/_count\{kind="results",outcome="ok"\} 1$/m);
    expect(text).toMatch(/_count\{kind="results",outcome="error"\} 1$/m);
  });

  it('reads the database gauges at most once per reuse window, and again after a failed read', async () => {
    let clock = 0;
    let reads = 0;
    let fail = false;
    registerReadModelGauges(
      {
        tasksByRegion: async () => {
          reads += 1;
          if (fail) throw new Error('database down');
          return [{ region: 'demo', open: 3, overdue: 1 }];
        },
        emailsByState: async () => ({ sent: 5, waiting: 1, failed: 0, no_recipients: 0 }),
      },
      () => clock,
    );
    const open = () => metricsRegistry.getSingleMetricAsString('uplift_tasks_open');
    expect(await open()).toMatch(/^uplift_tasks_open\{region="demo"\} 3$/m);
    expect(await metricsRegistry.getSingleMetricAsString('uplift_tasks_overdue')).toMatch(/^uplift_tasks_overdue\{region="demo"\} 1$/m);
    expect(await metricsRegistry.getSingleMetricAsString('uplift_emails')).toMatch(/^uplift_emails\{state="sent"\} 5$/m);
    expect(reads).toBe(1);
    clock = 20_000;
    fail = true;
    await expect(open()).rejects.toThrow('database down');
    fail = false;
    expect(await open()).toMatch(/region="demo"\} 3$/m);
    expect(reads).toBe(3);
  });
});

describe('observability settings', () => {
  const base = { DATABASE_URL: 'postgres://u@localhost/db', SMTP_URL: 'smtp://localhost:25', UPLIFT_DEV: '1' };

  it('opens each process’s metrics port by default, and none under jest unless one is named', () => {
    expect(metricsPort(loadConfig(base), 9464)).toBe(9464);
    expect(metricsPort(loadConfig({ ...base, METRICS_PORT: '9100' }), 9464)).toBe(9100);
    expect(metricsPort(loadConfig({ ...base, METRICS_PORT: '0' }), 9464)).toBeUndefined();
    expect(metricsPort(loadConfig({ ...base, NODE_ENV: 'test' }), 9464)).toBeUndefined();
    expect(metricsPort(loadConfig({ ...base, NODE_ENV: 'test', METRICS_PORT: '9200' }), 9464)).toBe(9200);
    expect(loadConfig(base).observability).toMatchObject({ logLevel: 'info', otlpEndpoint: undefined });
  });

  it('refuses a bad LOG_LEVEL or OTLP endpoint, naming the variable', () => {
    expect(() => loadConfig({ ...base, LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, LOG_LEVEL: 'verbose' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => loadConfig({ ...base, OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});
