/**
 * Extension requests over HTTP against real deadline-task workflows on the shared Temporal server: an organisation
 * asks for a later deadline, the supervising ministry grants it (the workflow's extendTask Update really runs) or
 * refuses, and the request, the decision and its basis are kept on the row and in the audit log.
 */
import 'reflect-metadata';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { addCalendarDays, addWorkingDays, endOfWorkingDay, isWorkingDay } from '../../libs/domain/calendar';
import { resolveDeadline } from '../../libs/domain/deadline';
import { insertCycle, insertOtherRegion, insertTaskRow } from '../support/cycle-rows';
import { ApiClient, expectRussianError, type ApiResponse } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { DEMO_PASSWORD, uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const ZONE = 'Asia/Yekaterinburg';
const SEVERNY = 'demo-mun-severny';
const suffix = uniqueSuffix();
const taskQueue = `extensions-e2e-${suffix}`;

let stack: ApiStack;
let harness: Harness;
let anonymous: ApiClient;
/** The ministry administrator: creates the tasks. */
let ministry: ApiClient;
/** The ministry specialist: decides on requests. */
let reviewer: ApiClient;
/** Severny's coordinator: the assignee's side, who asks. */
let severny: ApiClient;
let yuzhny: ApiClient;

const todayLocal = (): string => DateTime.now().setZone(ZONE).toISODate() as string;
function dateAhead(minDaysAhead: number): string {
  let date = addCalendarDays(todayLocal(), minDaysAhead);
  while (!isWorkingDay(date)) date = addCalendarDays(date, 1);
  return date;
}
const DUE_DATE = dateAhead(8);
const LATER_DATE = addWorkingDays(DUE_DATE, 5);
const utcOf = (local: string): string => resolveDeadline({ localDateTime: local, timeZone: ZONE, calendar: 'working-days' }).dueAt;

async function createTask(name: string): Promise<string> {
  const id = `ext-${name}-${suffix}`;
  const response = await ministry.post('/api/tasks', {
    id,
    title: `Представить муниципальный план поддержки школ (${name})`,
    assigneeOrganizationId: SEVERNY,
    dueAt: `${DUE_DATE}T18:00`,
  });
  if (response.status !== 201) throw new Error(`creating ${id}: ${response.status} ${response.text}`);
  return id;
}

const ask = (client: ApiClient, taskId: string, body: unknown): Promise<ApiResponse> =>
  client.post(`/api/tasks/${encodeURIComponent(taskId)}/extension-requests`, body);
const decide = (client: ApiClient, requestId: string, body: unknown): Promise<ApiResponse> =>
  client.post(`/api/extension-requests/${requestId}/decision`, body);

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  harness = stack.harness;
  anonymous = new ApiClient(stack.baseUrl);
  ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
  reviewer = await anonymous.as('reviewer@demo-region.example', DEMO_PASSWORD);
  severny = await anonymous.as('coordinator@severny.demo-region.example', DEMO_PASSWORD);
  yuzhny = await anonymous.as('coordinator@yuzhny.demo-region.example', DEMO_PASSWORD);
});

afterAll(() => stack?.close());

describe('extension requests', () => {
  let granted: string;
  let grantedRequest: string;

  it('is filed by the assignee for a later deadline, once while pending', async () => {
    granted = await createTask('granted');
    const reason = 'Приказ о рабочей группе подписан с опозданием';
    const response = await ask(severny, granted, { dueAt: LATER_DATE, reason });
    expect(response.status).toBe(201);
    grantedRequest = response.body.id;
    expect(response.body).toMatchObject({
      taskId: granted,
      cycleId: null,
      organizationId: SEVERNY,
      organizationName: 'Управление образования Северного района',
      supervisorOrganizationId: 'demo-ministry',
      requestedBy: 'coordinator@severny.demo-region.example',
      reason,
      proposedLocalDateTime: `${LATER_DATE}T${endOfWorkingDay(LATER_DATE)}`,
      proposedDueAt: utcOf(`${LATER_DATE}T${endOfWorkingDay(LATER_DATE)}`),
      currentDueAt: utcOf(`${DUE_DATE}T18:00`),
      timeZone: ZONE,
      status: 'pending',
      decidedBy: null,
    });
    expectRussianError(await ask(severny, granted, { dueAt: `${LATER_DATE}T12:00`, reason: 'Ещё раз' }), 409, ['ожидающий решения']);
  });

  it('refuses a deadline that is not later, impossible dates, other organisations and closed tasks', async () => {
    const id = await createTask('refusals');
    expectRussianError(await ask(severny, id, { dueAt: DUE_DATE, reason: 'Тот же срок' }), 422, ['позже текущего']);
    expectRussianError(await ask(severny, id, { dueAt: `${DUE_DATE}T17:00`, reason: 'Раньше' }), 422, ['позже текущего']);
    expectRussianError(await ask(severny, id, { dueAt: '2027-02-30', reason: 'Нет такого дня' }), 400, [], ['dueAt']);
    expectRussianError(await ask(severny, id, { dueAt: '15.12.2027', reason: 'Не тот формат' }), 400, [], ['dueAt']);
    expectRussianError(await ask(severny, id, { dueAt: '2099-12-15', reason: 'За пределами календаря' }), 422, ['производственного календаря']);
    expectRussianError(await ask(severny, id, { dueAt: LATER_DATE }), 400, [], ['reason']);
    expectRussianError(await ask(yuzhny, id, { dueAt: LATER_DATE, reason: 'Чужая задача' }), 403, ['«demo-mun-severny»']);
    const auditor = await anonymous.as('audit@demo-region.example', DEMO_PASSWORD);
    expectRussianError(await ask(auditor, id, { dueAt: LATER_DATE, reason: 'Аудитор' }), 403, ['только на чтение']);
    expectRussianError(await ask(severny, `no-such-task-${suffix}`, { dueAt: LATER_DATE, reason: 'Нет задачи' }), 404, ['не найдена']);

    expect((await severny.post(`/api/tasks/${id}/complete`, { comment: 'План представлен' })).status).toBe(200);
    expectRussianError(await ask(severny, id, { dueAt: LATER_DATE, reason: 'Поздно' }), 409, ['уже выполнена']);
  });

  it("is listed for the region's ministry and for the asking organisation, not for others", async () => {
    const ids = (r: ApiResponse) => (r.body as { id: string }[]).map((x) => x.id);
    expect(ids(await reviewer.get('/api/extension-requests?status=pending'))).toContain(grantedRequest);
    expect(ids(await ministry.get('/api/extension-requests'))).toContain(grantedRequest);
    expect(ids(await severny.get('/api/extension-requests?status=pending'))).toContain(grantedRequest);
    expect(ids(await severny.get('/api/extension-requests?status=refused'))).not.toContain(grantedRequest);
    expect(ids(await yuzhny.get('/api/extension-requests'))).not.toContain(grantedRequest);
    const other = await insertOtherRegion(stack.app.get(DataSource), suffix, DEMO_PASSWORD);
    const stranger = await anonymous.as(other.adminEmail, DEMO_PASSWORD);
    expect(ids(await stranger.get('/api/extension-requests'))).not.toContain(grantedRequest);
    expectRussianError(await reviewer.get('/api/extension-requests?status=maybe'), 400, [], ['status']);
  });

  it('is decided only by the supervising ministry; a grant moves the deadline through the workflow, once', async () => {
    const basis = 'Письмо министерства от 12.12.2026 № 45-01';
    expectRussianError(await decide(severny, grantedRequest, { decision: 'granted', basis }), 403, ['специалист министерства']);
    const curator = await anonymous.as('curator@iro.demo-region.example', DEMO_PASSWORD);
    expectRussianError(await decide(curator, grantedRequest, { decision: 'granted', basis }), 403);
    const other = await insertOtherRegion(stack.app.get(DataSource), `${suffix}d`, DEMO_PASSWORD);
    const stranger = await anonymous.as(other.adminEmail, DEMO_PASSWORD);
    expectRussianError(await decide(stranger, grantedRequest, { decision: 'granted', basis }), 403, ['«demo-ministry»']);
    expectRussianError(await decide(reviewer, grantedRequest, { decision: 'postponed', basis }), 400, [], ['decision']);
    expectRussianError(await decide(reviewer, grantedRequest, { decision: 'granted' }), 400, [], ['basis']);
    expectRussianError(await decide(reviewer, 'not-a-uuid', { decision: 'granted', basis }), 400, ['UUID']);
    expectRussianError(await decide(reviewer, '00000000-0000-4000-8000-000000000000', { decision: 'granted', basis }), 404);

    const response = await decide(reviewer, grantedRequest, { decision: 'granted', basis });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      status: 'granted',
      decidedBy: 'reviewer@demo-region.example',
      decisionBasis: basis,
      currentDueAt: utcOf(`${LATER_DATE}T${endOfWorkingDay(LATER_DATE)}`),
    });
    expectRussianError(await decide(ministry, grantedRequest, { decision: 'refused', basis: 'Передумали' }), 409, ['уже рассмотрен']);

    const task = await reviewer.get(`/api/tasks/${granted}`);
    expect(task.body.dueAt).toBe(utcOf(`${LATER_DATE}T${endOfWorkingDay(LATER_DATE)}`));
    const extended = (task.body.timeline as { type: string; actor: string; data: { reason: string } }[]).find((e) => e.type === 'extended');
    expect(extended).toMatchObject({ actor: 'reviewer@demo-region.example', data: { reason: `Продление по запросу: ${basis}` } });
    // The workflow itself took the new deadline, not only the read model.
    const description = await harness.env.client.workflow.getHandle(`task:${granted}`).query<{ deadline: { dueAt: string } }>('taskSnapshot');
    expect(description.deadline.dueAt).toBe(utcOf(`${LATER_DATE}T${endOfWorkingDay(LATER_DATE)}`));

    const entries: { type: string; actor: string; data: Record<string, unknown> }[] = await stack.app
      .get(DataSource)
      .query(
        `SELECT type, actor, data FROM audit_events WHERE subject_type = 'task' AND subject_id = $1 AND type LIKE 'extension_%' ORDER BY chain_seq`,
        [granted],
      );
    expect(entries).toEqual([
      expect.objectContaining({ type: 'extension_requested', actor: 'coordinator@severny.demo-region.example', data: expect.objectContaining({ requestId: grantedRequest }) }),
      expect.objectContaining({ type: 'extension_granted', actor: 'reviewer@demo-region.example', data: expect.objectContaining({ requestId: grantedRequest, basis }) }),
    ]);

    // Decided, the request no longer blocks a new one.
    const next = await ask(severny, granted, { dueAt: addWorkingDays(LATER_DATE, 3), reason: 'Нужна ещё неделя' });
    expect(next.status).toBe(201);
  });

  it('keeps the deadline when refused, with the basis on the request', async () => {
    const id = await createTask('refused');
    const request = (await ask(severny, id, { dueAt: `${LATER_DATE}T10:00`, reason: 'Просим перенести' })).body.id;
    const response = await decide(ministry, request, { decision: 'refused', basis: 'Срок установлен приказом и переносу не подлежит' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'refused', decidedBy: 'programme@demo-region.example', currentDueAt: utcOf(`${DUE_DATE}T18:00`) });
    expect((await reviewer.get(`/api/tasks/${id}`)).body.dueAt).toBe(utcOf(`${DUE_DATE}T18:00`));
    expectRussianError(await decide(reviewer, request, { decision: 'granted', basis: 'Всё же продлить' }), 409, ['в продлении отказано']);
  });

  it('leaves a cycle task’s request pending when its workflow cannot take the grant', async () => {
    const ds = stack.app.get(DataSource);
    const cycle = await insertCycle(ds, suffix);
    const taskId = `${cycle.id}.monitoring.demo-school-severny-1.q1.report`;
    await insertTaskRow(ds, {
      id: taskId,
      title: 'Мониторинг показателей: I четверть',
      assignee: 'demo-school-severny-1',
      dueAt: `${DUE_DATE}T18:00:00`,
      context: { cycleId: cycle.id, stageId: 'monitoring', stepKey: 'monitoring', action: 'report', subjectOrganizationId: 'demo-school-severny-1', periodId: 'q1' },
    });
    const school = await anonymous.as('director@school1.severny.demo-region.example', DEMO_PASSWORD);
    const asked = await ask(school, taskId, { dueAt: LATER_DATE, reason: 'Карантин в школе' });
    expect(asked.status).toBe(201);
    expect(asked.body.cycleId).toBe(cycle.id);
    // No workflow behind this inserted row: the grant is refused and nothing is recorded as decided.
    expectRussianError(await decide(reviewer, asked.body.id, { decision: 'granted', basis: 'Карантин' }), 409, ['закрыта']);
    const [row]: { status: string }[] = await ds.query(`SELECT status FROM extension_requests WHERE id = $1`, [asked.body.id]);
    expect(row.status).toBe('pending');
  });

  it("is decided by the region's ministry for a school's task too, which its municipality supervises", async () => {
    const id = `ext-school-${suffix}`;
    const created = await ministry.post('/api/tasks', {
      id,
      title: 'Представить программу перехода школы в эффективный режим',
      assigneeOrganizationId: 'demo-school-severny-1',
      supervisorOrganizationId: SEVERNY,
      dueAt: `${DUE_DATE}T18:00`,
    });
    expect(created.status).toBe(201);
    const school = await anonymous.as('director@school1.severny.demo-region.example', DEMO_PASSWORD);
    const asked = await ask(school, id, { dueAt: LATER_DATE, reason: 'Педагогический совет перенесён' });
    expect(asked.status).toBe(201);
    expect(asked.body.supervisorOrganizationId).toBe(SEVERNY);
    const response = await decide(reviewer, asked.body.id, { decision: 'granted', basis: 'Письмо министерства № 45-02' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'granted', currentDueAt: utcOf(`${LATER_DATE}T${endOfWorkingDay(LATER_DATE)}`) });
  });

  it('never answered with a server error', () => {
    expect(anonymous.seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});
