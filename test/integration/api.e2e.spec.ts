/**
 * The HTTP API end to end: the real Nest/Fastify app on a real port, a real worker on the shared Temporal dev server,
 * the shared PostgreSQL, and a real SMTP sink. Every request goes through Node's fetch; no request may get a 500.
 */
import 'reflect-metadata';
import { DateTime } from 'luxon';
import { createApiApp } from '../../apps/api/api-app';
import { DEFAULT_NOTIFICATION_POLICY, LIMITS } from '../../libs/contracts/deadline-task';
import { addCalendarDays, addWorkingDays, isWorkingDay, nextWorkingDay } from '../../libs/domain/calendar';
import { buildNotificationSchedule, resolveDeadline } from '../../libs/domain/deadline';
import { ApiClient, expectRussianError, type ApiResponse } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import type { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, localDateTimeIn, testConfig, uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const ZONE = 'Asia/Yekaterinburg';
const SEVERNY = 'demo-mun-severny';
const YUZHNY = 'demo-mun-yuzhny';
const MINISTRY = 'demo-ministry';
const PROGRAMME = 'programme@demo-region.example';
const SEVERNY_COORDINATOR = 'coordinator@severny.demo-region.example';
const SEVERNY_HEAD = 'head@severny.demo-region.example';
const YUZHNY_COORDINATOR = 'coordinator@yuzhny.demo-region.example';
const SEVERNY_NAME = 'Управление образования Северного района';
const YUZHNY_NAME = 'Управление образования Южного района';
const MINISTRY_NAME = 'Министерство образования Демонстрационной области';
const SEEDED_DEMO_ORGANIZATIONS = [
  'demo-ministry',
  'demo-iro',
  'demo-mun-severny',
  'demo-mun-yuzhny',
  'demo-school-severny-1',
  'demo-school-severny-2',
  'demo-school-yuzhny-1',
];

const suffix = uniqueSuffix();
const taskQueue = `api-e2e-${suffix}`;
let stack: ApiStack;
let sink: SmtpSink;
let harness: Harness;
/** The ministry administrator, who creates, extends, reassigns and cancels tasks. */
let api: ApiClient;
/** The municipal coordinators, who complete their municipality's tasks. */
let severny: ApiClient;
let yuzhny: ApiClient;

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  ({ sink, harness } = stack);
  const anonymous = new ApiClient(stack.baseUrl);
  api = await anonymous.as(PROGRAMME, DEMO_PASSWORD);
  severny = await anonymous.as(SEVERNY_COORDINATOR, DEMO_PASSWORD);
  yuzhny = await anonymous.as(YUZHNY_COORDINATOR, DEMO_PASSWORD);
});

afterAll(() => stack?.close());

// ---------------------------------------------------------------------------------------------------------------
// Dates, picked from the production calendar so that the file keeps working whatever day it runs on.

const todayLocal = (): string => DateTime.now().setZone(ZONE).toISODate() as string;

/** The first date at least `minDaysAhead` days ahead (in the region's zone) that satisfies `accept`. */
function dateAhead(minDaysAhead: number, accept: (date: string) => boolean): string {
  let date = addCalendarDays(todayLocal(), minDaysAhead);
  while (!accept(date)) date = addCalendarDays(date, 1);
  return date;
}

/** A working day a bit more than a week ahead: every reminder of the default policy is still in the future. */
const WORKING_DUE_DATE = dateAhead(8, isWorkingDay);
/** A later working day, for extensions. */
const LATER_WORKING_DUE_DATE = addWorkingDays(WORKING_DUE_DATE, 5);
/** A Saturday, Sunday or holiday a few days ahead. */
const NON_WORKING_DUE_DATE = dateAhead(3, (date) => !isWorkingDay(date));

const utcOf = (localDateTime: string): string =>
  DateTime.fromISO(localDateTime, { zone: ZONE }).toUTC().toISO({ suppressMilliseconds: true }) as string;

function taskId(name: string): string {
  return `e2e-${name}-${suffix}`;
}

function taskBody(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: taskId(name),
    title: `Представить муниципальный план поддержки школ (${name})`,
    description: 'План поддержки школ с низкими образовательными результатами на 2027 год',
    assigneeOrganizationId: SEVERNY,
    dueAt: `${WORKING_DUE_DATE}T18:00`,
    ...overrides,
  };
}

async function createTask(name: string, overrides: Record<string, unknown> = {}): Promise<ApiResponse> {
  const response = await api.post('/api/tasks', taskBody(name, overrides));
  if (response.status !== 201) throw new Error(`creating ${name}: ${response.status} ${response.text}`);
  return response;
}

async function expectNoTask(id: string): Promise<void> {
  const response = await api.get(`/api/tasks/${encodeURIComponent(id)}`);
  expectRussianError(response, 404, [`«${id}»`, 'не найдена']);
}

async function listIds(query: Record<string, string>): Promise<string[]> {
  const response = await api.get(`/api/tasks?${new URLSearchParams({ limit: '200', ...query })}`);
  expect(response.status).toBe(200);
  return (response.body.items as { id: string }[]).map((t) => t.id);
}

async function waitUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`condition not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('health and documentation', () => {
  it('reports the database, Temporal and mail as up, without a token', async () => {
    const response = await api.withToken(undefined).get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'up',
      down: [],
      components: { database: { status: 'up' }, temporal: { status: 'up' }, mail: { status: 'up' } },
    });
  });

  it('answers 503 and names mail as down when the SMTP relay is unreachable', async () => {
    const broken = await createApiApp(testConfig({ taskQueue, smtpUrl: 'smtp://127.0.0.1:1' }));
    try {
      await broken.listen(0, '127.0.0.1');
      const brokenApi = new ApiClient(await broken.getUrl());
      const response = await brokenApi.get('/api/health', { allowServerErrors: [503] });
      expect(response.status).toBe(503);
      expect(response.body.status).toBe('down');
      expect(response.body.down).toEqual(['mail']);
      expect(response.body.components.mail).toEqual({ status: 'down', error: expect.any(String) });
      expect(response.body.components.database.status).toBe('up');
      expect(response.body.components.temporal.status).toBe('up');
    } finally {
      await broken.close();
    }
  });

  it('answers 503 in Russian, without hanging, when no worker takes the task; the workflow is kept', async () => {
    const idleQueue = `no-worker-${suffix}`;
    const stalled = await createApiApp(testConfig({ taskQueue: idleQueue, smtpUrl: sink.url, updateTimeoutMs: 1_000 }));
    try {
      await stalled.listen(0, '127.0.0.1');
      // Every API process of an installation shares the signing secret, so the token from the main one is valid here.
      const stalledApi = new ApiClient(await stalled.getUrl());
      stalledApi.token = api.token;
      const id = `e2e-no-worker-${suffix}`;
      const started = Date.now();
      const response = await stalledApi.post(
        '/api/tasks',
        {
          id,
          title: 'Задача без обработчика',
          assigneeOrganizationId: 'demo-mun-severny',
          dueAt: '2027-06-25T18:00',
        },
        { allowServerErrors: [503] },
      );
      expect(Date.now() - started).toBeLessThan(10_000);
      expectRussianError(response, 503, ['принята', 'не отвечает']);
      const description = await harness.env.client.workflow.getHandle(`task:${id}`).describe();
      expect(description.status.name).toBe('RUNNING');
      await harness.env.client.workflow.getHandle(`task:${id}`).terminate('test clean-up');
    } finally {
      await stalled.close();
    }
  });

  it('serves the OpenAPI document, which lists the task endpoints', async () => {
    const response = await api.get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/tasks',
        '/api/tasks/{id}',
        '/api/tasks/{id}/complete',
        '/api/organizations',
        '/api/health',
        '/api/auth/login',
        '/api/substitutions',
      ]),
    );
    expect(response.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('serves the interactive documentation as HTML', async () => {
    const response = await api.withToken(undefined).get('/api/docs', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.text).toMatch(/<html/i);
    expect(response.text).toMatch(/swagger/i);
  });

  it('answers an unknown address with a Russian 404', async () => {
    expectRussianError(await api.get('/api/nothing-here'), 404, ['Адрес не найден']);
  });

  it('answers a broken URL escape and an over-long identifier in Russian before routing', async () => {
    expectRussianError(await api.get('/api/tasks/%E0%A4%A'), 400, ['Некорректный адрес']);
    expectRussianError(await api.get(`/api/tasks/${'a'.repeat(150)}`), 414, ['Слишком длинный идентификатор']);
  });
});

describe('directory of organisations and people', () => {
  it('lists the seeded organisations of the demo region', async () => {
    const response = await api.get('/api/organizations?regionCode=demo');
    expect(response.status).toBe(200);
    const ids = (response.body as { id: string }[]).map((o) => o.id);
    expect(ids).toEqual(expect.arrayContaining(SEEDED_DEMO_ORGANIZATIONS));
    expect(response.body).toContainEqual({
      id: SEVERNY,
      kind: 'municipality',
      name: SEVERNY_NAME,
      regionCode: 'demo',
      timeZone: ZONE,
      parentId: MINISTRY,
    });
    expect((response.body as { regionCode: string }[]).every((o) => o.regionCode === 'demo')).toBe(true);
  });

  it('shows one organisation with its people, the head first', async () => {
    const response = await api.get(`/api/organizations/${SEVERNY}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: SEVERNY, name: SEVERNY_NAME, timeZone: ZONE });
    const people = response.body.people as { email: string; isHead: boolean; fullName: string }[];
    expect(people.map((p) => p.email)).toEqual(expect.arrayContaining([SEVERNY_HEAD, SEVERNY_COORDINATOR]));
    expect(people[0]).toMatchObject({ email: SEVERNY_HEAD, isHead: true, fullName: 'Кузнецов Андрей Николаевич' });
  });

  it('answers 404 in Russian for an unknown organisation', async () => {
    expectRussianError(await api.get(`/api/organizations/demo-mun-nowhere-${suffix}`), 404, [
      `demo-mun-nowhere-${suffix}`,
      'не найдена',
    ]);
  });

  it('creates an organisation (201) and refuses the same id a second time (409)', async () => {
    const body = {
      id: `e2e-mun-zapadny-${suffix}`,
      kind: 'municipality',
      name: 'Управление образования Западного района',
      regionCode: 'demo',
      timeZone: ZONE,
      parentId: MINISTRY,
    };
    const created = await api.post('/api/organizations', body);
    expect(created.status).toBe(201);
    expect(created.body).toEqual(body);

    const again = await api.post('/api/organizations', { ...body, name: 'Другое название' });
    expectRussianError(again, 409, [`«${body.id}»`, 'уже есть в справочнике']);
    const stored = await api.get(`/api/organizations/${body.id}`);
    expect(stored.body).toMatchObject({ name: body.name, people: [] });
  });

  it('shows the seeded schools with their codes, and finds a school by its code', async () => {
    const schools = await api.get('/api/organizations?regionCode=demo&kind=school');
    expect(schools.body).toContainEqual(expect.objectContaining({ id: 'demo-school-severny-1', code: '000101' }));
    const found = await api.get('/api/organizations?regionCode=demo&code=000201');
    expect(found.body).toEqual([expect.objectContaining({ id: 'demo-school-yuzhny-1', kind: 'school', code: '000201' })]);
    expect((await api.get('/api/organizations?regionCode=demo&code=201')).body).toEqual([]);
    expectRussianError(await api.get('/api/organizations?code=12%2034'), 400, [], ['code: код школы']);
  });

  it('creates a school with its code (201), refuses a code taken in the region (409) and a code for another kind (400)', async () => {
    const code = `E2E-${suffix}`;
    const body = {
      id: `e2e-school-coded-${suffix}`,
      kind: 'school',
      name: 'МБОУ «СОШ № 7» п. Северный',
      regionCode: 'demo',
      timeZone: ZONE,
      parentId: SEVERNY,
      code,
    };
    const created = await api.post('/api/organizations', { ...body, code: `  ${code} ` });
    expect(created.status).toBe(201);
    expect(created.body).toEqual(body);
    expect((await api.get(`/api/organizations/${body.id}`)).body).toMatchObject({ code });
    expect((await api.get(`/api/organizations?regionCode=demo&code=${code}`)).body).toEqual([body]);

    const taken = await api.post('/api/organizations', { ...body, id: `e2e-school-copy-${suffix}` });
    expectRussianError(taken, 409, [`«${code}»`, 'уже занят', body.name]);
    const seededCode = await api.post('/api/organizations', { ...body, id: `e2e-school-copy-${suffix}`, code: '000101' });
    expectRussianError(seededCode, 409, ['«000101»', 'demo-school-severny-1']);
    expect((await api.get(`/api/organizations/e2e-school-copy-${suffix}`)).status).toBe(404);

    const municipality = await api.post('/api/organizations', { ...body, id: `e2e-mun-coded-${suffix}`, kind: 'municipality', code: `M-${suffix}` });
    expectRussianError(municipality, 400, [], ['code: код задаётся только школам']);
    for (const bad of ['12 34', '', 101, 'x'.repeat(33)]) {
      expectRussianError(await api.post('/api/organizations', { ...body, id: `e2e-school-bad-${suffix}`, code: bad }), 400, [], ['code: код школы']);
    }
  });

  it('refuses an organisation with an unknown time zone (400) and stores nothing', async () => {
    const id = `e2e-mun-mars-${suffix}`;
    const response = await api.post('/api/organizations', {
      id,
      kind: 'municipality',
      name: 'Управление образования Марсианского района',
      regionCode: 'demo',
      timeZone: 'Mars/Olympus_Mons',
    });
    expectRussianError(response, 400, ['Неизвестный часовой пояс', 'Mars/Olympus_Mons']);
    expect((await api.get(`/api/organizations/${id}`)).status).toBe(404);
  });

  it('adds a person (201), refuses a duplicate e-mail (409) and an unknown organisation (404)', async () => {
    const orgId = `e2e-school-${suffix}`;
    expect(
      (
        await api.post('/api/organizations', {
          id: orgId,
          kind: 'school',
          name: 'МБОУ «СОШ № 3» п. Северный',
          regionCode: 'demo',
          timeZone: ZONE,
          parentId: SEVERNY,
        })
      ).status,
    ).toBe(201);
    const person = {
      fullName: 'Сидорова Наталья Викторовна',
      email: `director.${suffix}@school3.severny.demo-region.example`,
      position: 'Директор',
      isHead: true,
    };
    const added = await api.post(`/api/organizations/${orgId}/people`, person);
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ ...person, organizationId: orgId, id: expect.any(String) });

    const duplicate = await api.post(`/api/organizations/${orgId}/people`, {
      ...person,
      fullName: 'Сидорова Н. В.',
      email: person.email.toUpperCase(),
    });
    expectRussianError(duplicate, 409, ['уже есть в этой организации']);

    const unknown = await api.post(`/api/organizations/e2e-nowhere-${suffix}/people`, person);
    expectRussianError(unknown, 404, [`«e2e-nowhere-${suffix}»`, 'не найдена']);

    const stored = await api.get(`/api/organizations/${orgId}`);
    expect(stored.body.people).toHaveLength(1);
    expect(stored.body.people[0]).toMatchObject({ fullName: person.fullName, email: person.email });
  });
});

describe('a task from creation to completion', () => {
  const id = taskId('happy');
  const dueLocal = `${WORKING_DUE_DATE}T18:00:00`;
  const dueAt = utcOf(dueLocal);

  it('creates the task (201) with the effective due date, the default schedule and the organisations named', async () => {
    const response = await api.post('/api/tasks', taskBody('happy'));
    expect(response.status).toBe(201);
    const task = response.body;
    expect(task).toMatchObject({
      id,
      workflowId: `task:${id}`,
      title: 'Представить муниципальный план поддержки школ (happy)',
      status: 'open',
      overdue: false,
      assignee: { id: SEVERNY, name: SEVERNY_NAME },
      supervisor: { id: MINISTRY, name: MINISTRY_NAME },
      dueAt,
      dueLocal,
      timeZone: ZONE,
      requestedDueLocal: `${WORKING_DUE_DATE}T18:00`,
      movedFromNonWorkingDay: false,
      calendar: 'working-days',
      deadlineRevision: 1,
      createdBy: PROGRAMME,
    });

    const schedule = task.schedule as { stepKey: string; kind: string; target: string; at: string; atLocal: string; sent: boolean }[];
    const reminders = schedule.filter((s) => s.kind === 'reminder');
    const escalations = schedule.filter((s) => s.kind === 'escalation');
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    for (const reminder of reminders) {
      expect(reminder).toMatchObject({ target: 'assignee', sent: false });
      expect(reminder.atLocal).toMatch(/T09:00:00$/);
      expect(isWorkingDay(reminder.atLocal.slice(0, 10))).toBe(true);
      expect(Date.parse(reminder.at)).toBeLessThan(Date.parse(dueAt));
    }
    // The head hears on the due moment itself; the ministry three working days later.
    expect(escalations).toEqual([
      expect.objectContaining({ target: 'assignee_head', at: dueAt, atLocal: dueLocal, sent: false }),
      expect.objectContaining({
        target: 'supervisor',
        atLocal: `${addWorkingDays(WORKING_DUE_DATE, 3)}T18:00:00`,
        sent: false,
      }),
    ]);
    const expected = buildNotificationSchedule(
      resolveDeadline({ localDateTime: `${WORKING_DUE_DATE}T18:00`, timeZone: ZONE, calendar: 'working-days' }),
      DEFAULT_NOTIFICATION_POLICY,
      1,
      new Date(),
    );
    expect(schedule.map(({ stepKey, kind, target, at }) => ({ stepKey, kind, target, at }))).toEqual(expected);
  });

  it("lists it in the assignee's and the supervisor's open tasks", async () => {
    expect(await listIds({ organizationId: SEVERNY, status: 'open' })).toContain(id);
    expect(await listIds({ organizationId: MINISTRY, status: 'open' })).toContain(id);
    expect(await listIds({ organizationId: YUZHNY, status: 'open' })).not.toContain(id);
    expect(await listIds({ organizationId: SEVERNY, status: 'completed' })).not.toContain(id);
    const page = await api.get(`/api/tasks?${new URLSearchParams({ organizationId: SEVERNY, status: 'open', limit: '200' })}`);
    expect(page.body).toMatchObject({ limit: 200, offset: 0, total: expect.any(Number) });
    expect(page.body.items.find((t: { id: string }) => t.id === id)).toMatchObject({
      id,
      status: 'open',
      dueAt,
      assignee: { id: SEVERNY, name: SEVERNY_NAME },
    });
  });

  it('includes or excludes it by the dueFrom / dueTo filters', async () => {
    const plusSecond = new Date(Date.parse(dueAt) + 1000).toISOString();
    const minusSecond = new Date(Date.parse(dueAt) - 1000).toISOString();
    const withOffset = `${dueLocal}+05:00`;
    expect(await listIds({ organizationId: SEVERNY, dueFrom: dueAt, dueTo: dueAt })).toContain(id);
    expect(await listIds({ organizationId: SEVERNY, dueFrom: withOffset, dueTo: withOffset })).toContain(id);
    expect(await listIds({ organizationId: SEVERNY, dueFrom: WORKING_DUE_DATE, dueTo: addCalendarDays(WORKING_DUE_DATE, 1) })).toContain(id);
    expect(await listIds({ organizationId: SEVERNY, dueFrom: plusSecond })).not.toContain(id);
    expect(await listIds({ organizationId: SEVERNY, dueTo: minusSecond })).not.toContain(id);
    expect(await listIds({ organizationId: SEVERNY, dueFrom: addCalendarDays(WORKING_DUE_DATE, 1) })).not.toContain(id);
  });

  it('shows a timeline that starts with the creation', async () => {
    const response = await api.get(`/api/tasks/${id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, status: 'open', dueLocal });
    expect(response.body.timeline).toHaveLength(1);
    expect(response.body.timeline[0]).toMatchObject({
      seq: 1,
      type: 'created',
      actor: PROGRAMME,
      data: { dueAt, localDateTime: dueLocal, movedFromNonWorkingDay: false },
    });
    expect(response.body.notifications).toEqual([]);
  });

  it('completes it on time (200, late: false) by a person of the assignee; the timeline ends with the completion', async () => {
    const response = await severny.post(`/api/tasks/${id}/complete`, {
      comment: 'План направлен письмом от 01.12.2026 № 45',
      documentUrl: 'https://docs.demo-region.example/plans/severny-2027.pdf',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'completed', late: false, lateBySeconds: 0, completedAt: expect.any(String) });
    expect(response.body.task).toMatchObject({
      id,
      status: 'completed',
      overdue: false,
      completedBy: SEVERNY_COORDINATOR,
      completedLate: false,
      completedAt: response.body.completedAt,
      result: {
        comment: 'План направлен письмом от 01.12.2026 № 45',
        documentUrl: 'https://docs.demo-region.example/plans/severny-2027.pdf',
      },
    });

    const detail = await api.get(`/api/tasks/${id}`);
    expect(detail.body.status).toBe('completed');
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'completed']);
    expect(detail.body.timeline.at(-1)).toMatchObject({ type: 'completed', actor: SEVERNY_COORDINATOR, data: { late: false } });
    expect(await listIds({ organizationId: SEVERNY, status: 'open' })).not.toContain(id);
    expect(await listIds({ organizationId: SEVERNY, status: 'completed' })).toContain(id);
  });

  it('refuses a second completion (409) and keeps the first one as it was', async () => {
    const before = await api.get(`/api/tasks/${id}`);
    const response = await severny.post(`/api/tasks/${id}/complete`, { comment: 'Повторно' });
    expectRussianError(response, 409, ['уже выполнена']);
    const after = await api.get(`/api/tasks/${id}`);
    expect(after.body).toEqual(before.body);
    expect(after.body).toMatchObject({ completedBy: SEVERNY_COORDINATOR, result: { comment: 'План направлен письмом от 01.12.2026 № 45' } });
  });
});

describe('non-working days', () => {
  const cases: { name: string; dueAt: string; requested: string; effectiveDate: string }[] = [
    {
      name: 'weekend',
      dueAt: `${NON_WORKING_DUE_DATE}T17:00`,
      requested: `${NON_WORKING_DUE_DATE}T17:00`,
      effectiveDate: nextWorkingDay(NON_WORKING_DUE_DATE),
    },
  ];
  // International Women's Day, a public holiday; only while it is ahead and inside the calendar.
  if (todayLocal() < '2027-03-01') {
    cases.push({ name: 'march-8', dueAt: '2027-03-08', requested: '2027-03-08T18:00', effectiveDate: '2027-03-09' });
  }

  it.each(cases)('moves a due date on a non-working day ($name) to the next working day, keeping the requested one', async (c) => {
    expect(isWorkingDay(c.requested.slice(0, 10))).toBe(false);
    const response = await createTask(`moved-${c.name}`, { dueAt: c.dueAt });
    const time = c.requested.slice(11);
    expect(response.body).toMatchObject({
      status: 'open',
      movedFromNonWorkingDay: true,
      requestedDueLocal: c.requested,
      dueLocal: `${c.effectiveDate}T${time}:00`,
      dueAt: utcOf(`${c.effectiveDate}T${time}`),
    });
    expect(isWorkingDay(c.effectiveDate)).toBe(true);
    const detail = await api.get(`/api/tasks/${taskId(`moved-${c.name}`)}`);
    expect(detail.body.timeline[0].data).toMatchObject({ requestedLocalDateTime: c.requested, movedFromNonWorkingDay: true });
    const cancelled = await api.post(`/api/tasks/${taskId(`moved-${c.name}`)}/cancel`, { reason: 'Тестовая задача' });
    expect(cancelled.status).toBe(200);
  });
});

describe('a compressed-calendar task that runs late', () => {
  it('reminds, escalates to the head, records both e-mails and a late completion', async () => {
    const id = taskId('compressed');
    const dueLocal = localDateTimeIn(ZONE, 5);
    // The minimum lead counts the five seconds from the moment the workflow issues the task, however long the
    // request took to get there, so the reminder two seconds before the deadline is always still ahead.
    const created = await createTask('compressed', {
      dueAt: dueLocal,
      calendar: 'calendar-days',
      policy: { reminders: [{ secondsBefore: 2 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 5 },
    });
    expect(created.body).toMatchObject({ calendar: 'calendar-days', requestedDueLocal: dueLocal, movedFromNonWorkingDay: false });
    expect(created.body.dueLocal >= dueLocal).toBe(true);
    expect(Date.parse(created.body.dueAt) - Date.parse(created.body.createdAt)).toBeGreaterThanOrEqual(5_000);
    expect(created.body.schedule.map((s: { stepKey: string; kind: string; target: string }) => [s.stepKey, s.kind, s.target])).toEqual([
      ['r1-reminder-1', 'reminder', 'assignee'],
      ['r1-escalation-1', 'escalation', 'assignee_head'],
    ]);

    await sink.waitFor(() => sink.forTask(id).length === 2, 30_000);
    const [reminder, escalation] = sink.forTask(id);
    expect(reminder.subject).toContain('Напоминание');
    expect([...reminder.to].sort()).toEqual([SEVERNY_COORDINATOR, SEVERNY_HEAD]);
    expect(escalation.subject).toContain('Просрочена');
    expect(escalation.to).toEqual([SEVERNY_HEAD]);

    // The e-mail reaches the sink just before the outbox and the timeline record it.
    await waitUntil(
      () => api.get(`/api/tasks/${id}`),
      (r) => r.body.timeline.length === 3 && r.body.notifications.every((n: { status: string }) => n.status === 'sent'),
    );

    const completion = await severny.post(`/api/tasks/${id}/complete`, { comment: 'С опозданием' });
    expect(completion.status).toBe(200);
    expect(completion.body).toMatchObject({ status: 'completed', late: true });
    expect(completion.body.lateBySeconds).toBeGreaterThan(0);
    expect(completion.body.task).toMatchObject({ status: 'completed', completedLate: true });

    const detail = await api.get(`/api/tasks/${id}`);
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual([
      'created',
      'reminder_sent',
      'escalation_sent',
      'completed',
    ]);
    expect(detail.body.timeline[3].data).toMatchObject({ late: true });
    expect(detail.body.notifications).toEqual([
      expect.objectContaining({
        stepKey: 'r1-reminder-1',
        kind: 'reminder',
        status: 'sent',
        messageId: `<task.${id}.r1-reminder-1@uplift.test>`,
        subject: reminder.subject,
        sentAt: expect.any(String),
      }),
      expect.objectContaining({
        stepKey: 'r1-escalation-1',
        kind: 'escalation',
        target: 'assignee_head',
        status: 'sent',
        recipients: [SEVERNY_HEAD],
        subject: escalation.subject,
      }),
    ]);
    expect([...detail.body.notifications[0].recipients].sort()).toEqual([SEVERNY_COORDINATOR, SEVERNY_HEAD]);
    expect(detail.body.schedule.every((s: { sent: boolean }) => s.sent)).toBe(true);
  });
});

describe('extending, reassigning and cancelling a task', () => {
  const id = taskId('changes');
  const laterDueLocal = `${LATER_WORKING_DUE_DATE}T18:00:00`;

  beforeAll(async () => {
    await createTask('changes');
  });

  it('extends the deadline when a ministry person decides (200, revision 2)', async () => {
    const response = await api.post(`/api/tasks/${id}/extend`, {
      dueAt: `${LATER_WORKING_DUE_DATE}T18:00`,
      reason: 'Продление по письму управления образования от 10.12.2026 № 123',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, status: 'open', deadlineRevision: 2, dueLocal: laterDueLocal, dueAt: utcOf(laterDueLocal) });
    expect(response.body.schedule.every((s: { stepKey: string }) => s.stepKey.startsWith('r2-'))).toBe(true);
    const detail = await api.get(`/api/tasks/${id}`);
    expect(detail.body.timeline.at(-1)).toMatchObject({
      type: 'extended',
      actor: PROGRAMME,
      data: { reason: 'Продление по письму управления образования от 10.12.2026 № 123', dueAt: utcOf(laterDueLocal) },
    });
  });

  it('refuses an extension to an earlier date (422) and keeps the deadline', async () => {
    const before = await api.get(`/api/tasks/${id}`);
    const response = await api.post(`/api/tasks/${id}/extend`, {
      dueAt: `${WORKING_DUE_DATE}T18:00`,
      reason: 'Ошибочное продление',
    });
    expectRussianError(response, 422, ['Новый срок должен быть позже текущего']);
    const after = await api.get(`/api/tasks/${id}`);
    expect(after.body).toEqual(before.body);
    expect(after.body).toMatchObject({ deadlineRevision: 2, dueLocal: laterDueLocal });
  });

  it('refuses an extension asked by the assignee rather than the supervising organisation (403)', async () => {
    const before = await api.get(`/api/tasks/${id}`);
    const response = await severny.post(`/api/tasks/${id}/extend`, {
      dueAt: `${addWorkingDays(LATER_WORKING_DUE_DATE, 2)}T18:00`,
      reason: 'Сами себе продлили',
    });
    expectRussianError(response, 403, ['курирующей организации', MINISTRY]);
    expect((await api.get(`/api/tasks/${id}`)).body).toEqual(before.body);
  });

  it('reassigns the task to another municipality (200); it then lists under that organisation', async () => {
    const response = await api.post(`/api/tasks/${id}/reassign`, {
      organizationId: YUZHNY,
      reason: 'Школы переданы в ведение Южного района',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, status: 'open', assignee: { id: YUZHNY, name: YUZHNY_NAME } });
    expect(await listIds({ organizationId: YUZHNY, status: 'open' })).toContain(id);
    expect(await listIds({ organizationId: SEVERNY })).not.toContain(id);
    const detail = await api.get(`/api/tasks/${id}`);
    expect(detail.body.timeline.at(-1)).toMatchObject({ type: 'reassigned', data: { from: SEVERNY, to: YUZHNY } });
  });

  it('refuses a completion by the former assignee (403) once reassigned: the task is outside its scope', async () => {
    const response = await severny.post(`/api/tasks/${id}/complete`, {});
    expectRussianError(response, 403, ['Муниципальный координатор видит только свой муниципалитет и его школы']);
    expect((await api.get(`/api/tasks/${id}`)).body.status).toBe('open');
  });

  it('cancels the task (200) and then refuses to complete it (409)', async () => {
    const response = await api.post(`/api/tasks/${id}/cancel`, {
      reason: 'Мероприятие исключено из дорожной карты',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, status: 'cancelled', cancelReason: 'Мероприятие исключено из дорожной карты' });
    expect(await listIds({ organizationId: YUZHNY, status: 'cancelled' })).toContain(id);

    const before = await api.get(`/api/tasks/${id}`);
    const completion = await yuzhny.post(`/api/tasks/${id}/complete`, {});
    expectRussianError(completion, 409, ['Задача отменена', 'Мероприятие исключено из дорожной карты']);
    const after = await api.get(`/api/tasks/${id}`);
    expect(after.body).toEqual(before.body);
    expect(after.body.completedAt).toBeUndefined();
    expect(after.body.timeline.map((e: { type: string }) => e.type)).toEqual(['created', 'extended', 'reassigned', 'cancelled']);
  });
});

describe('bad input is refused with a clear Russian message, and nothing is stored or changed', () => {
  it('refuses an unknown assignee organisation (422)', async () => {
    const response = await api.post('/api/tasks', taskBody('unknown-org', { assigneeOrganizationId: 'demo-mun-nowhere' }));
    expectRussianError(response, 422, ['assigneeOrganizationId', '«demo-mun-nowhere»', 'не найдена']);
    await expectNoTask(taskId('unknown-org'));
  });

  it('refuses a task created by a municipal coordinator (403, naming the roles allowed)', async () => {
    const response = await severny.post('/api/tasks', taskBody('by-coordinator'));
    expectRussianError(response, 403, ['только для ролей', 'администратор министерства', 'специалист министерства']);
    await expectNoTask(taskId('by-coordinator'));
  });

  it('refuses the creator named in the body, as the field no longer exists: the token names the actor (400)', async () => {
    const response = await api.post('/api/tasks', taskBody('body-creator', { createdBy: PROGRAMME }));
    expectRussianError(response, 400, ['Запрос содержит ошибки'], ['поле createdBy не предусмотрено']);
    await expectNoTask(taskId('body-creator'));
  });

  it('refuses a due date in the past (422)', async () => {
    const past = localDateTimeIn(ZONE, -3600);
    const response = await api.post('/api/tasks', taskBody('past', { dueAt: past, calendar: 'calendar-days' }));
    expectRussianError(response, 422, ['уже прошёл', ZONE]);
    await expectNoTask(taskId('past'));
  });

  it.each(['15.12.2026', '2026-12-15 18:00', '2026-12-15T18:00+05:00', ''])(
    'refuses a malformed due date %j (400) naming the expected format',
    async (dueAt) => {
      const name = `malformed-${dueAt.replace(/[^0-9]/g, '') || 'empty'}`;
      const response = await api.post('/api/tasks', taskBody(name, { dueAt }));
      expectRussianError(response, 400, ['Запрос содержит ошибки'], ['dueAt', 'ГГГГ-ММ-ДД']);
      await expectNoTask(taskId(name));
    },
  );

  it.each(['2026-02-30T10:00', '2027-02-29T10:00', '2027-04-10T25:00'])(
    'refuses a date or time that does not exist, %s (400)',
    async (dueAt) => {
      const name = `impossible-${dueAt.replace(/[^0-9]/g, '')}`;
      const response = await api.post('/api/tasks', taskBody(name, { dueAt }));
      expectRussianError(response, 400, ['Несуществующая дата или время', dueAt]);
      await expectNoTask(taskId(name));
    },
  );

  it('refuses an unknown time zone (400)', async () => {
    const response = await api.post('/api/tasks', taskBody('bad-zone', { timeZone: 'Europe/Atlantis' }));
    expectRussianError(response, 400, ['Неизвестный часовой пояс', '«Europe/Atlantis»']);
    await expectNoTask(taskId('bad-zone'));
  });

  it('refuses a due date outside the production calendar (422)', async () => {
    const response = await api.post('/api/tasks', taskBody('year-2035', { dueAt: '2035-06-15T18:00' }));
    expectRussianError(response, 422, ['2035-06-15T18:00', 'вне производственного календаря']);
    await expectNoTask(taskId('year-2035'));
  });

  it('refuses an invalid notification policy (400) with each problem listed', async () => {
    const response = await api.post(
      '/api/tasks',
      taskBody('bad-policy', {
        policy: { reminders: [{ daysBefore: 3, secondsBefore: 10 }], escalations: [{ workingDaysAfter: 1, notify: 'president' }] },
      }),
    );
    expectRussianError(response, 400, ['Запрос содержит ошибки'], ['policy.escalations[0].notify', 'assignee_head']);
    await expectNoTask(taskId('bad-policy'));

    const ambiguous = await api.post(
      '/api/tasks',
      taskBody('ambiguous-policy', { policy: { reminders: [{ daysBefore: 3, secondsBefore: 10 }], escalations: [] } }),
    );
    expectRussianError(ambiguous, 400, ['Политика напоминаний содержит ошибки'], ['policy.reminders[0]', 'ровно одно из полей']);
    await expectNoTask(taskId('ambiguous-policy'));
  });

  it('refuses a completion by a person from another organisation (403) and leaves the task open', async () => {
    const id = taskId('foreign-completer');
    await createTask('foreign-completer');
    const response = await yuzhny.post(`/api/tasks/${id}/complete`, {});
    expectRussianError(response, 403, ['Муниципальный координатор видит только свой муниципалитет и его школы']);
    // The ministry may read the task but not hand it in for the municipality.
    const byMinistry = await api.post(`/api/tasks/${id}/complete`, {});
    expectRussianError(byMinistry, 403, [`«${SEVERNY}»`, 'могут только её сотрудники']);
    const detail = await api.get(`/api/tasks/${id}`);
    expect(detail.body).toMatchObject({ status: 'open', deadlineRevision: 1 });
    expect(detail.body.completedAt).toBeUndefined();
    expect(detail.body.timeline.map((e: { type: string }) => e.type)).toEqual(['created']);
    expect((await api.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' })).status).toBe(200);
  });

  it('answers 404 for an unknown task id, whether read or acted on', async () => {
    const id = taskId('never-created');
    await expectNoTask(id);
    expectRussianError(await severny.post(`/api/tasks/${id}/complete`, {}), 404, [`«${id}»`, 'не найдена']);
    expectRussianError(await api.post(`/api/tasks/${id}/cancel`, { reason: 'Нет такой задачи' }), 404, [`«${id}»`, 'не найдена']);
  });

  it('refuses an unknown field in the body (400), naming the field', async () => {
    const response = await api.post('/api/tasks', taskBody('unknown-field', { priority: 'high' }));
    expectRussianError(response, 400, ['Запрос содержит ошибки'], ['поле priority не предусмотрено']);
    await expectNoTask(taskId('unknown-field'));

    const nested = await api.post(
      '/api/tasks',
      taskBody('unknown-nested-field', { policy: { reminders: [{ hoursBefore: 5 }], escalations: [] } }),
    );
    expectRussianError(nested, 400, ['Запрос содержит ошибки'], ['policy.reminders[0].hoursBefore', 'не предусмотрено']);
    await expectNoTask(taskId('unknown-nested-field'));
  });

  it('refuses a body that is not valid JSON (400)', async () => {
    const id = taskId('invalid-json');
    const response = await api.post('/api/tasks', undefined, { raw: `{"id": "${id}", "title": "План", "dueAt": ` });
    expectRussianError(response, 400, ['не является корректным JSON']);
    await expectNoTask(id);
  });

  it('refuses an empty JSON body (400) and a body that is not JSON at all (415)', async () => {
    expectRussianError(await api.post('/api/tasks', undefined, { raw: '' }), 400, ['Тело запроса пустое']);
    const xml = await api.post('/api/tasks', undefined, {
      raw: `<task><id>${taskId('xml')}</id></task>`,
      headers: { 'content-type': 'application/xml' },
    });
    expectRussianError(xml, 415, ['JSON', 'Content-Type']);
    await expectNoTask(taskId('xml'));
  });

  it.each(['[]', '"План"', 'null', '42'])('refuses a JSON body %s that is not an object (400)', async (raw) => {
    const response = await api.post('/api/tasks', undefined, { raw });
    expectRussianError(response, 400, ['Запрос содержит ошибки'], ['title: обязательное поле', 'dueAt', 'assigneeOrganizationId']);
  });

  it('explains overlong and mistyped fields in Russian (400)', async () => {
    const response = await api.post(
      '/api/tasks',
      taskBody('mistyped', {
        title: 'План'.repeat(200),
        timeZone: 'Asia/'.padEnd(70, 'x'),
        supervisorOrganizationId: 5,
        policy: 'seven days before',
      }),
    );
    expectRussianError(response, 400, ['Запрос содержит ошибки'], [
      `title: не длиннее ${LIMITS.titleMax} символов`,
      'timeZone: не длиннее 64 символов',
      'supervisorOrganizationId: ожидается текст',
      'policy: ожидается объект',
    ]);
    await expectNoTask(taskId('mistyped'));

    const items = await api.post(
      '/api/tasks',
      taskBody('mistyped-items', { policy: { reminders: ['за неделю'], escalations: [] } }),
    );
    expectRussianError(items, 400, ['Запрос содержит ошибки'], ['policy.reminders[0]: каждый элемент списка должен быть объектом']);
    await expectNoTask(taskId('mistyped-items'));
  });

  it('refuses a body larger than 64 KiB (413)', async () => {
    const id = taskId('too-large');
    const response = await api.post('/api/tasks', taskBody('too-large', { description: 'Очень длинное описание. '.repeat(3000) }));
    expectRussianError(response, 413, ['Запрос слишком большой']);
    await expectNoTask(id);
  });

  it('refuses a second task with the same explicit id (409) and keeps the first one', async () => {
    const id = taskId('duplicate');
    await createTask('duplicate');
    const before = await api.get(`/api/tasks/${id}`);
    const response = await api.post(
      '/api/tasks',
      taskBody('duplicate', { title: 'Совсем другая задача', dueAt: `${LATER_WORKING_DUE_DATE}T12:00` }),
    );
    expectRussianError(response, 409, [`«${id}»`, 'уже существует']);
    const after = await api.get(`/api/tasks/${id}`);
    expect(after.body).toEqual(before.body);
    expect(after.body.title).toBe('Представить муниципальный план поддержки школ (duplicate)');
    expect((await api.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' })).status).toBe(200);
  });

  it('refuses limit=1000 in the task list (400)', async () => {
    const response = await api.get(`/api/tasks?organizationId=${SEVERNY}&limit=1000`);
    expectRussianError(response, 400, ['Запрос содержит ошибки'], ['limit', 'не больше 200']);
  });

  it('refuses malformed list filters (400)', async () => {
    expectRussianError(await api.get('/api/tasks?status=late'), 400, ['Запрос содержит ошибки'], ['status', 'open, completed, cancelled']);
    expectRussianError(await api.get('/api/tasks?dueFrom=15.12.2026'), 400, ['Запрос содержит ошибки'], ['dueFrom']);
    expectRussianError(await api.get('/api/tasks?dueTo=2026-13-45'), 400, ['dueTo', 'несуществующая дата']);
    expectRussianError(await api.get('/api/tasks?dueFrom=2026-02-30'), 400, ['dueFrom', 'несуществующая дата']);
    expectRussianError(await api.get('/api/tasks?dueTo=2027-04-31T10:00:00%2B05:00'), 400, ['dueTo', 'несуществующая дата']);
    expectRussianError(await api.get(`/api/tasks?organizationId=${'x'.repeat(70)}`), 400, ['Запрос содержит ошибки'], [
      'organizationId: не длиннее 64 символов',
    ]);
  });
});

describe('the whole file', () => {
  it('never got a server error from the API', () => {
    const serverErrors = api.seen.filter((r) => r.status >= 500);
    expect(serverErrors).toEqual([]);
    expect(api.seen.length).toBeGreaterThan(50);
  });
});
