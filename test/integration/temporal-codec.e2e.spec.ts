/**
 * The Temporal Web UI's codec endpoint end to end: a real workflow's payload, as Temporal stores it (encrypted), is
 * decoded to its JSON for a ministry administrator (bearer token, and the session cookie the UI sends cross-origin
 * without a CSRF token); anyone else is refused, in Russian. CORS answers only the configured UI origin.
 */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils';
import { DEADLINE_TASK_WORKFLOW, deadlineTaskWorkflowId, taskReadyUpdate, type DeadlineTaskInput } from '../../libs/contracts/deadline-task';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { expectRussianError, type ApiClient } from '../support/http';
import { DEMO_PASSWORD, localDateTimeIn, testConfig, uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const ADMIN = 'programme@demo-region.example';
const COORDINATOR = 'coordinator@severny.demo-region.example';
const AUDITOR = 'audit@demo-region.example';
const UI_ORIGIN = 'http://localhost:8233';
const suffix = uniqueSuffix();
const taskQueue = `codec-e2e-${suffix}`;

let stack: ApiStack;
let admin: ApiClient;
let stored: Payload;
let input: DeadlineTaskInput;

const text = (bytes: string | null | undefined) => Buffer.from(bytes ?? '', 'base64').toString('utf8');
const decodedValue = (json: JSONPayload) => defaultPayloadConverter.fromPayload(JSONToPayload(json));

beforeAll(async () => {
  const base = testConfig({ taskQueue, smtpUrl: 'smtp://unused' });
  stack = await startApiStack(taskQueue, { temporal: { ...base.temporal, uiOrigins: [UI_ORIGIN] } });
  admin = await stack.anonymous.as(ADMIN, DEMO_PASSWORD);
  input = {
    taskId: `codec-e2e-${suffix}`,
    title: 'Представить отчёт (проверка расшифровки в Temporal UI)',
    assigneeOrganizationId: 'demo-mun-severny',
    supervisorOrganizationId: 'demo-ministry',
    deadline: { localDateTime: localDateTimeIn(ZONE, 3600), timeZone: ZONE, calendar: 'calendar-days' },
    policy: { reminders: [], escalations: [] },
    createdBy: ADMIN,
  };
  const handle = await stack.harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
    taskQueue,
    workflowId: deadlineTaskWorkflowId(input.taskId),
    args: [input],
  });
  await handle.executeUpdate(taskReadyUpdate);
  // As the Web UI gets it: the history as stored, the workflow's input encrypted.
  const history = await handle.fetchHistory();
  stored = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0] as Payload;
});

afterAll(() => stack?.close());

describe('codec endpoint of the Temporal Web UI', () => {
  it('gets from Temporal an encrypted payload that names its key and holds no clear text', () => {
    const json = payloadToJSON(stored);
    expect(text(json.metadata!.encoding)).toBe('binary/encrypted');
    expect(text(json.metadata!['encryption-key-id'])).toBe('dev');
    expect(text(json.data)).not.toContain(ADMIN);
  });

  it('decodes it to its JSON for a ministry administrator with a bearer token', async () => {
    const response = await admin.post('/api/temporal-codec/decode', { payloads: [payloadToJSON(stored)] }, { headers: { 'x-namespace': 'default' } });
    expect(response.status).toBe(200);
    expect(response.body.payloads).toHaveLength(1);
    expect(text(response.body.payloads[0].metadata.encoding)).toBe('json/plain');
    expect(decodedValue(response.body.payloads[0])).toEqual(input);
  });

  it('decodes for the UI in the administrator’s browser: session cookie, no CSRF token, CORS for the UI origin only', async () => {
    const session = await stack.anonymous.post('/api/auth/session', { email: ADMIN, password: DEMO_PASSWORD });
    expect(session.status).toBe(200);
    const cookie = session.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ');
    const preflight = await fetch(`${stack.baseUrl}/api/temporal-codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('x-namespace');

    const response = await stack.anonymous.post(
      '/api/temporal-codec/decode',
      { payloads: [payloadToJSON(stored)] },
      { headers: { cookie, origin: UI_ORIGIN, 'x-namespace': 'default' } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(decodedValue(response.body.payloads[0])).toEqual(input);

    // Another origin is not told it may read the answer, and no other route answers cross-origin.
    const elsewhere = await fetch(`${stack.baseUrl}/api/temporal-codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(elsewhere.headers.get('access-control-allow-origin')).toBeNull();
    const otherRoute = await fetch(`${stack.baseUrl}/api/tasks`, { headers: { origin: UI_ORIGIN, authorization: `Bearer ${admin.token}` } });
    expect(otherRoute.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('encodes what the UI sends (a signal typed by an operator) under the current key, and decodes it back', async () => {
    const plain = payloadToJSON(defaultPayloadConverter.toPayload({ reason: 'Проверка', by: ADMIN }));
    const encoded = await admin.post('/api/temporal-codec/encode', { payloads: [plain] });
    expect(encoded.status).toBe(200);
    expect(text(encoded.body.payloads[0].metadata.encoding)).toBe('binary/encrypted');
    expect(text(encoded.body.payloads[0].data)).not.toContain(ADMIN);
    const decoded = await admin.post('/api/temporal-codec/decode', { payloads: encoded.body.payloads });
    expect(decodedValue(decoded.body.payloads[0])).toEqual({ reason: 'Проверка', by: ADMIN });
    // A payload that was never encrypted comes back as it is.
    const passed = await admin.post('/api/temporal-codec/decode', { payloads: [plain] });
    expect(passed.body.payloads[0]).toEqual({ metadata: plain.metadata, data: plain.data });
  });

  it('refuses a municipal coordinator and an auditor (403) and anyone not logged in (401), in Russian', async () => {
    const body = { payloads: [payloadToJSON(stored)] };
    const coordinator = await stack.anonymous.as(COORDINATOR, DEMO_PASSWORD);
    expectRussianError(await coordinator.post('/api/temporal-codec/decode', body), 403, ['администратор министерства']);
    expectRussianError(await coordinator.post('/api/temporal-codec/encode', body), 403, ['администратор министерства']);
    const auditor = await stack.anonymous.as(AUDITOR, DEMO_PASSWORD);
    expectRussianError(await auditor.post('/api/temporal-codec/decode', body), 403, ['администратор министерства']);
    const anonymous = await stack.anonymous.post('/api/temporal-codec/decode', body);
    expectRussianError(anonymous, 401);
    expect(anonymous.text).not.toContain(ADMIN);
  });

  it('answers a malformed, an altered or a foreign payload with a Russian 4xx naming it', async () => {
    const json = payloadToJSON(stored);
    expectRussianError(await admin.post('/api/temporal-codec/decode', { payloads: [{ ...json, data: 'не base64!' }] }), 400, [], ['payloads[0].data', 'base64']);
    expectRussianError(await admin.post('/api/temporal-codec/decode', { payloads: 'x' }), 400);
    expectRussianError(await admin.post('/api/temporal-codec/decode', { payloads: [{ ...json, extra: 1 }] }), 400);
    const bytes = Buffer.from(json.data!, 'base64');
    bytes[bytes.length - 1] ^= 1;
    const altered = await admin.post('/api/temporal-codec/decode', { payloads: [json, { ...json, data: bytes.toString('base64') }] });
    expectRussianError(altered, 422, [], ['payloads[1]', 'подлинности', '«dev»']);
    const unknownKey = { ...json, metadata: { ...json.metadata, 'encryption-key-id': Buffer.from('k-retired').toString('base64') } };
    expectRussianError(await admin.post('/api/temporal-codec/decode', { payloads: [unknownKey] }), 422, [], ['«k-retired»', 'TEMPORAL_PAYLOAD_KEYS']);
    expectRussianError(
      await admin.post('/api/temporal-codec/decode', { payloads: [json] }, { headers: { 'x-namespace': 'temporal-system' } }),
      400,
      ['«temporal-system»'],
    );
  });
});
