/**
 * Templates and cycles over HTTP: publishing a template version (every problem with its path), the dry run, launching
 * a cycle, the ministry's controls and who may use them, and a running cycle keeping its template version when a new
 * one is published.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isWorkingDay } from '../../libs/domain/calendar';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { confirmedBy } from '../support/four-eyes';
import { ApiClient, expectRussianError } from '../support/http';
import { uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const suffix = uniqueSuffix();
const taskQueue = `cycles-api-${suffix}`;
const defaultYaml = readFileSync(path.resolve(__dirname, '../../libs/templates/roadmaps/default.yaml'), 'utf8');
const templateId = `test-${suffix}`.toLowerCase().slice(0, 40);
const ownTemplate = (version: number, title = 'Цикл для проверки версий') =>
  defaultYaml.replace(/^id: default$/m, `id: ${templateId}`).replace(/^version: 1$/m, `version: ${version}`).replace(/^title: .*$/m, `title: ${title}`);

let stack: ApiStack;
let harness: Harness;
let region: TestRegion;
let admin: ApiClient;
let reviewer: ApiClient;
let coordinator: ApiClient;
let school: ApiClient;

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  harness = stack.harness;
  region = await createTestRegion(harness.dataSource, { code: `a${suffix}`.slice(0, 18), timeZone: 'Europe/Moscow', municipalities: 2, schoolsPerMunicipality: 2 });
  const { anonymous } = stack;
  admin = await anonymous.as(region.admin.email, REGION_PASSWORD);
  reviewer = await anonymous.as(region.reviewer.email, REGION_PASSWORD);
  coordinator = await anonymous.as(region.municipalities[0].coordinator.email, REGION_PASSWORD);
  school = await anonymous.as(region.schools[0].director.email, REGION_PASSWORD);
});

afterAll(() => stack?.close());

describe('templates', () => {
  it('lists the shipped roadmaps and publishes the JSON Schema without log-in', async () => {
    const list = await admin.get('/api/templates');
    expect(list.status).toBe(200);
    const ids: string[] = list.body.map((t: { id: string }) => t.id);
    expect(ids).toEqual(expect.arrayContaining(['default', 'seed-000-ivnya', 'seed-002-orenburg', 'seed-003-mytishchi', 'seed-004-leningrad']));
    const schema = await new ApiClient(admin.baseUrl).get('/api/templates/schema');
    expect(schema.status).toBe(200);
    expect(schema.body.$schema).toMatch(/2020-12/);
  });

  it('reports every problem of a broken template with its path, and stores nothing', async () => {
    const broken = ownTemplate(1)
      .replace('id: identification\n', 'id: identification\n    dependsOn: [identification]\n')
      .replace(/actor: institute/, 'actor: governor');
    const checked = await admin.post('/api/templates/validate', { format: 'yaml', source: broken });
    expect(checked.status).toBe(200);
    expect(checked.body.valid).toBe(false);
    const paths: string[] = checked.body.problems.map((p: { path: string }) => p.path);
    expect(paths.some((p) => p.startsWith('/stages/0') && /actor/.test(p))).toBe(true);
    const refused = await admin.post('/api/templates', { format: 'yaml', source: broken });
    expectRussianError(refused, 422);
    expect((await admin.get(`/api/templates/${templateId}`)).status).toBe(404);

    const syntax = await admin.post('/api/templates/validate', { format: 'yaml', source: 'id: [unclosed' });
    expect(syntax.body.problems[0]).toEqual(expect.objectContaining({ line: expect.any(Number) }));
  });

  it('stores versions: the same text again is no change, a different text under the same version is refused', async () => {
    expectRussianError(await coordinator.post('/api/templates', { format: 'yaml', source: ownTemplate(1) }), 403);
    const created = await admin.post('/api/templates', { format: 'yaml', source: ownTemplate(1) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ created: true, template: { id: templateId, version: 1 } });
    const again = await admin.post('/api/templates', { format: 'yaml', source: ownTemplate(1) });
    expect(again.body.created).toBe(false);
    expectRussianError(await admin.post('/api/templates', { format: 'yaml', source: ownTemplate(1, 'Другое название') }), 422);
  });

  it('shows the whole schedule before launch, every deadline on a working day', async () => {
    const dry = await admin.post('/api/templates/default/dry-run', { academicYear: 2026 });
    expect(dry.status).toBe(200);
    expect(dry.body.tasks.length).toBeGreaterThan(10);
    for (const task of dry.body.tasks as { dueLocal: string; reminders: string[] }[]) {
      expect(isWorkingDay(task.dueLocal.slice(0, 10))).toBe(true);
    }
    expect(dry.body.tasks.some((t: { reminders: string[] }) => t.reminders.length > 0)).toBe(true);
    const municipalities = new Set(dry.body.tasks.map((t: { organizationId: string }) => t.organizationId));
    for (const m of region.municipalities) expect(municipalities).toContain(m.id);
    expectRussianError(await admin.post('/api/templates/default/dry-run', { academicYear: 1990 }), 400);
  });

  it('lets an auditor read the dry run and check a template, which change nothing, but not launch or store', async () => {
    const auditor = await stack.anonymous.as(region.auditor.email, REGION_PASSWORD);
    const dry = await auditor.post('/api/templates/default/dry-run', { academicYear: 2026 });
    expect(dry.status).toBe(200);
    expect(dry.body.tasks.length).toBeGreaterThan(10);
    const checked = await auditor.post('/api/templates/validate', { format: 'yaml', source: defaultYaml });
    expect(checked.status).toBe(200);
    expect(checked.body.valid).toBe(true);
    expectRussianError(await auditor.post('/api/templates', { format: 'yaml', source: ownTemplate(1) }), 403);
    expectRussianError(await auditor.post('/api/cycles', { templateId: 'default', academicYear: 2026 }), 403);
  });

  it('refuses a year past the production calendar in the dry run and at launch alike, saying why', async () => {
    // 2027/2028 runs into 2028, which the calendar does not cover yet.
    const dry = await admin.post('/api/templates/default/dry-run', { academicYear: 2027 });
    expectRussianError(dry, 422, ['2027/2028']);
    expect(JSON.stringify(dry.body)).toMatch(/2028|календар/);
    const launched = await admin.post('/api/cycles', { templateId: 'default', academicYear: 2027 });
    expect(launched.status).toBe(422);
    expect(launched.body).toEqual(dry.body);
  });
});

describe('time zones', () => {
  // The region is on Moscow time; the shipped Orenburg roadmap is written in Asia/Yekaterinburg (UTC+5).
  it('refuses a template written for another zone in the dry run and at launch alike, naming both zones', async () => {
    const dry = await admin.post('/api/templates/seed-002-orenburg/dry-run', { academicYear: 2020 });
    expectRussianError(dry, 422, ['Asia/Yekaterinburg (UTC+5)', 'Europe/Moscow (UTC+3)', 'adoptRegionTimeZone']);
    const launched = await admin.post('/api/cycles', { templateId: 'seed-002-orenburg', academicYear: 2020 });
    expect(launched.status).toBe(422);
    expect(launched.body).toEqual(dry.body);
  });

  it('runs it in the region\'s zone when the request adopts it, with the times as written', async () => {
    const dry = await admin.post('/api/templates/seed-002-orenburg/dry-run', { academicYear: 2020, adoptRegionTimeZone: true });
    expect(dry.status).toBe(200);
    expect(dry.body.timeZone).toBe('Europe/Moscow');
    const first = (dry.body.tasks as { dueLocal: string; dueAt: string }[]).find((t) => t.dueLocal.endsWith('T18:00:00'))!;
    // 18:00 Moscow time is 15:00 UTC.
    expect(first.dueAt.slice(11, 16)).toBe('15:00');
    expectRussianError(await admin.post('/api/templates/seed-002-orenburg/dry-run', { academicYear: 2020, adoptRegionTimeZone: 'yes' }), 400);
  });
});

describe('a calendar-year template', () => {
  const calendarId = `cal-${suffix}`.toLowerCase().slice(0, 40);
  const calendarTemplate = defaultYaml
    .replace(/^id: default$/m, `id: ${calendarId}`)
    .replace(/^  firstAcademicYear: 2026$/m, '  firstCalendarYear: 2026')
    // Calendar quarters of 2026 end before this roadmap's monitoring can start: its periods are listed instead.
    .replace('cadence: quarterly', "cadence: { periods: [{ id: winter, title: Зима, window: { lastWeekOf: '2026-12' } }, { id: spring, title: Весна, window: { lastWeekOf: '2027-03' } }] }");

  it('is published, and its year is said as a calendar year', async () => {
    const created = await admin.post('/api/templates', { format: 'yaml', source: calendarTemplate });
    expect(created.status).toBe(201);
    expect(created.body.template).toMatchObject({ id: calendarId, firstCalendarYear: 2026 });
    expect(created.body.template.firstAcademicYear).toBeUndefined();
    // Launched for 2027, its dates run into 2028, which the production calendar does not cover yet.
    const dry = await admin.post(`/api/templates/${calendarId}/dry-run`, { academicYear: 2027 });
    expectRussianError(dry, 422, ['к 2027 году']);
    expect(dry.body.details.join('\n')).toMatch(/\(2027 год\)/);
    expect(JSON.stringify(dry.body)).not.toMatch(/учебный/);
  });
});

describe('a cycle', () => {
  let cycleId: string;

  it('is launched only by the ministry administrator, once per region and year', async () => {
    expectRussianError(await reviewer.post('/api/cycles', { templateId, academicYear: 2026 }), 403);
    expectRussianError(await admin.post('/api/cycles', { templateId: 'no-such-template', academicYear: 2026 }), 404);
    expectRussianError(await admin.post('/api/cycles', { templateId, academicYear: 'next' }), 400);
    const launched = await confirmedBy(reviewer, admin.post('/api/cycles', { templateId, academicYear: 2026, compression: { secondsPerDay: 30 } }));
    expect(launched.status).toBe(200);
    cycleId = launched.body.id;
    expect(launched.body).toMatchObject({ templateId, templateVersion: 1, compressed: true, regionCode: region.code });
    expectRussianError(await admin.post('/api/cycles', { templateId, academicYear: 2026 }), 409);
  });

  it('keeps the template version it was launched with when a new version is published', async () => {
    const v2 = await admin.post('/api/templates', { format: 'yaml', source: ownTemplate(2, 'Версия 2 с другими сроками') });
    expect(v2.status).toBe(201);
    const cycle = await admin.get(`/api/cycles/${cycleId}`);
    expect(cycle.body).toMatchObject({ templateVersion: 1, title: 'Цикл для проверки версий' });
    expect(cycle.body.progress).toMatchObject({ status: 'running', templateVersion: 1 });
  });

  it('hides another region\'s cycle and refuses the wrong task action with a reason', async () => {
    const other = await createTestRegion(harness.dataSource, { code: `b${suffix}`.slice(0, 18), timeZone: 'Europe/Moscow', municipalities: 1, schoolsPerMunicipality: 1 });
    const stranger = await new ApiClient(admin.baseUrl).as(other.admin.email, REGION_PASSWORD);
    expectRussianError(await stranger.get(`/api/cycles/${cycleId}`), 403);
    // A region's templates are its own: another region neither sees them nor publishes versions of them.
    expectRussianError(await stranger.get(`/api/templates/${templateId}`), 404);
    expectRussianError(await stranger.post('/api/templates', { format: 'yaml', source: ownTemplate(3) }), 422, ['другому региону']);
    expect((await stranger.get('/api/templates')).body.map((t: { id: string }) => t.id)).not.toContain(templateId);
    const shipped = defaultYaml.replace(/^version: 1$/m, 'version: 2');
    expectRussianError(await admin.post('/api/templates', { format: 'yaml', source: shipped }), 422, ['поставляемый шаблон']);
    let listTask: { id: string } | undefined;
    for (let i = 0; i < 40 && !listTask; i += 1) {
      const rows: { id: string }[] = await harness.dataSource.query(
        `SELECT id FROM tasks WHERE snapshot->'context'->>'cycleId' = $1 AND snapshot->'context'->>'action' = 'approve_list'`,
        [cycleId],
      );
      listTask = rows[0];
      if (!listTask) await new Promise((r) => setTimeout(r, 250));
    }
    expect(listTask).toBeDefined();
    // The inbox filtered by cycle shows what the task asks and the order behind its deadline.
    const inbox = await admin.get(`/api/tasks?cycleId=${encodeURIComponent(cycleId)}&limit=200`);
    const listed = inbox.body.items.find((t: { id: string }) => t.id === listTask!.id);
    expect(listed.cycle).toMatchObject({ cycleId, action: 'approve_list', stageId: 'identification' });
    expect(listed.legalBasis).toMatch(/^Приказ регионального органа .*п\. 2$/);
    expect(inbox.body.items.every((t: { cycle?: { cycleId: string } }) => t.cycle?.cycleId === cycleId)).toBe(true);
    // Filtered by what the task asks: the list approval is there, and no task asking for a review is yet.
    const byAction = (action: string) => admin.get(`/api/tasks?cycleId=${encodeURIComponent(cycleId)}&action=${action}&limit=200`);
    const approvals: { id: string; cycle: { action: string } }[] = (await byAction('approve_list')).body.items;
    expect(approvals.map((t) => t.id)).toContain(listTask!.id);
    expect(approvals.every((t) => t.cycle.action === 'approve_list')).toBe(true);
    expect((await byAction('review')).body).toMatchObject({ items: [], total: 0 });
    expectRussianError(await byAction('approve'), 400);
    expectRussianError(await admin.post(`/api/tasks/${encodeURIComponent(listTask!.id)}/submission`, { comment: 'x' }), 422);
    expectRussianError(await school.post(`/api/tasks/${encodeURIComponent(listTask!.id)}/review`, { decision: 'approved' }), 403);
    expectRussianError(await admin.post(`/api/tasks/${encodeURIComponent(listTask!.id)}/review`, { decision: 'maybe' }), 400);
  });

  it('is paused, resumed, extended and cancelled by the ministry, with every refusal explained', async () => {
    const base = `/api/cycles/${cycleId}`;
    expectRussianError(await coordinator.post(`${base}/pause`, { reason: 'хочу' }), 403);
    expectRussianError(await admin.post(`${base}/pause`, {}), 400);
    const paused = await admin.post(`${base}/pause`, { reason: 'Приказ о переносе сроков' });
    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expectRussianError(await admin.post(`${base}/pause`, { reason: 'ещё раз' }), 422);
    expectRussianError(await admin.post(`${base}/stages/no-such-stage/extend`, { reason: 'письмо', dueAt: '2027-05-31' }), 422);
    expectRussianError(await admin.post(`${base}/stages/plans/extend`, { reason: 'письмо', dueAt: '31.05.2027' }), 400);
    expect((await admin.post(`${base}/resume`, { reason: 'Сроки согласованы' })).body.status).toBe('running');
    const cancelled = await confirmedBy(reviewer, admin.post(`${base}/cancel`, { reason: 'Отмена по приказу министерства' }));
    expect(cancelled.body.status).toBe('cancelled');
    expectRussianError(await admin.post(`${base}/resume`, { reason: 'передумали' }), 422);
    const events: { type: string; actor: string }[] = await harness.dataSource.query(
      `SELECT type, actor FROM audit_events WHERE subject_type = 'cycle' AND subject_id = $1 ORDER BY chain_seq`,
      [cycleId],
    );
    expect(events.map((e) => e.type)).toEqual(['cycle_launched', 'cycle_paused', 'cycle_resumed', 'cycle_cancelled']);
    expect(events.every((e) => e.actor === region.admin.email)).toBe(true);
  });
});
