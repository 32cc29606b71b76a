/**
 * The ministry administrator's directory over HTTP: changing a person's role, withdrawing a log-in and giving it back,
 * setting a new password or a first log-in, finding people, and an organisation's substitutions. Only the region's
 * ministry administrator changes anything (another region's administrator, the auditor and every other role are
 * refused in Russian), every change is in the audit log, and a withdrawn log-in or a new password ends the person's
 * sessions at once: the same cookie, or bearer token, is refused.
 */
import 'reflect-metadata';
import { DateTime } from 'luxon';
import { addCalendarDays } from '../../libs/domain/calendar';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { expectRussianError, type ApiClient, type ApiResponse } from '../support/http';
import { uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const AUDITOR_READ_ONLY = 'Аудитор имеет доступ только на чтение';
const ADMIN_ONLY = 'Действие доступно только для ролей: администратор министерства';
const OTHER_REGION = 'Сотрудник министерства видит только организации своего региона';
const BAD_CREDENTIALS = 'Неверный адрес почты или пароль';
const NEW_PASSWORD = 'новый-пароль-2026';

const suffix = uniqueSuffix();
let stack: ApiStack;
let region: TestRegion;
let otherRegion: TestRegion;
let admin: ApiClient;

beforeAll(async () => {
  stack = await startApiStack(`directory-e2e-${suffix}`);
  const options = { timeZone: ZONE, municipalities: 2, schoolsPerMunicipality: 1 };
  region = await createTestRegion(stack.harness.dataSource, { ...options, code: `dir${suffix}`.slice(0, 18) });
  otherRegion = await createTestRegion(stack.harness.dataSource, { ...options, code: `dio${suffix}`.slice(0, 18) });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
});

afterAll(async () => {
  await stack?.close();
});

/** A client with no token of its own (`login` on the shared anonymous client would make it someone's). */
const fresh = (): ApiClient => stack.anonymous.withToken(undefined);

/** A person's id as the directory lists it. */
async function personId(organizationId: string, email: string): Promise<string> {
  const org = await admin.get(`/api/organizations/${organizationId}`);
  const person = (org.body.people as { id: string; email: string }[]).find((p) => p.email === email);
  if (!person) throw new Error(`${email} is not listed in ${organizationId}`);
  return person.id;
}

function patch(client: ApiClient, organizationId: string, id: string, json: unknown): Promise<ApiResponse> {
  return client.request('PATCH', `/api/organizations/${organizationId}/people/${id}`, { json });
}

function setPassword(client: ApiClient, organizationId: string, id: string, json: unknown): Promise<ApiResponse> {
  return client.post(`/api/organizations/${organizationId}/people/${id}/password`, json);
}

/** A browser's session log-in: the cookie header to send back, and the CSRF token for writes. */
async function browserSession(email: string, password: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fresh().post('/api/auth/session', { email, password });
  if (response.status !== 200) throw new Error(`session log-in as ${email}: ${response.status} ${response.text}`);
  const pairs = response.headers.getSetCookie().map((line) => line.split(';')[0]);
  const csrf = pairs.find((p) => p.startsWith('uplift_csrf='))!.slice('uplift_csrf='.length);
  return { cookie: pairs.join('; '), csrf: decodeURIComponent(csrf) };
}

function asBrowser(session: { cookie: string }, path: string): Promise<ApiResponse> {
  return fresh().get(path, { headers: { cookie: session.cookie } });
}

async function auditOf(subjectId: string): Promise<{ type: string; actor: string; data: Record<string, unknown> }[]> {
  return stack.harness.dataSource.query(
    `SELECT type, actor, data FROM audit_events
      WHERE subject_type = 'person' AND subject_id = $1 AND type <> 'access_denied' ORDER BY chain_seq`,
    [subjectId],
  );
}

describe('who may change log-ins', () => {
  let directorId: string;
  const school = () => region.schools[0];

  beforeAll(async () => {
    directorId = await personId(school().id, school().director.email);
  });

  it('refuses the auditor, a reviewer, a school and a coordinator (403, in Russian, audited as refusals)', async () => {
    const auditor = await fresh().as(region.auditor.email, REGION_PASSWORD);
    expectRussianError(await patch(auditor, school().id, directorId, { loginEnabled: false }), 403, [AUDITOR_READ_ONLY]);
    expectRussianError(await setPassword(auditor, school().id, directorId, { password: NEW_PASSWORD }), 403, [AUDITOR_READ_ONLY]);
    for (const who of [region.reviewer, region.schools[0].director, region.municipalities[0].coordinator]) {
      const client = await fresh().as(who.email, REGION_PASSWORD);
      expectRussianError(await patch(client, school().id, directorId, { loginEnabled: false }), 403, [ADMIN_ONLY]);
      expectRussianError(await setPassword(client, school().id, directorId, { password: NEW_PASSWORD }), 403, [ADMIN_ONLY]);
    }
    // Nothing changed: the director still logs in.
    expect((await fresh().login(school().director.email, REGION_PASSWORD)).status).toBe(200);
    const refusals: { n: number }[] = await stack.harness.dataSource.query(
      `SELECT count(*)::int AS n FROM audit_events WHERE type = 'access_denied' AND actor = $1`,
      [region.auditor.email],
    );
    expect(refusals[0].n).toBeGreaterThanOrEqual(2);
  });

  it("refuses another region's administrator (403) and lets the auditor read but never write", async () => {
    const stranger = await fresh().as(otherRegion.admin.email, REGION_PASSWORD);
    expectRussianError(await patch(stranger, school().id, directorId, { loginEnabled: false }), 403, [OTHER_REGION]);
    expectRussianError(await setPassword(stranger, school().id, directorId, { password: NEW_PASSWORD }), 403, [OTHER_REGION]);
    expectRussianError(await stranger.get(`/api/organizations/${school().id}/substitutions`), 403, [OTHER_REGION]);
    const found = await stranger.get(`/api/people?q=${encodeURIComponent('Директорова')}`);
    expect(found.status).toBe(200);
    expect((found.body as { organizationId: string }[]).every((p) => p.organizationId.startsWith(otherRegion.code))).toBe(true);

    const auditor = await fresh().as(region.auditor.email, REGION_PASSWORD);
    const read = await auditor.get(`/api/organizations/${school().id}`);
    expect(read.status).toBe(200);
    expect(read.body.people).toContainEqual(expect.objectContaining({ id: directorId, role: 'school', login: 'active' }));
    expect(read.body.people[0]).not.toHaveProperty('passwordHash');
  });

  it('answers bad input with a Russian 4xx naming the field', async () => {
    expectRussianError(await patch(admin, school().id, directorId, {}), 400, [], ['role, loginEnabled']);
    expectRussianError(await patch(admin, school().id, directorId, { role: 'director' }), 400, [], ['role: одно из значений']);
    expectRussianError(await patch(admin, school().id, directorId, { loginEnabled: 'нет' }), 400, [], ['loginEnabled: true или false']);
    expectRussianError(await patch(admin, school().id, 'not-a-uuid', { loginEnabled: false }), 400, ['идентификатор сотрудника']);
    const someoneElse = await personId(region.schools[1].id, region.schools[1].director.email);
    expectRussianError(await patch(admin, school().id, someoneElse, { loginEnabled: false }), 404, ['не найден']);
    expectRussianError(await patch(admin, `nowhere-${suffix}`, directorId, { loginEnabled: false }), 404, ['не найдена']);
    expectRussianError(await patch(admin, school().id, directorId, { role: 'ministry_admin' }), 422, ['role:', 'школа']);
    expectRussianError(await setPassword(admin, school().id, directorId, { password: 'короткий' }), 400, [], ['password: не короче 10 символов']);
    // 40 Cyrillic letters are 80 bytes: more than bcrypt reads.
    expectRussianError(await setPassword(admin, school().id, directorId, { password: 'я'.repeat(40) }), 400, [], ['password: не длиннее 72 байт']);
    const ownId = await personId(region.ministryId, region.admin.email);
    expectRussianError(await patch(admin, region.ministryId, ownId, { loginEnabled: false }), 422, ['Свою роль и свой вход']);
    const ministerId = await personId(region.ministryId, region.minister.email);
    expectRussianError(await patch(admin, region.ministryId, ministerId, { role: 'ministry_reviewer' }), 422, ['нет входа в систему']);
    expectRussianError(await setPassword(admin, region.ministryId, ministerId, { password: NEW_PASSWORD }), 400, [], ['role: обязательное поле']);
  });
});

describe('withdrawing a log-in and giving it back', () => {
  const school = () => region.schools[1];

  it('ends the sessions and refuses the tokens at once; giving it back restores the same password', async () => {
    const email = school().director.email;
    const id = await personId(school().id, email);
    const bearer = await fresh().as(email, REGION_PASSWORD);
    const session = await browserSession(email, REGION_PASSWORD);
    expect((await asBrowser(session, '/api/auth/me')).status).toBe(200);
    expect((await bearer.get('/api/auth/me')).status).toBe(200);

    const withdrawn = await patch(admin, school().id, id, { loginEnabled: false });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ id, role: 'school', login: 'withdrawn', loginWithdrawnAt: expect.any(String) });

    expectRussianError(await asBrowser(session, '/api/auth/me'), 401, ['Требуется вход в систему']);
    expectRussianError(await bearer.get('/api/tasks'), 401, ['Требуется вход в систему']);
    expectRussianError(await fresh().post('/api/auth/login', { email, password: REGION_PASSWORD }), 401, [BAD_CREDENTIALS]);
    const open: { n: number }[] = await stack.harness.dataSource.query(
      `SELECT count(*)::int AS n FROM sessions WHERE person_id = $1 AND revoked_at IS NULL`,
      [id],
    );
    expect(open[0].n).toBe(0);
    // Withdrawing twice changes nothing and writes nothing more.
    expect((await patch(admin, school().id, id, { loginEnabled: false })).body).toMatchObject({ login: 'withdrawn' });

    const restored = await patch(admin, school().id, id, { loginEnabled: true });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({ login: 'active' });
    expect(restored.body).not.toHaveProperty('loginWithdrawnAt');
    expect((await fresh().login(email, REGION_PASSWORD)).status).toBe(200);
    // The ended session stays ended.
    expect((await asBrowser(session, '/api/auth/me')).status).toBe(401);

    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ type: 'login_withdrawn', actor: region.admin.email, data: expect.objectContaining({ email, role: 'school' }) }),
      expect.objectContaining({ type: 'login_restored', actor: region.admin.email }),
    ]);
  });

  it("changes a role at once: the reviewer's next request is judged by the new one", async () => {
    const id = await personId(region.ministryId, region.reviewer.email);
    const reviewer = await fresh().as(region.reviewer.email, REGION_PASSWORD);
    expect((await reviewer.get('/api/auth/me')).body).toMatchObject({ role: 'ministry_reviewer' });
    const changed = await patch(admin, region.ministryId, id, { role: 'auditor' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ role: 'auditor', login: 'active' });
    expect((await reviewer.get('/api/auth/me')).body).toMatchObject({ role: 'auditor' });
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ type: 'person_role_changed', data: expect.objectContaining({ from: 'ministry_reviewer', to: 'auditor' }) }),
    ]);
    expect((await patch(admin, region.ministryId, id, { role: 'ministry_reviewer' })).status).toBe(200);
  });
});

describe('passwords', () => {
  it('sets a new password: the old one and the open session stop working, the new one logs in', async () => {
    const coordinator = region.municipalities[1].coordinator;
    const id = await personId(coordinator.organizationId, coordinator.email);
    const session = await browserSession(coordinator.email, REGION_PASSWORD);
    const bearer = await fresh().as(coordinator.email, REGION_PASSWORD);

    const reset = await setPassword(admin, coordinator.organizationId, id, { password: NEW_PASSWORD });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ id, role: 'municipal_coordinator', login: 'active', passwordSetAt: expect.any(String) });
    expect(reset.body).not.toHaveProperty('password');

    expectRussianError(await asBrowser(session, '/api/auth/me'), 401, ['Требуется вход в систему']);
    // A bearer token names its session too, which the new password has ended.
    expectRussianError(await bearer.get('/api/auth/me'), 401, ['Требуется вход в систему']);
    expectRussianError(await fresh().post('/api/auth/login', { email: coordinator.email, password: REGION_PASSWORD }), 401, [BAD_CREDENTIALS]);
    expect((await fresh().login(coordinator.email, NEW_PASSWORD)).status).toBe(200);

    const audit = await auditOf(id);
    expect(audit).toEqual([expect.objectContaining({ type: 'password_reset', actor: region.admin.email })]);
    expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);
  });

  it('gives a first log-in, with a role that fits the organisation, to someone who only received e-mails', async () => {
    const head = region.municipalities[0].head;
    const id = await personId(head.organizationId, head.email);
    expectRussianError(await setPassword(admin, head.organizationId, id, { password: NEW_PASSWORD, role: 'school' }), 422, ['role:']);
    const granted = await setPassword(admin, head.organizationId, id, { password: NEW_PASSWORD, role: 'municipal_coordinator' });
    expect(granted.status).toBe(200);
    expect(granted.body).toMatchObject({ role: 'municipal_coordinator', login: 'active' });
    const me = await (await fresh().as(head.email, NEW_PASSWORD)).get('/api/auth/me');
    expect(me.body).toMatchObject({ email: head.email, role: 'municipal_coordinator', organizationId: head.organizationId });
    expect(await auditOf(id)).toEqual([expect.objectContaining({ type: 'login_granted', data: expect.objectContaining({ role: 'municipal_coordinator' }) })]);
  });
});

describe('adding to the directory', () => {
  it('audits a new organisation and person, and refuses a role or a parent that does not fit', async () => {
    const id = `${region.code}-school-new`;
    const body = { id, kind: 'school', name: 'МБОУ «Новая школа»', regionCode: region.code, timeZone: ZONE, parentId: region.municipalities[0].id, code: `N${suffix}`.slice(0, 32) };
    expectRussianError(await admin.post('/api/organizations', { ...body, parentId: region.ministryId }), 422, ['parentId: школа входит в муниципалитет']);
    expect((await admin.post('/api/organizations', body)).status).toBe(201);
    const created: { type: string; organization_ids: string[] }[] = await stack.harness.dataSource.query(
      `SELECT type, organization_ids FROM audit_events WHERE subject_type = 'organization' AND subject_id = $1`,
      [id],
    );
    expect(created).toEqual([{ type: 'organization_created', organization_ids: expect.arrayContaining([id, region.municipalities[0].id]) }]);

    const person = { fullName: 'Новикова Нина Николаевна', email: `director.new@${region.code}.region.test`, isHead: true };
    expectRussianError(await admin.post(`/api/organizations/${id}/people`, { ...person, role: 'ministry_admin', password: NEW_PASSWORD }), 422, ['role:']);
    const added = await admin.post(`/api/organizations/${id}/people`, { ...person, role: 'school', password: NEW_PASSWORD });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ ...person, role: 'school', login: 'active' });
    expect(await auditOf(added.body.id)).toEqual([
      expect.objectContaining({ type: 'person_added', data: expect.objectContaining({ email: person.email, role: 'school', loginGiven: true }) }),
    ]);
    const detail = await admin.get(`/api/organizations/${id}`);
    expect(detail.body.assignableRoles).toEqual(['school']);
  });
});

describe('finding people and an organisation\'s substitutions', () => {
  it('finds people of the region by name or e-mail, only those who can log in when asked, never another region', async () => {
    const found = await admin.get(`/api/people?q=${encodeURIComponent('директорова')}`);
    expect(found.status).toBe(200);
    const emails = (found.body as { email: string }[]).map((p) => p.email);
    expect(emails).toEqual(expect.arrayContaining(region.schools.map((s) => s.director.email)));
    expect(emails.some((e) => e.includes(otherRegion.code))).toBe(false);
    expect(found.body[0]).toEqual(expect.objectContaining({ organizationName: expect.any(String), organizationKind: 'school', login: expect.any(String) }));

    const minister = await admin.get(`/api/people?q=${encodeURIComponent(region.minister.email)}&withLogin=true`);
    expect(minister.body).toEqual([]);
    expect((await admin.get(`/api/people?q=${encodeURIComponent(region.minister.email)}`)).body).toHaveLength(1);
    expectRussianError(await admin.get('/api/people?limit=500'), 400, [], ['limit: не больше 100']);
    // «%» is a character to find, not a wildcard.
    expect((await admin.get(`/api/people?q=${encodeURIComponent('%')}`)).body).toEqual([]);

    const coordinator = await fresh().as(region.municipalities[0].coordinator.email, REGION_PASSWORD);
    const seen = (await coordinator.get('/api/people?limit=100')).body as { organizationId: string }[];
    const municipality = region.municipalities[0].id;
    const ownScope = new Set([municipality, `${region.code}-school-new`, ...region.schools.filter((s) => s.municipalityId === municipality).map((s) => s.id)]);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.filter((p) => !ownScope.has(p.organizationId))).toEqual([]);
  });

  it("lists the organisation's current and planned substitutions, which the administrator revokes", async () => {
    const school = region.schools[0];
    const today = DateTime.now().setZone(ZONE).toISODate()!;
    const named = await admin.post('/api/substitutions', {
      personEmail: school.director.email,
      deputyEmail: region.municipalities[0].coordinator.email,
      startsOn: addCalendarDays(today, 3),
      endsOn: addCalendarDays(today, 10),
      reason: 'Курсы повышения квалификации',
    });
    expect(named.status).toBe(201);
    const list = await admin.get(`/api/organizations/${school.id}/substitutions`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      expect.objectContaining({ id: named.body.id, state: 'scheduled', person: expect.objectContaining({ email: school.director.email }) }),
    ]);
    // The deputy's organisation lists it too.
    expect((await admin.get(`/api/organizations/${region.municipalities[0].id}/substitutions`)).body).toContainEqual(
      expect.objectContaining({ id: named.body.id }),
    );
    expect((await admin.delete(`/api/substitutions/${named.body.id}`)).status).toBe(200);
    expect((await admin.get(`/api/organizations/${school.id}/substitutions`)).body).toEqual([]);
  });
});
