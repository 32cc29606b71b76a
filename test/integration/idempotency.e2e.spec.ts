/**
 * `Idempotency-Key` on write routes, end to end: the real API, a real worker on the shared Temporal dev server and
 * the shared PostgreSQL. A retried write with the same key and request replays the first answer without running it
 * again; another request under the key is 422; a request still running is 409; keys are per person; a 4xx is
 * replayed; a malformed key is 400; a claim whose API process died is taken over by the retry at once, and an Update
 * that process got through is answered, not run again. A region of its own keeps the counts exact.
 */
import 'reflect-metadata';
import { DateTime } from 'luxon';
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { requestFingerprint } from '../../apps/api/common/idempotency-key';
import { addCalendarDays, isWorkingDay } from '../../libs/domain/calendar';
import { IDEMPOTENCY_OWNER_LOCK_CLASS, OWNER_RECONNECT_GRACE_SECONDS } from '../../libs/persistence';
import { pollUntil } from '../support/poll';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { ApiClient, assertNoServerError, expectRussianError, type ApiResponse } from '../support/http';
import { uniqueSuffix } from '../support/test-config';

const ZONE = 'Europe/Moscow';
const suffix = uniqueSuffix();
let stack: ApiStack;
let dataSource: DataSource;
let region: TestRegion;
/** Two people of the ministry who may both create tasks. */
let admin: ApiClient;
let reviewer: ApiClient;
/** Completes the region's municipal tasks. */
let coordinator: ApiClient;

beforeAll(async () => {
  stack = await startApiStack(`idempotency-e2e-${suffix}`);
  dataSource = stack.harness.dataSource;
  region = await createTestRegion(dataSource, { code: `ik${suffix}`.slice(0, 20), timeZone: ZONE, municipalities: 1, schoolsPerMunicipality: 1 });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  reviewer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
  coordinator = await stack.anonymous.as(region.municipalities[0].coordinator.email, REGION_PASSWORD);
});

afterAll(() => stack?.close());

/** A working day more than a week ahead, in the region's zone, whatever day the file runs. */
function workingDayAhead(): string {
  let date = addCalendarDays(DateTime.now().setZone(ZONE).toISODate() as string, 8);
  while (!isWorkingDay(date)) date = addCalendarDays(date, 1);
  return date;
}
const DUE_AT = `${workingDayAhead()}T18:00`;

function taskBody(title: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { title: `${title} (${suffix})`, assigneeOrganizationId: region.municipalities[0].id, dueAt: DUE_AT, ...overrides };
}

function withKey(key: string): { headers: Record<string, string> } {
  return { headers: { 'idempotency-key': key } };
}

async function tasksTitled(title: string): Promise<string[]> {
  const response = await admin.get(`/api/tasks?${new URLSearchParams({ organizationId: region.municipalities[0].id, limit: '200' })}`);
  expect(response.status).toBe(200);
  return (response.body.items as { id: string; title: string }[]).filter((t) => t.title === `${title} (${suffix})`).map((t) => t.id);
}

async function storedKeys(key: string): Promise<{ status_code: number | null }[]> {
  return dataSource.query(`SELECT status_code FROM idempotency_keys WHERE idempotency_key = $1`, [key]);
}

/** A raw upload (the body is the file), as the documents route reads it. */
async function upload(client: ApiClient, content: Buffer, fileName: string, headers: Record<string, string> = {}): Promise<ApiResponse> {
  const response = await fetch(`${stack.baseUrl}/api/documents`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${client.token}`,
      'content-type': 'application/pdf',
      'x-file-name': encodeURIComponent(fileName),
      ...headers,
    },
    body: content,
  });
  const text = await response.text();
  assertNoServerError({ method: 'POST', path: '/api/documents', status: response.status }, text);
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
}

async function documentsWithContent(content: Buffer): Promise<number> {
  const sha256 = createHash('sha256').update(content).digest('hex');
  const rows = (await dataSource.query(`SELECT count(*)::int AS n FROM documents WHERE sha256 = $1`, [sha256])) as { n: number }[];
  return rows[0].n;
}

describe('a retried write with the same key', () => {
  it('creates the task once and answers the retry with the first answer, marked as replayed', async () => {
    const key = randomUUID();
    const first = await admin.post('/api/tasks', taskBody('Повтор создания'), withKey(key));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const retry = await admin.post('/api/tasks', taskBody('Повтор создания'), withKey(key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
    expect(await tasksTitled('Повтор создания')).toEqual([first.body.id]);
    expect(await storedKeys(key)).toEqual([{ status_code: 201 }]);
  });

  it('treats a body with its fields in another order as the same request', async () => {
    const key = randomUUID();
    const body = taskBody('Порядок полей');
    const first = await admin.post('/api/tasks', body, withKey(key));
    expect(first.status).toBe(201);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const retry = await admin.post('/api/tasks', reordered, withKey(key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
  });

  it('refuses the key with another body: 422, and nothing is created', async () => {
    const key = randomUUID();
    expect((await admin.post('/api/tasks', taskBody('Первый запрос'), withKey(key))).status).toBe(201);
    const other = await admin.post('/api/tasks', taskBody('Другой запрос'), withKey(key));
    expectRussianError(other, 422, ['Ключ идемпотентности уже использован с другим запросом']);
    expect(await tasksTitled('Другой запрос')).toEqual([]);
  });

  it('stores an upload once when it is retried with the same key and bytes; other bytes under the key are 422', async () => {
    const key = randomUUID();
    const content = Buffer.from(`%PDF-1.4\n% Приказ ${suffix}\n%%EOF\n`);
    const first = await upload(admin, content, 'Приказ № 12.pdf', { 'idempotency-key': key });
    expect(first.status).toBe(201);
    const retry = await upload(admin, content, 'Приказ № 12.pdf', { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    expect(await documentsWithContent(content)).toBe(1);

    const otherBytes = Buffer.from(`%PDF-1.4\n% Другой приказ ${suffix}\n%%EOF\n`);
    expectRussianError(await upload(admin, otherBytes, 'Приказ № 12.pdf', { 'idempotency-key': key }), 422, ['другим запросом']);
    expectRussianError(await upload(admin, content, 'Приказ № 13.pdf', { 'idempotency-key': key }), 422, ['другим запросом']);
    expect(await documentsWithContent(otherBytes)).toBe(0);
  });

  it('replays a refusal (4xx) as it was answered: the same request would fail the same way', async () => {
    const key = randomUUID();
    const body = taskBody('Неизвестный район', { assigneeOrganizationId: `${region.code}-nowhere` });
    const first = await admin.post('/api/tasks', body, withKey(key));
    expect(first.status).toBeGreaterThanOrEqual(400);
    expect(first.status).toBeLessThan(500);
    const retry = await admin.post('/api/tasks', body, withKey(key));
    expect(retry.status).toBe(first.status);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    // A validation error (raised before the handler) is kept the same way.
    const invalidKey = randomUUID();
    const invalid = await admin.post('/api/tasks', { title: '' }, withKey(invalidKey));
    expectRussianError(invalid, 400);
    const invalidAgain = await admin.post('/api/tasks', { title: '' }, withKey(invalidKey));
    expect(invalidAgain.status).toBe(400);
    expect(invalidAgain.text).toBe(invalid.text);
    expect(invalidAgain.headers.get('idempotent-replayed')).toBe('true');
  });

  it('lets a concurrent duplicate wait (409 with Retry-After) or replay, never run twice', async () => {
    const key = randomUUID();
    const content = Buffer.from(`%PDF-1.4\n% Одновременно ${suffix}\n%%EOF\n`);
    const answers = await Promise.all(Array.from({ length: 6 }, () => upload(admin, content, 'Одновременно.pdf', { 'idempotency-key': key })));
    const created = answers.filter((a) => a.status === 201);
    const waiting = answers.filter((a) => a.status === 409);
    expect(created.length + waiting.length).toBe(answers.length);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.body.id)).size).toBe(1);
    expect(created.filter((a) => a.headers.get('idempotent-replayed') === null)).toHaveLength(1);
    for (const answer of waiting) {
      expectRussianError(answer, 409, ['Запрос с этим ключом ещё выполняется']);
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await documentsWithContent(content)).toBe(1);
    // Once the first has finished, the retry gets its answer.
    const later = await upload(admin, content, 'Одновременно.pdf', { 'idempotency-key': key });
    expect(later.status).toBe(201);
    expect(later.body.id).toBe(created[0].body.id);
  });
});

describe('the scope of a key', () => {
  it('is the person: another person may use the same key for a request of their own', async () => {
    const key = randomUUID();
    expect((await admin.post('/api/tasks', taskBody('Ключ администратора'), withKey(key))).status).toBe(201);
    const theirs = await reviewer.post('/api/tasks', taskBody('Ключ эксперта'), withKey(key));
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(await tasksTitled('Ключ эксперта')).toHaveLength(1);
  });

  it('is the method and path: the same key on another route is another request', async () => {
    const key = randomUUID();
    const created = await admin.post('/api/tasks', taskBody('Ключ и адрес'), withKey(key));
    expect(created.status).toBe(201);
    const cancelled = await admin.post(`/api/tasks/${encodeURIComponent(created.body.id)}/cancel`, { reason: 'Отменено для проверки ключа' }, withKey(key));
    expect(cancelled.status).toBe(200);
    expect(cancelled.headers.get('idempotent-replayed')).toBeNull();
    expect(cancelled.body.status).toBe('cancelled');
  });

  it('expires: after its time the key serves a new request', async () => {
    const key = randomUUID();
    expect((await admin.post('/api/tasks', taskBody('До истечения'), withKey(key))).status).toBe(201);
    await dataSource.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE idempotency_key = $1`, [key]);
    const after = await admin.post('/api/tasks', taskBody('После истечения'), withKey(key));
    expect(after.status).toBe(201);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(await tasksTitled('После истечения')).toHaveLength(1);
  });

  it('is ignored on reads', async () => {
    const response = await admin.get('/api/tasks?limit=1', withKey(randomUUID()));
    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('checks that come first', () => {
  it('refuses a malformed key with 400 and runs nothing', async () => {
    for (const key of ['x'.repeat(201), 'caf\u00e9', 'tab\tinside']) {
      const response = await admin.post('/api/tasks', taskBody('Плохой ключ'), withKey(key));
      expectRussianError(response, 400, ['Idempotency-Key', 'ASCII']);
    }
    expect(await tasksTitled('Плохой ключ')).toEqual([]);
    // 200 characters is still a key.
    const longest = await admin.post('/api/tasks', taskBody('Длинный ключ'), withKey(`${'k'.repeat(190)}${suffix}`.slice(-200)));
    expect(longest.status).toBe(201);
  });

  it('still needs a log-in: an anonymous write with a key is 401 and keeps no key', async () => {
    const key = randomUUID();
    const response = await stack.anonymous.post('/api/tasks', taskBody('Без входа'), withKey(key));
    expectRussianError(response, 401);
    expect(await storedKeys(key)).toEqual([]);
  });

  it('still checks CSRF first: a cookie write without the CSRF token is 403 and keeps no key', async () => {
    const session = await fetch(`${stack.baseUrl}/api/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: region.admin.email, password: REGION_PASSWORD }),
    });
    expect(session.status).toBe(200);
    const cookies = session.headers.getSetCookie().map((c) => c.split(';')[0]);
    const csrf = cookies.find((c) => c.startsWith('uplift_csrf='))!.slice('uplift_csrf='.length);
    const cookieClient = stack.anonymous.withToken(undefined);
    const key = randomUUID();
    const refused = await cookieClient.post('/api/tasks', taskBody('Без CSRF'), { headers: { cookie: cookies.join('; '), 'idempotency-key': key } });
    expectRussianError(refused, 403, ['CSRF']);
    expect(await storedKeys(key)).toEqual([]);
    // With the token the same key is fresh: the refusal was not kept under it.
    const accepted = await cookieClient.post('/api/tasks', taskBody('Без CSRF'), {
      headers: { cookie: cookies.join('; '), 'x-csrf-token': csrf, 'idempotency-key': key },
    });
    expect(accepted.status).toBe(201);
    expect(accepted.headers.get('idempotent-replayed')).toBeNull();
  });

  it('leaves log-in alone (@Public): a key on it is ignored', async () => {
    const key = randomUUID();
    const first = await stack.anonymous.post('/api/auth/login', { email: region.admin.email, password: REGION_PASSWORD }, withKey(key));
    const second = await stack.anonymous.post('/api/auth/login', { email: region.admin.email, password: REGION_PASSWORD }, withKey(key));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
    expect(second.body.accessToken).not.toBe(first.body.accessToken);
    expect(await storedKeys(key)).toEqual([]);
  });
});

describe('a claim whose API process died', () => {
  /** An owner key no session holds: the process that took it is gone. */
  let deadOwnerKey: number;
  /** A session of the test's own standing in for another API process, alive, holding its owner lock. */
  let otherProcess: QueryRunner | undefined;

  beforeAll(async () => {
    const held = async (ownerKey: number) =>
      ((await dataSource.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::integer::oid AND objid = $2::integer::oid`, [
        IDEMPOTENCY_OWNER_LOCK_CLASS,
        ownerKey,
      ])) as unknown[]).length > 0;
    deadOwnerKey = 2_000_000_000 + Math.floor(Math.random() * 100_000_000);
    while (await held(deadOwnerKey)) deadOwnerKey += 1;
    // Just after PostgreSQL starts, an owner without its lock may be a live process reconnecting: the retry waits.
    await pollUntil(
      'PostgreSQL up for longer than the owners\' reconnect grace',
      async () => {
        const [{ past }] = (await dataSource.query(`SELECT now() >= pg_postmaster_start_time() + make_interval(secs => $1) AS past`, [
          OWNER_RECONNECT_GRACE_SECONDS,
        ])) as { past: boolean }[];
        return past ? true : undefined;
      },
      (OWNER_RECONNECT_GRACE_SECONDS + 30) * 1000,
    );
  });

  afterEach(async () => {
    // The connection goes back to the pool: without its locks.
    await otherProcess?.query('SELECT pg_advisory_unlock_all()');
    await otherProcess?.release();
    otherProcess = undefined;
  });

  async function createTask(title: string): Promise<string> {
    const created = await admin.post('/api/tasks', taskBody(title));
    expect(created.status).toBe(201);
    return created.body.id as string;
  }

  async function completions(taskId: string): Promise<number> {
    const rows = (await dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE subject_id = $1 AND type = 'completed'`, [taskId])) as {
      n: number;
    }[];
    return rows[0].n;
  }

  /** The key's row put back as its request left it while running: no answer, the given owner, claimed just now. */
  async function leaveRunning(key: string, ownerKey: number): Promise<{ operation_id: string }> {
    // TypeORM answers an UPDATE with [rows, affected].
    const [rows] = (await dataSource.query(
      `UPDATE idempotency_keys SET status_code = NULL, response_body = NULL, completed_at = NULL, owner_key = $2, created_at = now()
        WHERE idempotency_key = $1 RETURNING operation_id`,
      [key, ownerKey],
    )) as [{ operation_id: string }[], number];
    expect(rows).toHaveLength(1);
    return rows[0];
  }

  it('answers the retry of a completion that went through with its outcome: 200, the task completed once', async () => {
    const taskId = await createTask('Выполнение до сбоя');
    const key = randomUUID();
    const path = `/api/tasks/${encodeURIComponent(taskId)}/complete`;
    const first = await coordinator.post(path, { comment: 'Готово' }, withKey(key));
    expect(first.status).toBe(200);
    // The process died after Temporal carried the Update out and before the answer was stored.
    const { operation_id: operationId } = await leaveRunning(key, deadOwnerKey);

    const retry = await coordinator.post(path, { comment: 'Готово' }, withKey(key));
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.completedAt).toBe(first.body.completedAt);
    expect(retry.body.task.status).toBe('completed');
    expect(await completions(taskId)).toBe(1);
    const [row] = (await dataSource.query(`SELECT status_code, operation_id, owner_key FROM idempotency_keys WHERE idempotency_key = $1`, [key])) as {
      status_code: number;
      operation_id: string;
      owner_key: number;
    }[];
    expect(row.status_code).toBe(200);
    expect(row.operation_id).toBe(operationId);
    expect(row.owner_key).not.toBe(deadOwnerKey);

    // Stored now: the next retry is a replay.
    const replay = await coordinator.post(path, { comment: 'Готово' }, withKey(key));
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(retry.text);
  });

  it('answers the retry of an upload that was stored with that document: 201, stored and audited once', async () => {
    const key = randomUUID();
    const content = Buffer.from(`%PDF-1.4\n% Приказ до сбоя ${suffix}\n%%EOF\n`);
    const first = await upload(admin, content, 'Приказ до сбоя.pdf', { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // The process died after the document's transaction committed and before the answer was stored.
    await leaveRunning(key, deadOwnerKey);

    const retry = await upload(admin, content, 'Приказ до сбоя.pdf', { 'idempotency-key': key });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body).toEqual(first.body);
    expect(await documentsWithContent(content)).toBe(1);
    const audited = (await dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE subject_id = $1 AND type = 'document_uploaded'`, [
      first.body.id,
    ])) as { n: number }[];
    expect(audited[0].n).toBe(1);
  });

  it('runs the request at once, once, when the process died before carrying it out', async () => {
    const taskId = await createTask('Выполнение после сбоя');
    const key = randomUUID();
    const path = `/api/tasks/${encodeURIComponent(taskId)}/complete`;
    const body = { comment: 'Выполнено после сбоя' };
    // The claim as a process leaves it that died right after claiming: nothing sent to Temporal.
    const [{ person_id: personId }] = (await dataSource.query(`SELECT id AS person_id FROM people WHERE email = $1`, [
      region.municipalities[0].coordinator.email,
    ])) as { person_id: string }[];
    await dataSource.query(
      `INSERT INTO idempotency_keys (person_id, method, path, idempotency_key, fingerprint, claim_token, operation_id, owner_key, created_at, expires_at)
       VALUES ($1, 'POST', $2, $3, $4, $5, $6, $7, now(), now() + interval '1 hour')`,
      [personId, path, key, requestFingerprint({ url: path, body, headers: {} }), randomUUID(), randomUUID(), deadOwnerKey],
    );
    expect(await completions(taskId)).toBe(0);

    const retry = await coordinator.post(path, body, withKey(key));
    expect(retry.status).toBe(200);
    expect(retry.body.task.status).toBe('completed');
    expect(await completions(taskId)).toBe(1);
    expect(await storedKeys(key)).toEqual([{ status_code: 200 }]);
  });

  it('keeps refusing the retry (409, Retry-After) while the owning process lives, and runs it once that process is gone', async () => {
    const taskId = await createTask('Владелец жив');
    const key = randomUUID();
    const path = `/api/tasks/${encodeURIComponent(taskId)}/complete`;
    const first = await coordinator.post(path, { comment: 'Готово' }, withKey(key));
    expect(first.status).toBe(200);
    otherProcess = dataSource.createQueryRunner();
    const [{ locked }] = (await otherProcess.query('SELECT pg_try_advisory_lock($1, $2) AS locked', [IDEMPOTENCY_OWNER_LOCK_CLASS, deadOwnerKey])) as {
      locked: boolean;
    }[];
    expect(locked).toBe(true);
    await leaveRunning(key, deadOwnerKey);

    const during = await coordinator.post(path, { comment: 'Готово' }, withKey(key));
    expectRussianError(during, 409, ['Запрос с этим ключом ещё выполняется']);
    expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);

    // The other process dies: its lock goes (here given up; a dead process's session ends, the same to PostgreSQL).
    await otherProcess.query('SELECT pg_advisory_unlock($1, $2)', [IDEMPOTENCY_OWNER_LOCK_CLASS, deadOwnerKey]);
    const after = await coordinator.post(path, { comment: 'Готово' }, withKey(key));
    expect(after.status).toBe(200);
    expect(after.body.completedAt).toBe(first.body.completedAt);
    expect(await completions(taskId)).toBe(1);
  });
});
