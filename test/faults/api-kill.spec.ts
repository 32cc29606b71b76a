/**
 * Fault scenario 5: the API process killed with SIGKILL during an upload (half the body sent) and during a
 * submission (once it has claimed the request's Idempotency-Key, i.e. while it runs it). What was being written is
 * stored fully or not at all; the client retries with the same key against the restarted API.
 */
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../libs/persistence';
import { recordFaultFigures } from '../support/fault-figures';
import { ApiClient } from '../support/http';
import { pollUntil } from '../support/poll';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, localDateTimeIn, requireTestEnv, uniqueSuffix } from '../support/test-config';
import { startApiProcess, type ApiProcess } from '../support/api-process';
import type { Worker } from '@temporalio/worker';
import { openHarness, type Harness } from '../support/worker-harness';

const API_PORT = Number(process.env.UPLIFT_FAULTS_API_PORT ?? 17642);
const ZONE = 'Europe/Moscow';
const suffix = uniqueSuffix();
const taskQueue = `fault-api-${suffix}`;
const COORDINATOR = 'coordinator@yuzhny.demo-region.example';

jest.setTimeout(20 * 60_000);

const log = (line: string) => process.stdout.write(`[faults] ${line}\n`);
let harness: Harness;
let worker: Worker | undefined;
let workerRun: Promise<void> | undefined;
let api: ApiProcess | undefined;
let dataSource: DataSource;
let sink: SmtpSink;
const figures = { faults: 0, recover: [] as number[], extra: {} as Record<string, string | number> };
const startedAt = Date.now();

const spawnApi = () =>
  startApiProcess({
    port: API_PORT,
    taskQueue,
    temporalAddress: requireTestEnv('UPLIFT_TEST_TEMPORAL_ADDRESS'),
    databaseUrl: requireTestEnv('UPLIFT_TEST_DATABASE_URL'),
    smtpUrl: sink.url,
  });

async function startWorker(): Promise<void> {
  worker = await harness.createWorker(taskQueue);
  workerRun = worker.run();
}

async function stopWorker(): Promise<void> {
  worker?.shutdown();
  await workerRun;
  worker = undefined;
}

/** Kills the API, starts it again and returns the seconds until it answers again. */
async function killAndRestart(): Promise<number> {
  await api!.kill();
  const killedAt = Date.now();
  figures.faults += 1;
  api = await spawnApi();
  const seconds = (api.readyAt - killedAt) / 1000;
  figures.recover.push(seconds);
  return seconds;
}

beforeAll(async () => {
  sink = await SmtpSink.start();
  harness = await openHarness(sink.url);
  await startWorker();
  dataSource = await new DataSource(dataSourceOptions(requireTestEnv('UPLIFT_TEST_DATABASE_URL'))).initialize();
  api = await spawnApi();
});

afterAll(async () => {
  recordFaultFigures({
    scenario: '5-api-kill',
    fault: 'API process SIGKILLed mid-upload and mid-submission, restarted at once',
    faultsInjected: figures.faults,
    emailsExpected: 0,
    delivered: 0,
    lost: 0,
    duplicated: 0,
    recoverSeconds: figures.recover,
    extra: figures.extra,
    startedAt: new Date(startedAt).toISOString(),
    durationSeconds: Math.round((Date.now() - startedAt) / 1000),
  });
  await api?.kill();
  await dataSource?.destroy();
  await stopWorker();
  await harness?.close();
  await sink?.stop();
});

/** Streams `content` to POST /api/documents in 256 KiB pieces; `onProgress` sees the bytes written so far. */
function streamUpload(
  baseUrl: string,
  token: string,
  key: string,
  fileName: string,
  content: Buffer,
  onProgress?: (written: number) => Promise<void>,
): Promise<{ status: number; body: string; replayed: string | null }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${baseUrl}/api/documents`,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/pdf',
          'content-length': String(content.length),
          'x-file-name': encodeURIComponent(fileName),
          'idempotency-key': key,
        },
      },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body, replayed: (response.headers['idempotent-replayed'] as string) ?? null }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    void (async () => {
      const piece = 256 * 1024;
      for (let offset = 0; offset < content.length; offset += piece) {
        const ok = request.write(content.subarray(offset, offset + piece));
        if (!ok) await new Promise((r) => request.once('drain', r));
        await onProgress?.(offset + piece);
        if (request.destroyed) return;
      }
      request.end();
    })().catch(reject);
  });
}

describe('the API killed during an upload', () => {
  it('stores the document fully or not at all, and the retry with the same key stores it once', async () => {
    const client = await new ApiClient(api!.baseUrl).as(COORDINATOR, DEMO_PASSWORD);
    const fileName = `Отчёт о сбое ${suffix}.pdf`;
    const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(12 * 1024 * 1024), Buffer.from('\n%%EOF\n')]);
    const sha256 = createHash('sha256').update(content).digest('hex');
    const key = `upload-${suffix}`;

    // Half the file sent, then the API is killed: the client sees the connection drop.
    let killed: Promise<number> | undefined;
    const first = await streamUpload(api!.baseUrl, client.token!, key, fileName, content, async (written) => {
      if (!killed && written >= content.length / 2) killed = killAndRestart();
    }).catch((err: Error) => err);
    log(`API back ${(await killed!).toFixed(1)} s after the kill during the upload`);
    // The connection dropped: no answer at all (the error comes from Node's realm, not jest's, so no instanceof).
    expect((first as { status?: number }).status).toBeUndefined();
    const stored = async () =>
      (await dataSource.query(`SELECT size_bytes, sha256 FROM documents WHERE file_name = $1`, [fileName])) as { size_bytes: number; sha256: string }[];
    expect(await stored()).toEqual([]);

    const relogged = await new ApiClient(api!.baseUrl).as(COORDINATOR, DEMO_PASSWORD);
    const retry = await streamUpload(api!.baseUrl, relogged.token!, key, fileName, content);
    expect(retry.status).toBe(201);
    const again = await streamUpload(api!.baseUrl, relogged.token!, key, fileName, content);
    expect(again.status).toBe(201);
    expect(again.replayed).toBe('true');
    expect(JSON.parse(again.body).id).toBe(JSON.parse(retry.body).id);
    const rows = await stored();
    expect(rows).toEqual([{ size_bytes: content.length, sha256 }]);
    figures.extra['upload: rows after kill'] = 0;
    figures.extra['upload: rows after retry and replay'] = rows.length;
  });
});

describe('the API killed during a submission', () => {
  let taskId: string;
  let key: string;
  let retryStatuses: number[] = [];
  let completionsStored = 0;

  it('stores the completion fully or not at all', async () => {
    const ministry = await new ApiClient(api!.baseUrl).as('programme@demo-region.example', DEMO_PASSWORD);
    taskId = `fault-api-${suffix}`;
    const created = await ministry.post('/api/tasks', {
      id: taskId,
      title: 'План мероприятий (сбой API)',
      assigneeOrganizationId: 'demo-mun-yuzhny',
      dueAt: localDateTimeIn(ZONE, 30 * 86_400),
    });
    expect(created.status).toBe(201);
    const coordinator = await new ApiClient(api!.baseUrl).as(COORDINATOR, DEMO_PASSWORD);
    key = `complete-${suffix}`;

    // With no worker polling, the completion's Update waits (up to the API's 15 s): the API is killed once it has
    // claimed the key, i.e. while it runs the submission; the worker comes back afterwards.
    await stopWorker();
    const request = coordinator
      .post(`/api/tasks/${taskId}/complete`, { comment: 'План согласован' }, { headers: { 'idempotency-key': key } })
      .catch((err: Error) => err);
    await pollUntil(
      'the API claiming the key',
      async () => {
        const rows: unknown[] = await dataSource.query(`SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1 AND completed_at IS NULL`, [key]);
        return rows.length > 0 ? true : undefined;
      },
      30_000,
    );
    const recover = killAndRestart();
    const cut = await request;
    await startWorker();
    log(`API back ${(await recover).toFixed(1)} s after the kill during the submission`);
    expect((cut as { status?: number }).status).toBeUndefined();

    // Either the Update went through before the kill (the task completed, once, with its audit entry) or it did not
    // (the task open, no entry): never a completion without its entry or the other way round.
    const state = await pollUntil(
      'the projection settling',
      async () => {
        const [task]: { status: string }[] = await dataSource.query(`SELECT status FROM tasks WHERE id = $1`, [taskId]);
        const [{ n }]: { n: string }[] = await dataSource.query(
          `SELECT count(*) AS n FROM audit_events WHERE subject_id = $1 AND type = 'completed'`,
          [taskId],
        );
        const consistent = (task.status === 'completed') === (Number(n) === 1);
        return consistent ? { status: task.status, completedEntries: Number(n) } : undefined;
      },
      60_000,
    );
    figures.extra['submission: state after kill'] = state.status;
    expect(state.completedEntries).toBeLessThanOrEqual(1);

    // The client retries with the same key for a minute.
    const retrying = await new ApiClient(api!.baseUrl).as(COORDINATOR, DEMO_PASSWORD);
    retryStatuses = [];
    await pollUntil(
      'a retry with the same key that is not refused as still running',
      async () => {
        const r = await retrying.post(`/api/tasks/${taskId}/complete`, { comment: 'План согласован' }, { headers: { 'idempotency-key': key } });
        retryStatuses.push(r.status);
        return r.status === 409 && /выполняется/.test(String(r.body?.message)) ? undefined : r;
      },
      60_000,
    ).catch(() => undefined);
    figures.extra['submission: retry attempts until answered'] = retryStatuses.length;
    const distinctStatuses = [...new Set(retryStatuses)];
    figures.extra['submission: retry statuses within 60 s'] = distinctStatuses.join(', ');
    const [{ n }]: { n: string }[] = await dataSource.query(`SELECT count(*) AS n FROM audit_events WHERE subject_id = $1 AND type = 'completed'`, [
      taskId,
    ]);
    figures.extra['submission: completions stored'] = Number(n);
    completionsStored = Number(n);
    expect(Number(n)).toBeLessThanOrEqual(1);
  });

  // The killed API's claim went with its process (its owner lock, ClaimOwnership): the retry takes it over at once and
  // resumes the same operation, whose id the completion's Update was sent under. An Update that had gone through is
  // answered with its outcome (not 409 «уже выполнена»); one that had not is carried out, once.
  it('the retry with the same key succeeds (200) within a minute of the restart, and the task is completed once', () => {
    expect(retryStatuses[retryStatuses.length - 1]).toBe(200);
    expect(completionsStored).toBe(1);
  });
});
