/**
 * The auditors' API over HTTP: exports (JSON and CSV) with their access rules, the chain check, workflow histories
 * from the archive or live from Temporal, and a cycle's workflows. Real deadline-task workflows run on the shared
 * Temporal server; closed ones are archived with the archiver the worker uses.
 */
import 'reflect-metadata';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { archiveClosedWorkflows } from '../../libs/audit';
import { addCalendarDays, isWorkingDay } from '../../libs/domain/calendar';
import { WorkflowHistoryRepository } from '../../libs/persistence';
import { insertCycle, insertOtherRegion, type InsertedCycle } from '../support/cycle-rows';
import { ApiClient, expectRussianError } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { DEMO_PASSWORD, uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const ZONE = 'Asia/Yekaterinburg';
const suffix = uniqueSuffix();
const taskQueue = `audit-api-e2e-${suffix}`;

let stack: ApiStack;
let harness: Harness;
let anonymous: ApiClient;
let ministry: ApiClient;
let auditor: ApiClient;
let cycle: InsertedCycle;
/** Stand-alone, left running. */
let runningTask: string;
/** In the cycle (by its id's prefix), completed and archived. */
let archivedTask: string;
/** In the cycle, left running. */
let cycleRunningTask: string;
/** Stand-alone, completed but not archived. */
let closedTask: string;

function dueDate(): string {
  let date = addCalendarDays(DateTime.now().setZone(ZONE).toISODate() as string, 8);
  while (!isWorkingDay(date)) date = addCalendarDays(date, 1);
  return date;
}

async function createTask(id: string, title: string): Promise<string> {
  const response = await ministry.post('/api/tasks', { id, title, assigneeOrganizationId: 'demo-mun-severny', dueAt: `${dueDate()}T18:00` });
  if (response.status !== 201) throw new Error(`creating ${id}: ${response.status} ${response.text}`);
  return id;
}

async function complete(id: string): Promise<void> {
  const severny = await anonymous.as('coordinator@severny.demo-region.example', DEMO_PASSWORD);
  const response = await severny.post(`/api/tasks/${id}/complete`, { comment: 'Исполнено' });
  if (response.status !== 200) throw new Error(`completing ${id}: ${response.status} ${response.text}`);
}

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  harness = stack.harness;
  anonymous = new ApiClient(stack.baseUrl);
  ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
  auditor = await anonymous.as('audit@demo-region.example', DEMO_PASSWORD);
  const ds = stack.app.get(DataSource);
  cycle = await insertCycle(ds, suffix);
  // An entry that belongs to the cycle: the ministry's decision on a participant.
  const outcome = await ministry.post(`/api/cycles/${cycle.id}/participants/demo-school-severny-1/outcome`, {
    outcome: 'continues',
    reason: 'Динамика положительная, но неустойчивая',
  });
  if (outcome.status !== 200) throw new Error(`outcome: ${outcome.status} ${outcome.text}`);

  runningTask = await createTask(`audit-running-${suffix}`, 'Представить отчёт о реализации плана (идёт)');
  archivedTask = await createTask(`${cycle.id}.audit-done`, 'Представить отчёт о реализации плана (архив)');
  cycleRunningTask = await createTask(`${cycle.id}.audit-open`, 'Представить отчёт о реализации плана (цикл)');
  closedTask = await createTask(`audit-closed-${suffix}`, 'Представить отчёт о реализации плана (закрыта)');
  await complete(archivedTask);
  await complete(closedTask);

  // What the worker's archiver does every few seconds, for this file's run only and for the one task.
  const histories = new WorkflowHistoryRepository(ds);
  const deadline = Date.now() + 30_000;
  while (!(await histories.get(`task:${archivedTask}`))) {
    if (Date.now() > deadline) throw new Error(`task:${archivedTask} was not archived in 30 s`);
    await archiveClosedWorkflows(harness.env.client, histories, new Date(Date.now() - 60_000), {
      where: `WorkflowId = "task:${archivedTask}"`,
    });
    await new Promise((r) => setTimeout(r, 300));
  }
});

afterAll(() => stack?.close());

describe('audit export', () => {
  it("gives an auditor a cycle's entries, tasks and archived workflows as JSON, each entry verified", async () => {
    const response = await auditor.get(`/api/audit/export?scope=cycle&id=${cycle.id}`);
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.scope).toEqual({ kind: 'cycle', id: cycle.id, includeHistories: false });
    expect(body.entries).toEqual([
      expect.objectContaining({
        type: 'participant_outcome_set',
        typeLabel: 'Принято решение об итогах участия школы',
        actor: 'programme@demo-region.example',
        cycleId: cycle.id,
      }),
    ]);
    expect(body.workflows).toEqual([expect.objectContaining({ workflowId: `task:${archivedTask}`, status: 'COMPLETED' })]);
    expect(body.workflows[0]).not.toHaveProperty('history');
    expect(body.verification).toMatchObject({ ok: true, checked: 1, failures: [] });
  });

  it('downloads CSV as an attachment in UTF-8 with the separator asked for', async () => {
    const response = await auditor.get(`/api/audit/export?scope=task&id=${closedTask}&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="audit-task-${closedTask}.csv"; filename*=UTF-8''audit-task-${closedTask}.csv`,
    );
    // fetch's text() drops a byte order mark; Excel needs it, so look at the bytes.
    const raw = await fetch(`${auditor.baseUrl}/api/audit/export?scope=task&id=${closedTask}&format=csv`, {
      headers: { authorization: `Bearer ${auditor.token}` },
    });
    expect([...Buffer.from(await raw.arrayBuffer()).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(response.text.startsWith('Дата и время (UTC),Кто,Событие,Код события')).toBe(true);
    const lines = response.text.trim().split('\r\n');
    expect(lines.length).toBe(3);
    expect(lines[1]).toContain(',Задача создана,created,');
    expect(lines[2]).toContain(',Задача выполнена,completed,');
    const semicolon = await auditor.get(`/api/audit/export?scope=task&id=${closedTask}&format=csv&delimiter=semicolon`);
    expect(semicolon.text.split('\r\n')[0]).toBe(
      'Дата и время (UTC);Кто;Событие;Код события;Объект;Организации;Срок (UTC);Подробности;№ записи в журнале;Хеш записи',
    );
  });

  it('lets a ministry administrator export within its region only', async () => {
    const organization = await ministry.get('/api/audit/export?scope=organization&id=demo-mun-severny');
    expect(organization.status).toBe(200);
    expect(organization.body.scopeOrganizationIds).toEqual(expect.arrayContaining(['demo-mun-severny', 'demo-school-severny-1']));
    expect(organization.body.tasks.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining([runningTask, closedTask]));
    expect((await ministry.get(`/api/audit/export?scope=task&id=${runningTask}`)).status).toBe(200);

    const other = await insertOtherRegion(stack.app.get(DataSource), suffix, DEMO_PASSWORD);
    const stranger = await anonymous.as(other.adminEmail, DEMO_PASSWORD);
    expectRussianError(await stranger.get(`/api/audit/export?scope=cycle&id=${cycle.id}`), 403, ['своему региону']);
    expectRussianError(await stranger.get('/api/audit/export?scope=organization&id=demo-mun-severny'), 403, ['своему региону']);
    expectRussianError(await stranger.get(`/api/audit/export?scope=task&id=${runningTask}&format=csv`), 403, ['своему региону']);
    expect((await stranger.get(`/api/audit/export?scope=organization&id=${other.ministryId}`)).status).toBe(200);
  });

  it('refuses other roles, unknown scopes and malformed queries in Russian', async () => {
    for (const email of ['reviewer@demo-region.example', 'coordinator@severny.demo-region.example']) {
      const client = await anonymous.as(email, DEMO_PASSWORD);
      expectRussianError(await client.get(`/api/audit/export?scope=cycle&id=${cycle.id}`), 403, ['аудитор']);
    }
    expectRussianError(await auditor.get('/api/audit/export?scope=cycle&id=no-such-cycle'), 404, ['«no-such-cycle»']);
    expectRussianError(await auditor.get('/api/audit/export?scope=organization&id=no-such-org'), 404, ['«no-such-org»']);
    expectRussianError(await auditor.get('/api/audit/export?scope=task&id=no-such-task'), 404, ['«no-such-task»']);
    expectRussianError(await ministry.get('/api/audit/export?scope=task&id=no-such-task'), 404, ['«no-such-task»']);
    expectRussianError(await auditor.get('/api/audit/export?scope=region&id=demo'), 400, [], ['scope']);
    expectRussianError(await auditor.get('/api/audit/export?scope=cycle'), 400, [], ['id']);
    expectRussianError(await auditor.get(`/api/audit/export?scope=cycle&id=${cycle.id}&format=xlsx`), 400, [], ['format']);
  });
});

describe('audit chain and workflow histories', () => {
  it('verifies the whole chain for an auditor only', async () => {
    const response = await auditor.get('/api/audit/verify');
    expect(response.status).toBe(200);
    expect(response.body.ok).toBe(true);
    expect(response.body.checked).toBeGreaterThan(0);
    expectRussianError(await ministry.get('/api/audit/verify'), 403, ['аудитор']);
  });

  it('names the entry where the chain breaks when a row was changed behind the application', async () => {
    const ds = stack.app.get(DataSource);
    const [entry]: { chain_seq: string; actor: string }[] = await ds.query(
      `SELECT chain_seq::text, actor FROM audit_events WHERE cycle_id = $1 AND type = 'participant_outcome_set'`,
      [cycle.id],
    );
    // The test server's user is a superuser, who may switch the append-only trigger off, as an attacker with it could.
    const setActor = (actor: string) =>
      ds.transaction(async (m) => {
        await m.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete');
        await m.query('UPDATE audit_events SET actor = $1 WHERE chain_seq = $2', [actor, entry.chain_seq]);
        await m.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete');
      });
    await setActor('someone-else@example');
    try {
      const response = await auditor.get('/api/audit/verify');
      expect(response.body).toMatchObject({ ok: false, brokenAt: { chainSeq: entry.chain_seq, reason: expect.stringContaining('изменена') } });
    } finally {
      await setActor(entry.actor);
    }
    expect((await auditor.get('/api/audit/verify')).body.ok).toBe(true);
  });

  const historyUrl = (id: string) => `/api/audit/workflows/${encodeURIComponent(`task:${id}`)}/history`;
  const eventTypes = (body: { history: { events: { eventType: string }[] } }) => body.history.events.map((e) => e.eventType);

  it('reads a running workflow live from Temporal, a closed one from the archive, saying which', async () => {
    const live = await auditor.get(historyUrl(runningTask));
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({ workflowId: `task:${runningTask}`, source: 'temporal', running: true, status: 'RUNNING', workflowType: 'deadlineTaskWorkflow' });
    expect(eventTypes(live.body)[0]).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(live.body.eventCount).toBe(live.body.history.events.length);

    const archived = await auditor.get(historyUrl(archivedTask));
    expect(archived.body).toMatchObject({ source: 'archive', running: false, status: 'COMPLETED', archivedAt: expect.any(String) });
    expect(eventTypes(archived.body).at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED');

    const notYetArchived = await auditor.get(historyUrl(closedTask));
    expect(notYetArchived.body).toMatchObject({ source: 'temporal', running: false, status: 'COMPLETED', archivedAt: null });

    expectRussianError(await auditor.get(historyUrl(`no-such-${suffix}`)), 404, ['не найден']);
    expectRussianError(await ministry.get(historyUrl(runningTask)), 403, ['аудитор']);
  });

  it("lists a cycle's workflows with their status and whether each history is archived", async () => {
    const response = await auditor.get(`/api/audit/cycles/${cycle.id}/workflows`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ cycleId: cycle.id, live: true, total: 2, byStatus: { COMPLETED: 1, RUNNING: 1 } });
    expect(response.body.workflows).toEqual([
      expect.objectContaining({ workflowId: `task:${archivedTask}`, kind: 'task', status: 'COMPLETED', archived: true }),
      expect.objectContaining({ workflowId: `task:${cycleRunningTask}`, kind: 'task', status: 'RUNNING', archived: false }),
    ]);
    expect((await ministry.get(`/api/audit/cycles/${cycle.id}/workflows`)).status).toBe(200);
    expectRussianError(await auditor.get('/api/audit/cycles/no-such-cycle/workflows'), 404, ['«no-such-cycle»']);
    const school = await anonymous.as('director@school1.severny.demo-region.example', DEMO_PASSWORD);
    expectRussianError(await school.get(`/api/audit/cycles/${cycle.id}/workflows`), 403);
  });

  it('never answered with a server error', () => {
    expect(anonymous.seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});
