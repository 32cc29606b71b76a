/**
 * Log-in, roles and scopes, refused actions in the audit log, and deputies, end to end over HTTP: the real API, a real
 * worker on the shared Temporal server, the shared PostgreSQL and a real SMTP sink.
 */
import 'reflect-metadata';
import { JwtService } from '@nestjs/jwt';
import { DateTime } from 'luxon';
import { addCalendarDays, isWorkingDay } from '../../libs/domain/calendar';
import { ApiClient, expectRussianError, type ApiResponse } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import type { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, localDateTimeIn, TEST_JWT_SECRET, uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const ZONE = 'Asia/Yekaterinburg';
const MINISTRY = 'demo-ministry';
const SEVERNY = 'demo-mun-severny';
const SCHOOL_1 = 'demo-school-severny-1';
const ADMIN = 'programme@demo-region.example';
const REVIEWER = 'reviewer@demo-region.example';
const AUDITOR = 'audit@demo-region.example';
const CURATOR = 'curator@iro.demo-region.example';
const SEVERNY_COORDINATOR = 'coordinator@severny.demo-region.example';
const YUZHNY_COORDINATOR = 'coordinator@yuzhny.demo-region.example';
const SCHOOL_1_DIRECTOR = 'director@school1.severny.demo-region.example';
const SCHOOL_2_DIRECTOR = 'director@school2.severny.demo-region.example';
const SCHOOL_ONLY = 'Образовательная организация видит только свои собственные данные';
const MUNICIPALITY_ONLY = 'Муниципальный координатор видит только свой муниципалитет и его школы';
const AUDITOR_READ_ONLY = 'Аудитор имеет доступ только на чтение';

const suffix = uniqueSuffix();
const taskQueue = `auth-e2e-${suffix}`;
let stack: ApiStack;
let sink: SmtpSink;
let harness: Harness;
let anonymous: ApiClient;
let admin: ApiClient;

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  ({ sink, harness } = stack);
  anonymous = new ApiClient(stack.baseUrl);
  admin = await anonymous.as(ADMIN, DEMO_PASSWORD);
});

afterAll(() => stack?.close());

/** A client without a token on the same API, for log-in attempts that must not touch `anonymous`. */
const fresh = (): ApiClient => anonymous.withToken(undefined);

const todayLocal = (): string => DateTime.now().setZone(ZONE).toISODate() as string;

function dateAhead(minDaysAhead: number, accept: (date: string) => boolean): string {
  let date = addCalendarDays(todayLocal(), minDaysAhead);
  while (!accept(date)) date = addCalendarDays(date, 1);
  return date;
}

const DUE_DATE = dateAhead(10, isWorkingDay);

async function createTask(name: string, assigneeOrganizationId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const id = `auth-${name}-${suffix}`;
  const response = await admin.post('/api/tasks', {
    id,
    title: `Проверка доступа (${name})`,
    assigneeOrganizationId,
    dueAt: `${DUE_DATE}T18:00`,
    ...extra,
  });
  if (response.status !== 201) throw new Error(`creating ${id}: ${response.status} ${response.text}`);
  return id;
}

async function listIds(client: ApiClient, query: Record<string, string> = {}): Promise<string[]> {
  const response = await client.get(`/api/tasks?${new URLSearchParams({ limit: '200', ...query })}`);
  expect(response.status).toBe(200);
  return (response.body.items as { id: string }[]).map((t) => t.id);
}

/** The refusal's audit entry is written alongside the 403; give it a moment rather than race it. */
async function waitForAuditEntry(where: string, params: unknown[]): Promise<Record<string, unknown>[]> {
  const start = Date.now();
  for (;;) {
    const rows: Record<string, unknown>[] = await harness.dataSource.query(
      `SELECT subject_type, subject_id, type, actor, data, organization_ids FROM audit_events WHERE ${where}`,
      params,
    );
    if (rows.length > 0 || Date.now() - start > 30_000) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('log-in', () => {
  it('logs in with e-mail and password and answers who the user is', async () => {
    const response = await fresh().login(ADMIN.toUpperCase(), DEMO_PASSWORD);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: {
        personId: expect.any(String),
        email: ADMIN,
        fullName: 'Петров Сергей Иванович',
        role: 'ministry_admin',
        roleTitle: 'администратор министерства',
        organizationId: MINISTRY,
        organizationKind: 'ministry',
        regionCode: 'demo',
        actingFor: [],
      },
    });
    const me = await fresh().withToken(response.body.accessToken).get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual(response.body.user);
    // The token names the person and the session only; role and organisation are read on each request.
    const payload = JSON.parse(Buffer.from(response.body.accessToken.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
  });

  it('answers a wrong password and an unknown e-mail with the same 401', async () => {
    const wrong = await fresh().login(ADMIN, 'not-the-password');
    const unknown = await fresh().login(`nobody-${suffix}@demo-region.example`, DEMO_PASSWORD);
    expectRussianError(wrong, 401, ['Неверный адрес почты или пароль']);
    expectRussianError(unknown, 401, ['Неверный адрес почты или пароль']);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('does not log in a person who only receives e-mails (no role, no password)', async () => {
    expectRussianError(await fresh().login('minister@demo-region.example', DEMO_PASSWORD), 401, ['Неверный адрес почты или пароль']);
  });

  it('refuses a malformed log-in request (400)', async () => {
    expectRussianError(await anonymous.post('/api/auth/login', { email: 'not-an-email' }), 400, ['Запрос содержит ошибки'], [
      'email',
      'password: обязательное поле',
    ]);
  });
});

describe('tokens', () => {
  const jwt = new JwtService({ secret: TEST_JWT_SECRET });

  it.each([
    ['GET', '/api/tasks'],
    ['GET', '/api/organizations'],
    ['GET', '/api/auth/me'],
    ['GET', '/api/substitutions'],
    ['POST', '/api/tasks'],
  ])('refuses %s %s without a token (401)', async (method, path) => {
    const response = await anonymous.request(method, path, method === 'POST' ? { json: {} } : {});
    expectRussianError(response, 401, ['Требуется вход в систему']);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('keeps health and the documentation public', async () => {
    expect((await anonymous.get('/api/health')).status).toBe(200);
    expect((await anonymous.get('/api/openapi.json')).status).toBe(200);
  });

  it('refuses an expired token (401)', async () => {
    const token = (await fresh().login(ADMIN, DEMO_PASSWORD)).body.accessToken as string;
    // The session the log-in opened: every token names one.
    const { sub, sid } = jwt.decode<{ sub: string; sid: string }>(token);
    const expired = jwt.sign({ sub, sid, exp: Math.floor(Date.now() / 1000) - 60 });
    expectRussianError(await anonymous.withToken(expired).get('/api/auth/me'), 401, ['Требуется вход в систему', 'истёк']);
    // The same claims, not expired, are accepted: the refusal above was for the expiry alone.
    expect((await anonymous.withToken(jwt.sign({ sub, sid }, { expiresIn: 60 })).get('/api/auth/me')).status).toBe(200);
  });

  it('refuses a token that names no session, though signed with the secret (401)', async () => {
    const personId = (await fresh().login(ADMIN, DEMO_PASSWORD)).body.user.personId as string;
    const sessionless = jwt.sign({ sub: personId }, { expiresIn: 60 });
    expectRussianError(await anonymous.withToken(sessionless).get('/api/auth/me'), 401, ['Требуется вход в систему', 'токен недействителен']);
  });

  it('refuses a token signed with another secret, a garbled token and another scheme (401)', async () => {
    const personId = (await fresh().login(ADMIN, DEMO_PASSWORD)).body.user.personId as string;
    const forged = new JwtService({ secret: 'someone-elses-secret-0123456789abcdef' }).sign({ sub: personId });
    expectRussianError(await anonymous.withToken(forged).get('/api/tasks'), 401, ['Требуется вход в систему']);
    expectRussianError(await anonymous.withToken('not.a.token').get('/api/tasks'), 401, ['Требуется вход в систему']);
    const basic = await anonymous.get('/api/tasks', { headers: { authorization: `Basic ${Buffer.from(`${ADMIN}:x`).toString('base64')}` } });
    expectRussianError(basic, 401, ['Требуется вход в систему']);
  });

  it('takes rights away at once when the log-in is removed, though the token has not expired', async () => {
    const email = `leaver.${suffix}@demo-region.example`;
    const added = await admin.post(`/api/organizations/${MINISTRY}/people`, {
      fullName: 'Уходящий Сотрудник Министерства',
      email,
      role: 'ministry_reviewer',
      password: 'временный-пароль-1',
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ email, role: 'ministry_reviewer' });
    expect(added.body.password).toBeUndefined();
    expect(added.body.passwordHash).toBeUndefined();
    const leaver = await anonymous.as(email, 'временный-пароль-1');
    expect((await leaver.get('/api/tasks')).status).toBe(200);

    await harness.dataSource.query(`UPDATE people SET role = NULL, password_hash = NULL WHERE id = $1`, [added.body.id]);
    expectRussianError(await leaver.get('/api/tasks'), 401, ['Требуется вход в систему']);
  });
});

describe('each role sees only its scope', () => {
  let schoolTask: string;
  let yuzhnyTask: string;

  beforeAll(async () => {
    schoolTask = await createTask('school-1', SCHOOL_1);
    yuzhnyTask = await createTask('yuzhny', 'demo-mun-yuzhny');
  });

  afterAll(async () => {
    for (const id of [schoolTask, yuzhnyTask]) await admin.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' });
  });

  it('a school sees its own task, and another school is refused with the reason (403) and does not list it', async () => {
    const own = await anonymous.as(SCHOOL_1_DIRECTOR, DEMO_PASSWORD);
    expect((await own.get(`/api/tasks/${schoolTask}`)).status).toBe(200);
    expect(await listIds(own)).toContain(schoolTask);
    expect(await listIds(own)).not.toContain(yuzhnyTask);

    const other = await anonymous.as(SCHOOL_2_DIRECTOR, DEMO_PASSWORD);
    expectRussianError(await other.get(`/api/tasks/${schoolTask}`), 403, [SCHOOL_ONLY]);
    expect(await listIds(other)).not.toContain(schoolTask);
    expectRussianError(await other.get(`/api/tasks?organizationId=${SCHOOL_1}`), 403, [SCHOOL_ONLY]);
    expectRussianError(await other.post(`/api/tasks/${schoolTask}/complete`, {}), 403, [SCHOOL_ONLY]);

    const orgs = await other.get('/api/organizations');
    expect((orgs.body as { id: string }[]).map((o) => o.id)).toEqual(['demo-school-severny-2']);
    expectRussianError(await other.get(`/api/organizations/${SCHOOL_1}`), 403, [SCHOOL_ONLY]);
  });

  it("a municipal coordinator sees its schools' tasks but not another municipality's", async () => {
    const severny = await anonymous.as(SEVERNY_COORDINATOR, DEMO_PASSWORD);
    expect((await severny.get(`/api/tasks/${schoolTask}`)).status).toBe(200);
    const ids = await listIds(severny);
    expect(ids).toContain(schoolTask);
    expect(ids).not.toContain(yuzhnyTask);
    expectRussianError(await severny.get(`/api/tasks/${yuzhnyTask}`), 403, [MUNICIPALITY_ONLY]);

    const yuzhny = await anonymous.as(YUZHNY_COORDINATOR, DEMO_PASSWORD);
    expectRussianError(await yuzhny.get(`/api/tasks/${schoolTask}`), 403, [MUNICIPALITY_ONLY]);
    expect(await listIds(yuzhny)).toContain(yuzhnyTask);
    const orgs = ((await yuzhny.get('/api/organizations')).body as { id: string }[]).map((o) => o.id).sort();
    expect(orgs).toEqual(['demo-mun-yuzhny', 'demo-school-yuzhny-1']);
  });

  it('the ministry, the institute and the auditor see every task of the region', async () => {
    for (const email of [REVIEWER, CURATOR, AUDITOR]) {
      const client = await anonymous.as(email, DEMO_PASSWORD);
      // Per organisation: other test files share the database, and the auditor sees every region's tasks.
      expect(await listIds(client, { organizationId: SCHOOL_1 })).toContain(schoolTask);
      expect(await listIds(client, { organizationId: 'demo-mun-yuzhny' })).toContain(yuzhnyTask);
      expect((await client.get(`/api/tasks/${schoolTask}`)).status).toBe(200);
    }
  });

  it('only the ministry creates tasks; the institute curator is refused naming the roles (403)', async () => {
    const curator = await anonymous.as(CURATOR, DEMO_PASSWORD);
    const response = await curator.post('/api/tasks', { title: 'Не положено', assigneeOrganizationId: SCHOOL_1, dueAt: `${DUE_DATE}T18:00` });
    expectRussianError(response, 403, ['только для ролей', 'администратор министерства']);
  });

  it('a ministry reviewer extends the task; only an administrator adds organisations', async () => {
    const reviewer = await anonymous.as(REVIEWER, DEMO_PASSWORD);
    const extended = await reviewer.post(`/api/tasks/${schoolTask}/extend`, {
      dueAt: `${addCalendarDays(DUE_DATE, 7)}T18:00`,
      reason: 'Продление по письму школы',
    });
    expect(extended.status).toBe(200);
    const detail = await reviewer.get(`/api/tasks/${schoolTask}`);
    expect(detail.body.timeline.at(-1)).toMatchObject({ type: 'extended', actor: REVIEWER });
    const org = await reviewer.post('/api/organizations', {
      id: `e2e-auth-denied-${suffix}`,
      kind: 'school',
      name: 'Школа без права',
      regionCode: 'demo',
      timeZone: ZONE,
    });
    expectRussianError(org, 403, ['только для ролей', 'администратор министерства']);
  });
});

describe('the auditor reads and never writes', () => {
  it('refuses every write with the reason (403) and records the refusal in the audit log', async () => {
    const auditor = await anonymous.as(AUDITOR, DEMO_PASSWORD);
    const me = await auditor.get('/api/auth/me');
    expect(me.body).toMatchObject({ role: 'auditor', organizationId: MINISTRY });
    const id = await createTask('audited', SEVERNY);

    expectRussianError(await auditor.post(`/api/tasks/${id}/cancel`, { reason: 'Проверка' }), 403, [AUDITOR_READ_ONLY]);
    expectRussianError(await auditor.post('/api/tasks', { title: 'x', assigneeOrganizationId: SEVERNY, dueAt: DUE_DATE }), 403, [
      AUDITOR_READ_ONLY,
    ]);
    expectRussianError(await auditor.post(`/api/organizations/${SEVERNY}/people`, { fullName: 'X', email: 'x@x.example' }), 403, [
      AUDITOR_READ_ONLY,
    ]);
    expect((await auditor.get(`/api/tasks/${id}`)).body.status).toBe('open');

    const rows = await waitForAuditEntry(
      `type = 'access_denied' AND subject_id = $1 AND data->>'action' = $2`,
      [me.body.personId, `POST /api/tasks/${id}/cancel`],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      subject_type: 'person',
      actor: AUDITOR,
      data: expect.objectContaining({ reason: AUDITOR_READ_ONLY, role: 'auditor' }),
    });
    await admin.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' });
  });

  it('records a school reading outside its scope as access_denied, too', async () => {
    const id = await createTask('peeked', SCHOOL_1);
    const other = await anonymous.as(SCHOOL_2_DIRECTOR, DEMO_PASSWORD);
    const personId = (await other.get('/api/auth/me')).body.personId as string;
    expectRussianError(await other.get(`/api/tasks/${id}`), 403, [SCHOOL_ONLY]);
    const rows = await waitForAuditEntry(`type = 'access_denied' AND subject_id = $1 AND data->>'taskId' = $2`, [personId, id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].organization_ids).toEqual(expect.arrayContaining(['demo-school-severny-2', SCHOOL_1]));
    await admin.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' });
  });
});

describe('substitution: a deputy receives the e-mails and acts for the absent person', () => {
  // Organisations of their own, so the substitution cannot redirect e-mails other test files expect.
  const principalSchool = `e2e-auth-sub-a-${suffix}`;
  const deputySchool = `e2e-auth-sub-b-${suffix}`;
  const principalEmail = `director.${suffix}@sub-a.demo-region.example`;
  const deputyEmail = `director.${suffix}@sub-b.demo-region.example`;
  const colleagueEmail = `teacher.${suffix}@sub-a.demo-region.example`;
  const principalName = 'Главная Анна Сергеевна';
  const deputyName = 'Заместина Вера Петровна';
  const password = 'пароль-директора-1';
  let principal: ApiClient;
  let deputy: ApiClient;
  let substitutionId: string;

  beforeAll(async () => {
    for (const [id, name] of [
      [principalSchool, 'МБОУ «СОШ № 10» (замещение)'],
      [deputySchool, 'МБОУ «СОШ № 11» (замещение)'],
    ]) {
      const created = await admin.post('/api/organizations', { id, kind: 'school', name, regionCode: 'demo', timeZone: ZONE, parentId: SEVERNY });
      expect(created.status).toBe(201);
    }
    const people: [string, Record<string, unknown>][] = [
      [principalSchool, { fullName: principalName, email: principalEmail, isHead: true, role: 'school', password }],
      [principalSchool, { fullName: 'Учитель Без Входа', email: colleagueEmail }],
      [deputySchool, { fullName: deputyName, email: deputyEmail, isHead: true, role: 'school', password }],
    ];
    for (const [org, person] of people) expect((await admin.post(`/api/organizations/${org}/people`, person)).status).toBe(201);
    principal = await anonymous.as(principalEmail, password);
    deputy = await anonymous.as(deputyEmail, password);
  });

  it('the deputy cannot act for the other school before the substitution', async () => {
    const id = await createTask('before-substitution', principalSchool);
    expectRussianError(await deputy.post(`/api/tasks/${id}/complete`, {}), 403, [SCHOOL_ONLY]);
    await admin.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' });
  });

  it('refuses bad substitutions: dates, a deputy without log-in, oneself (400/422)', async () => {
    const today = todayLocal();
    const base = { deputyEmail, startsOn: today, endsOn: addCalendarDays(today, 7), reason: 'Отпуск' };
    expectRussianError(await principal.post('/api/substitutions', { ...base, endsOn: addCalendarDays(today, -1) }), 400, [
      'Даты замещения',
    ], ['endsOn: дата окончания раньше даты начала']);
    expectRussianError(await principal.post('/api/substitutions', { ...base, endsOn: addCalendarDays(today, 400) }), 400, [
      'Даты замещения',
    ], ['больше года']);
    expectRussianError(await principal.post('/api/substitutions', { ...base, startsOn: '2026-02-30' }), 400, ['Даты замещения'], [
      'startsOn: несуществующая дата',
    ]);
    expectRussianError(await principal.post('/api/substitutions', { ...base, deputyEmail: colleagueEmail }), 422, [
      'только пользователь системы',
    ]);
    expectRussianError(await principal.post('/api/substitutions', { ...base, deputyEmail: principalEmail }), 422, ['самого себя']);
    expectRussianError(await principal.post('/api/substitutions', { ...base, personEmail: SCHOOL_1_DIRECTOR }), 403, [
      'только для ролей',
      'администратор министерства',
    ]);
  });

  it('names the deputy (201), refuses an overlapping period (409) and lists it for both', async () => {
    const today = todayLocal();
    const created = await principal.post('/api/substitutions', {
      deputyEmail,
      startsOn: today,
      endsOn: addCalendarDays(today, 14),
      reason: 'Ежегодный оплачиваемый отпуск',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      person: { email: principalEmail, fullName: principalName, organizationId: principalSchool },
      deputy: { email: deputyEmail, fullName: deputyName, organizationId: deputySchool },
      startsOn: today,
      endsOn: addCalendarDays(today, 14),
      createdBy: principalEmail,
      state: 'active',
    });
    substitutionId = created.body.id;

    const overlapping = await principal.post('/api/substitutions', {
      deputyEmail: SCHOOL_1_DIRECTOR,
      startsOn: addCalendarDays(today, 10),
      endsOn: addCalendarDays(today, 20),
      reason: 'Командировка',
    });
    expectRussianError(overlapping, 409, ['уже назначен заместитель', 'не должны пересекаться']);

    expect((await principal.get('/api/substitutions')).body).toMatchObject({ mine: [{ id: substitutionId }], asDeputy: [] });
    expect((await deputy.get('/api/substitutions')).body).toMatchObject({ mine: [], asDeputy: [{ id: substitutionId }] });
    const me = await deputy.get('/api/auth/me');
    expect(me.body.actingFor).toEqual([
      expect.objectContaining({ organizationId: principalSchool, role: 'school', fullName: principalName, until: addCalendarDays(today, 14) }),
    ]);

    const audit = await waitForAuditEntry(`subject_type = 'substitution' AND subject_id = $1`, [substitutionId]);
    expect(audit).toEqual([expect.objectContaining({ type: 'substitution_created', actor: principalEmail })]);
  });

  it("sends the absent person's reminders and escalations to the deputy, marked «за …»", async () => {
    const id = await createTask('substituted', principalSchool, {
      dueAt: localDateTimeIn(ZONE, 6),
      calendar: 'calendar-days',
      policy: { reminders: [{ secondsBefore: 3 }], escalations: [{ secondsAfter: 0, notify: 'assignee_head' }], minimumLeadSeconds: 6 },
    });
    await sink.waitFor(() => sink.forTask(id).length === 2, 30_000);
    const [reminder, escalation] = sink.forTask(id);
    expect([...reminder.to].sort()).toEqual([deputyEmail, colleagueEmail].sort());
    expect(escalation.to).toEqual([deputyEmail]);

    const detail = await waitUntilNotificationsSent(principal, id);
    const escalationRow = detail.body.notifications.find((n: { kind: string }) => n.kind === 'escalation');
    expect(escalationRow).toMatchObject({ recipients: [deputyEmail], recipientNames: [`${deputyName} (за ${principalName})`] });
  });

  it("lets the deputy complete the absent person's task; the timeline names the deputy", async () => {
    const id = await createTask('by-deputy', principalSchool);
    expect((await deputy.get(`/api/tasks/${id}`)).status).toBe(200);
    expect(await listIds(deputy)).toContain(id);
    const completed = await deputy.post(`/api/tasks/${id}/complete`, { comment: 'Выполнено заместителем' });
    expect(completed.status).toBe(200);
    expect(completed.body.task).toMatchObject({ status: 'completed', completedBy: deputyEmail });
  });

  it('revokes the substitution (200, once: 409); the deputy then loses the right to act', async () => {
    const someoneElse = await anonymous.as(SCHOOL_2_DIRECTOR, DEMO_PASSWORD);
    expectRussianError(await someoneElse.delete(`/api/substitutions/${substitutionId}`), 403, ['Отменить замещение может только']);

    const revoked = await principal.delete(`/api/substitutions/${substitutionId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: substitutionId, state: 'revoked', revokedBy: principalEmail });
    expectRussianError(await principal.delete(`/api/substitutions/${substitutionId}`), 409, ['уже отменено']);
    expect((await deputy.get('/api/auth/me')).body.actingFor).toEqual([]);

    const id = await createTask('after-revocation', principalSchool);
    expectRussianError(await deputy.post(`/api/tasks/${id}/complete`, {}), 403, [SCHOOL_ONLY]);
    await admin.post(`/api/tasks/${id}/cancel`, { reason: 'Тестовая задача' });

    const audit = await waitForAuditEntry(`subject_type = 'substitution' AND subject_id = $1 AND type = 'substitution_revoked'`, [
      substitutionId,
    ]);
    expect(audit).toEqual([expect.objectContaining({ actor: principalEmail })]);
  });

  it('lets a ministry administrator name a deputy for someone without a log-in', async () => {
    const today = todayLocal();
    const created = await admin.post('/api/substitutions', {
      personEmail: colleagueEmail,
      deputyEmail,
      startsOn: addCalendarDays(today, 30),
      endsOn: addCalendarDays(today, 40),
      reason: 'Курсы повышения квалификации',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ person: { email: colleagueEmail }, createdBy: ADMIN, state: 'scheduled' });
    expect((await admin.delete(`/api/substitutions/${created.body.id}`)).status).toBe(200);
  });
});

async function waitUntilNotificationsSent(client: ApiClient, id: string): Promise<ApiResponse> {
  const start = Date.now();
  for (;;) {
    const response = await client.get(`/api/tasks/${id}`);
    const notifications = response.body.notifications as { status: string }[];
    if (notifications.length === 2 && notifications.every((n) => n.status === 'sent')) return response;
    if (Date.now() - start > 20_000) throw new Error(`notifications not recorded: ${response.text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the whole file', () => {
  it('never got a server error from the API', () => {
    expect(anonymous.seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});
