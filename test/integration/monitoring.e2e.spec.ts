/**
 * Monitoring dynamics and reports over HTTP, against a cycle whose report tasks and submissions are inserted into
 * PostgreSQL as the cycle would have left them: per-school series and steadiness, municipal means, missing and late
 * reports, and each role seeing only its own part.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/api-app';
import { insertCycle, insertOtherRegion, insertSubmission, insertTaskRow, type InsertedCycle } from '../support/cycle-rows';
import { ApiClient, expectRussianError } from '../support/http';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, testConfig, uniqueSuffix } from '../support/test-config';

const S1 = 'demo-school-severny-1';
const S2 = 'demo-school-severny-2';
const Y1 = 'demo-school-yuzhny-1';

const suffix = uniqueSuffix();
let sink: SmtpSink;
let app: NestFastifyApplication;
let anonymous: ApiClient;
let ministry: ApiClient;
let cycle: InsertedCycle;

/** One school's report for one period: its task row and, unless still open, its submission(s). */
async function report(
  ds: DataSource,
  school: string,
  periodId: string,
  values: (Record<string, unknown> | null)[],
  task: { dueAt: string; status?: 'open' | 'completed'; late?: boolean },
): Promise<void> {
  const taskId = `${cycle.id}.monitoring.${school}.${periodId}.report`;
  const status = task.status ?? 'completed';
  await insertTaskRow(ds, {
    id: taskId,
    title: `Мониторинг показателей: ${periodId}`,
    assignee: school,
    dueAt: task.dueAt,
    status,
    completedAt: status === 'completed' ? (task.late ? '2026-12-29T06:00:00Z' : '2026-10-01T06:00:00Z') : undefined,
    completedLate: task.late,
    context: { cycleId: cycle.id, stageId: 'monitoring', stepKey: 'monitoring', action: 'report', subjectOrganizationId: school, periodId, formId: 'indicators' },
  });
  let version = 0;
  for (const form of values) {
    if (!form) continue;
    version += 1;
    await insertSubmission(ds, {
      cycleId: cycle.id,
      // submissions.task_id is unique: a resubmission comes from the next round's task.
      taskId: version === 1 ? taskId : `${taskId}.v${version}`,
      stageId: 'monitoring',
      stepKey: 'monitoring',
      action: 'report',
      organizationId: school,
      periodId,
      version,
      form,
      submittedAt: `2026-10-0${version}T06:00:00Z`,
    });
  }
}

beforeAll(async () => {
  sink = await SmtpSink.start();
  app = await createApiApp(testConfig({ taskQueue: `monitoring-e2e-${suffix}`, smtpUrl: sink.url }));
  await app.listen(0, '127.0.0.1');
  const ds = app.get(DataSource);
  cycle = await insertCycle(ds, suffix);
  await report(ds, S1, 'q1', [{ vprMath: 40, failures: 20, note: 'начало' }], { dueAt: '2026-10-30T18:00:00' });
  await report(ds, S1, 'q2', [{ vprMath: 50, failures: 15 }], { dueAt: '2026-12-25T18:00:00' });
  await report(ds, S1, 'q3', [{ vprMath: 60, failures: 10 }], { dueAt: '2027-03-19T18:00:00' });
  await report(ds, S2, 'q1', [{ vprMath: 50, failures: 12 }], { dueAt: '2026-10-30T18:00:00' });
  await report(ds, S2, 'q2', [{ vprMath: 45, failures: 14 }], { dueAt: '2026-12-25T18:00:00', late: true });
  // The later version replaces the first in the dynamics; both stay in the list of reports.
  await report(ds, S2, 'q3', [{ vprMath: 30, failures: 14 }, { vprMath: 55, failures: 11 }], { dueAt: '2027-03-19T18:00:00' });
  await report(ds, Y1, 'q1', [{ vprMath: 70, failures: 5 }], { dueAt: '2026-10-30T18:00:00' });
  await report(ds, Y1, 'q2', [], { dueAt: '2026-11-02T18:00:00', status: 'open' });
  await report(ds, Y1, 'q3', [], { dueAt: '2099-03-19T18:00:00', status: 'open' });
  anonymous = new ApiClient(await app.getUrl());
  ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.close();
  await sink?.stop();
});

const dynamicsUrl = (query = '') => `/api/cycles/${cycle.id}/monitoring/dynamics${query}`;

describe('monitoring dynamics', () => {
  it('gives the ministry every school: series in period order, change first→last, steadiness, municipal means', async () => {
    const response = await ministry.get(dynamicsUrl('?indicator=vprMath'));
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.indicators).toEqual([{ id: 'vprMath', title: 'Доля выполнивших ВПР по математике', unit: '%', higherIsBetter: true }]);
    expect(body.periods.map((p: { id: string; order: number }) => [p.id, p.order])).toEqual([['q1', 1], ['q2', 2], ['q3', 3]]);
    const school = (id: string) => body.schools.find((s: { organizationId: string }) => s.organizationId === id);
    expect(body.schools.map((s: { organizationId: string }) => s.organizationId)).toEqual([S1, S2, Y1]);
    expect(school(S1)).toMatchObject({
      organizationName: 'МБОУ «СОШ № 1» п. Северный',
      municipalityId: 'demo-mun-severny',
      series: [{ periodId: 'q1', value: 40 }, { periodId: 'q2', value: 50 }, { periodId: 'q3', value: 60 }].map((p, i) => ({ ...p, periodOrder: i + 1 })),
      change: 20,
      improvement: 20,
      steadiness: 1,
    });
    expect(school(S2)).toMatchObject({ first: 50, last: 55, change: 5, steps: 2, nonWorseningSteps: 1, steadiness: 0.5 });
    expect(school(Y1)).toMatchObject({ series: [{ periodId: 'q1', value: 70 }], change: null, steadiness: null });

    const severny = body.municipalities.find((m: { municipalityId: string }) => m.municipalityId === 'demo-mun-severny');
    expect(severny.municipalityName).toBe('Управление образования Северного района');
    expect(severny.series).toEqual([
      { periodId: 'q1', periodOrder: 1, mean: 45, reported: 2 },
      { periodId: 'q2', periodOrder: 2, mean: 47.5, reported: 2 },
      { periodId: 'q3', periodOrder: 3, mean: 57.5, reported: 2 },
    ]);
  });

  it('names the reports still missing (overdue or not) and those handed in late, per period', async () => {
    const { reporting } = (await ministry.get(dynamicsUrl())).body;
    const period = (id: string) => reporting.find((p: { periodId: string }) => p.periodId === id);
    expect(period('q1')).toEqual({ periodId: 'q1', expected: 3, submitted: 3, missing: [], late: [] });
    expect(period('q2')).toMatchObject({
      expected: 3,
      submitted: 2,
      missing: [{ organizationId: Y1, organizationName: 'МБОУ «Лицей № 1» г. Южный', overdue: true }],
      late: [{ organizationId: S2, completedAt: '2026-12-29T06:00:00Z', lateBySeconds: expect.any(Number) }],
    });
    expect(period('q2').late[0].lateBySeconds).toBeGreaterThan(0);
    expect(period('q3')).toMatchObject({ expected: 3, submitted: 2, missing: [{ organizationId: Y1, overdue: false }], late: [] });
  });

  it('turns an indicator where less is better so that an improvement is positive', async () => {
    const response = await ministry.get(dynamicsUrl('?indicator=failures'));
    expect(response.status).toBe(200);
    const s1 = response.body.schools.find((s: { organizationId: string }) => s.organizationId === S1);
    expect(s1).toMatchObject({ higherIsBetter: false, change: -10, improvement: 10, steadiness: 1 });
  });

  it('without an indicator covers every numeric field of the form, not the text ones', async () => {
    const response = await ministry.get(dynamicsUrl());
    expect(response.body.indicators.map((i: { id: string }) => i.id)).toEqual(['vprMath', 'failures']);
    expect(response.body.schools).toHaveLength(6);
  });

  it('shows a municipal coordinator only its schools, a school only itself; the institute and auditors everything', async () => {
    const severny = await anonymous.as('coordinator@severny.demo-region.example', DEMO_PASSWORD);
    const coordinatorView = (await severny.get(dynamicsUrl('?indicator=vprMath'))).body;
    expect(coordinatorView.schools.map((s: { organizationId: string }) => s.organizationId)).toEqual([S1, S2]);
    expect(coordinatorView.municipalities.map((m: { municipalityId: string }) => m.municipalityId)).toEqual(['demo-mun-severny']);
    expect(coordinatorView.reporting.find((p: { periodId: string }) => p.periodId === 'q2')).toMatchObject({ expected: 2, missing: [] });

    const school = await anonymous.as('director@lyceum1.yuzhny.demo-region.example', DEMO_PASSWORD);
    const schoolView = (await school.get(dynamicsUrl('?indicator=vprMath'))).body;
    expect(schoolView.schools.map((s: { organizationId: string }) => s.organizationId)).toEqual([Y1]);
    expect(schoolView.reporting.find((p: { periodId: string }) => p.periodId === 'q2').missing).toHaveLength(1);

    for (const email of ['curator@iro.demo-region.example', 'audit@demo-region.example']) {
      const reader = await anonymous.as(email, DEMO_PASSWORD);
      const view = (await reader.get(dynamicsUrl('?indicator=vprMath'))).body;
      expect(view.schools.map((s: { organizationId: string }) => s.organizationId)).toEqual([S1, S2, Y1]);
    }
  });

  it("refuses another region's ministry with the reason, and answers unknown cycles and indicators in Russian", async () => {
    const other = await insertOtherRegion(app.get(DataSource), suffix, DEMO_PASSWORD);
    const stranger = await anonymous.as(other.adminEmail, DEMO_PASSWORD);
    expectRussianError(await stranger.get(dynamicsUrl()), 403, ['другого региона']);
    expectRussianError(await ministry.get('/api/cycles/no-such-cycle/monitoring/dynamics'), 404, ['«no-such-cycle»']);
    expectRussianError(await ministry.get(dynamicsUrl('?indicator=reading')), 422, ['«reading»', 'vprMath']);
    expectRussianError(await ministry.get(dynamicsUrl('?indicator=a%20b')), 400, [], ['indicator']);
    expectRussianError(await ministry.get(dynamicsUrl('?colour=red')), 400, [], ['colour']);
    expectRussianError(await anonymous.get(dynamicsUrl()), 401);
  });
});

describe('monitoring reports', () => {
  it('lists the reports of a period with their values and versions, late ones marked', async () => {
    const response = await ministry.get(`/api/cycles/${cycle.id}/monitoring/reports?periodId=q2`);
    expect(response.status).toBe(200);
    expect(response.body.items.map((r: { organizationId: string }) => r.organizationId)).toEqual([S2, S1]);
    expect(response.body.items[0]).toMatchObject({
      organizationName: 'МБОУ «ООШ № 2» с. Заречье',
      municipalityId: 'demo-mun-severny',
      periodId: 'q2',
      periodTitle: 'II четверть',
      version: 1,
      values: { vprMath: 45, failures: 14 },
      late: true,
    });
    expect(response.body.items[1].late).toBe(false);

    const q3 = await ministry.get(`/api/cycles/${cycle.id}/monitoring/reports?periodId=q3`);
    const s2 = q3.body.items.filter((r: { organizationId: string }) => r.organizationId === S2);
    expect(s2.map((r: { version: number; values: { vprMath: number } }) => [r.version, r.values.vprMath])).toEqual([[1, 30], [2, 55]]);
  });

  it('keeps to the reader’s scope and refuses a period that is not in the plan', async () => {
    const yuzhny = await anonymous.as('coordinator@yuzhny.demo-region.example', DEMO_PASSWORD);
    const all = await yuzhny.get(`/api/cycles/${cycle.id}/monitoring/reports`);
    expect(all.status).toBe(200);
    expect(new Set(all.body.items.map((r: { organizationId: string }) => r.organizationId))).toEqual(new Set([Y1]));
    expectRussianError(await ministry.get(`/api/cycles/${cycle.id}/monitoring/reports?periodId=q9`), 422, ['«q9»']);
  });

  it('never answered with a server error', () => {
    expect(anonymous.seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});
