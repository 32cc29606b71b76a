/**
 * What an operator watches, on the real processes (apps/api/main.ts and apps/worker/main.ts as `npm start` runs them):
 * a request's X-Request-Id comes back in the response, and the same id is on the API's JSON log line of the request
 * and on the worker's log line of the activity its Temporal Update set off; each process's /metrics (on a port of
 * its own) has our metrics and, on the worker, the Temporal SDK's.
 */
import type { Readable } from 'node:stream';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import { ApiClient } from '../support/http';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { freePort } from '../../infra/support/ports';

/** The demo region's zone, where the task's local due time is read. */
const ZONE = 'Asia/Yekaterinburg';
const PROGRAMME = 'programme@demo-region.example';
const SEVERNY_COORDINATOR = 'coordinator@severny.demo-region.example';
const suffix = uniqueSuffix();
const taskQueue = `observability-${suffix}`;

// The worker bundles its workflows on start: a minute or more on a busy machine.
jest.setTimeout(8 * 60_000);

type LogLine = Record<string, unknown> & { msg?: string; level?: string; requestId?: string };

/** Every JSON line a process writes from now on (non-JSON lines are kept as `{ raw }`, and must not appear). */
function collectLines(...streams: (Readable | null)[]): LogLine[] {
  const lines: LogLine[] = [];
  for (const stream of streams) {
    let rest = '';
    stream?.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts.filter((p) => p.trim() !== '')) {
        try {
          lines.push(JSON.parse(part) as LogLine);
        } catch {
          lines.push({ raw: part });
        }
      }
    });
  }
  return lines;
}

async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
}

/** The value of one sample (`name{labels}`, labels in the order they are written), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

let sink: SmtpSink;
let worker: WorkerProcess | undefined;
let api: ApiProcess | undefined;
let workerLines: LogLine[];
let apiLines: LogLine[];
let workerMetricsPort: number;
let apiMetricsPort: number;

beforeAll(async () => {
  sink = await SmtpSink.start();
  const common = {
    taskQueue,
    temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
    databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
    smtpUrl: sink.url,
  };
  workerMetricsPort = await freePort();
  apiMetricsPort = await freePort();
  const [apiPort, sdkPort] = [await freePort(), await freePort()];
  worker = await startWorkerProcess(
    {
      ...common,
      // Debug: the SDK's "Activity completed" line of each activity is the one that must carry the request id.
      env: { LOG_LEVEL: 'debug', METRICS_HOST: '127.0.0.1', METRICS_PORT: String(workerMetricsPort), TEMPORAL_SDK_METRICS_PORT: String(sdkPort) },
    },
    6 * 60_000,
  );
  workerLines = collectLines(worker.child.stdout, worker.child.stderr);
  api = await startApiProcess({ ...common, port: apiPort, env: { METRICS_HOST: '127.0.0.1', METRICS_PORT: String(apiMetricsPort) } });
  apiLines = collectLines(api.child.stdout, api.child.stderr);
});

afterAll(async () => {
  await api?.kill();
  await worker?.kill();
  await sink?.stop();
});

describe('a request followed from the API through its Update to the activity', () => {
  const taskId = `observability-${suffix}`;
  const requestId = `obs-${suffix}`;
  let emailsSentBefore: number;

  it('logs the task creation and its reminder, the reminder under no request id', async () => {
    emailsSentBefore = sample(await scrape(workerMetricsPort), 'uplift_emails{state="sent"}') ?? 0;
    const ministry = await new ApiClient(api!.baseUrl).as(PROGRAMME, DEMO_PASSWORD);
    const created = await ministry.post(
      '/api/tasks',
      {
        id: taskId,
        title: 'План поддержки школ (наблюдаемость)',
        assigneeOrganizationId: 'demo-mun-severny',
        dueAt: localDateTimeIn(ZONE, 5),
        calendar: 'calendar-days',
        policy: { reminders: [{ secondsBefore: 2 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 5 },
      },
      { headers: { 'x-request-id': `${requestId}-create` } },
    );
    if (created.status !== 201) throw new Error(`creating the task: ${created.status} ${created.text}`);
    expect(created.headers.get('x-request-id')).toBe(`${requestId}-create`);
    // And one that stays open, for the per-region gauges.
    const open = await ministry.post('/api/tasks', {
      id: `${taskId}-open`,
      title: 'План поддержки школ (открытая задача)',
      assigneeOrganizationId: 'demo-mun-severny',
      dueAt: localDateTimeIn(ZONE, 30 * 86_400),
    });
    expect(open.status).toBe(201);
    // The reminder, then the escalation at the deadline.
    await sink.waitFor(() => sink.forTask(taskId).length === 2, 60_000);

    const activityLine = (type: string) =>
      workerLines.find((l) => l.msg === 'Activity completed' && l.activityType === type && l.workflowId === `task:${taskId}`);
    const projected = await pollUntil('the creation projected', async () => activityLine('projectTaskEvent'), 60_000);
    expect(projected.requestId).toBe(`${requestId}-create`);
    // The reminder and the escalation went out when timers fired, days (here seconds) after any request: they
    // belong to none.
    await pollUntil('the e-mails logged', async () => activityLine('sendTaskNotification'), 60_000);
    const sent = workerLines.filter((l) => l.activityType === 'sendTaskNotification' && l.workflowId === `task:${taskId}`);
    expect(sent.map((l) => l.requestId)).toEqual(sent.map(() => undefined));
  });

  it('returns the X-Request-Id of a completion and logs it on the API and on the activity its Update set off', async () => {
    const severny = await new ApiClient(api!.baseUrl).as(SEVERNY_COORDINATOR, DEMO_PASSWORD);
    const linesBefore = workerLines.length;
    const completed = await severny.post(`/api/tasks/${taskId}/complete`, { comment: 'План согласован' }, { headers: { 'x-request-id': requestId } });
    expect(completed.status).toBe(200);
    expect(completed.headers.get('x-request-id')).toBe(requestId);

    // The API writes the request's line once the response has gone out, and the pipe brings it some time after.
    const apiLine = await pollUntil(
      'the completion logged by the API',
      async () => apiLines.find((l) => l.requestId === requestId && l.msg === 'request completed'),
      60_000,
      async () => JSON.stringify(apiLines.slice(-10)),
    );
    expect(apiLine).toMatchObject({ level: 'info', service: 'uplift-api', req: { method: 'POST', url: `/api/tasks/${taskId}/complete` }, res: { statusCode: 200 } });
    // No headers are logged: they hold tokens and cookies.
    expect(JSON.stringify(apiLine)).not.toContain('authorization');

    const activity = await pollUntil(
      'the completion activity logged',
      async () => workerLines.slice(linesBefore).find((l) => l.requestId === requestId && l.activityType === 'projectTaskEvent'),
      60_000,
      async () => JSON.stringify(workerLines.slice(linesBefore).slice(-20)),
    );
    expect(activity).toMatchObject({ service: 'uplift-worker', workflowId: `task:${taskId}`, msg: 'Activity completed' });
  });

  it('replaces a malformed X-Request-Id with a fresh one', async () => {
    const response = await new ApiClient(api!.baseUrl).get('/api/health', { headers: { 'x-request-id': `<script>${'x'.repeat(200)}` } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('writes nothing but JSON lines, and no bundle statistics or route lists at info', () => {
    for (const line of [...apiLines, ...workerLines]) expect(line).not.toHaveProperty('raw');
    const info = [...apiLines, ...workerLines].filter((l) => l.level === 'info');
    expect(info.filter((l) => /Workflow bundle created|Mapped \{/.test(String(l.msg)))).toEqual([]);
  });

  it('serves the worker metrics: ours, read from the database at scrape time, and the Temporal SDK’s', async () => {
    // The database's answers are reused for some seconds between scrapes: wait for the scrape that sees the
    // reminder and the open task.
    const openTasks = /^uplift_tasks_open\{region="[^"]+"\} [1-9]\d*$/m;
    const text = await pollUntil(
      'the reminder counted as sent and the open task counted',
      async () => {
        const current = await scrape(workerMetricsPort);
        return (sample(current, 'uplift_emails{state="sent"}') ?? 0) > emailsSentBefore && openTasks.test(current) ? current : undefined;
      },
      60_000,
    );
    expect(text).toMatch(/^uplift_tasks_overdue\{region="[^"]+"\} \d+$/m);
    expect(sample(text, 'uplift_emails{state="waiting"}')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('# TYPE uplift_activity_failures_total counter');
    expect(text).toContain('# TYPE uplift_activity_retries_total counter');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    // The SDK's own: workflow tasks and activities this worker ran, with their latencies.
    expect(text).toMatch(/^temporal_activity_execution_latency_seconds_count\{[^}]*activity_type="sendTaskNotification"[^}]*\} [1-9]/m);
    expect(text).toMatch(/^temporal_workflow_task_execution_latency_seconds_count\{[^}]*\} [1-9]/m);
  });

  it('serves the API metrics on their own port only', async () => {
    const text = await scrape(apiMetricsPort);
    expect(
      sample(text, 'uplift_http_request_duration_seconds_count{method="POST",route="/api/tasks/:id/complete",status="200"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE uplift_identification_import_duration_seconds histogram');
    expect(text).toContain('# TYPE uplift_audit_export_duration_seconds histogram');
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    const onPublicPort = await fetch(`${api!.baseUrl}/api/metrics`);
    expect(onPublicPort.status).toBe(404);
  });
});
