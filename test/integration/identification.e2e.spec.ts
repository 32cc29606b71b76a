/**
 * Identification and partnerships over HTTP against real running cycles (Temporal dev server, worker, PostgreSQL):
 * the ministry imports the results and social-passport files (a broken file stores nothing), reads the ranking and
 * approves the list with additions and removals, after which the cycle starts the schools' tracks; municipalities
 * propose partner pairs (every rule refused with its reason) and each agreement is confirmed by its three parties.
 * Each run owns a fresh region, so academic years and school codes never collide with other files.
 */
import 'reflect-metadata';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { ASSESSMENT_COLUMNS, parseAssessmentFile, parseSocialPassportFile, SOCIAL_PASSPORT_COLUMNS } from '../../libs/import';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { buildIdentificationFiles, brokenResultsCsv, csvFile, type IdentificationFiles } from '../support/fixtures/identification-files';
import { confirmedBy } from '../support/four-eyes';
import { ApiClient, assertNoServerError, expectRussianError, type ApiResponse } from '../support/http';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { DEMO_PASSWORD, uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const YEARS = [2022, 2023, 2024];
const suffix = uniqueSuffix();
const taskQueue = `identification-e2e-${suffix}`;
let stack: ApiStack;
let harness: Harness;
let baseUrl: string;
let region: TestRegion;
let files: IdentificationFiles;
const clients = new Map<string, ApiClient>();

/** Mun 1: school 1 stably low, school 2 disadvantaged; mun 2: school 1 stably low. Mun 3 has none. */
const school = (m: number, s: number) => region.schools.find((x) => x.id === `${region.code}-school-${m}-${s}`)!;
const coordinator = (m: number) => region.municipalities[m - 1].coordinator.email;

beforeAll(async () => {
  stack = await startApiStack(taskQueue);
  harness = stack.harness;
  baseUrl = stack.baseUrl;
  region = await createTestRegion(harness.dataSource, {
    code: `i${suffix}`.slice(0, 20),
    timeZone: 'Asia/Yekaterinburg',
    municipalities: 3,
    schoolsPerMunicipality: 4,
  });
  files = await buildIdentificationFiles({
    schools: region.schools.map((s) => ({ code: s.code, name: s.name, municipality: s.municipalityId })),
    years: YEARS,
    lowSchools: [school(1, 1).code, school(2, 1).code],
    disadvantagedSchools: [school(1, 2).code],
    seed: 7,
  });
}, 120_000);

afterAll(() => stack?.close());

async function as(email: string, password = REGION_PASSWORD): Promise<ApiClient> {
  let client = clients.get(email);
  if (!client) {
    client = await new ApiClient(baseUrl).as(email, password);
    clients.set(email, client);
  }
  return client;
}

async function putFile(client: ApiClient, cycleId: string, kind: string, fileName: string, body: Buffer, contentType: string): Promise<ApiResponse> {
  const path = `/api/cycles/${encodeURIComponent(cycleId)}/identification/files/${kind}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': contentType, 'x-file-name': encodeURIComponent(fileName) },
    body,
  });
  const text = await response.text();
  assertNoServerError({ method: 'PUT', path, status: response.status }, text);
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : undefined };
}

async function importCount(cycleId: string): Promise<number> {
  const rows: { n: string }[] = await harness.dataSource.query(`SELECT count(*) AS n FROM identification_imports WHERE cycle_id = $1`, [cycleId]);
  return Number(rows[0].n);
}

/** The open tasks of a cycle with this action, once the workflow has issued at least `count` of them. */
async function openTasks(cycleId: string, action: string, count = 1, timeoutMs = 30_000): Promise<TaskSnapshot[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows: { snapshot: TaskSnapshot }[] = await harness.dataSource.query(
      `SELECT snapshot FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1 AND snapshot->'context'->>'action' = $2
        ORDER BY id`,
      [cycleId, action],
    );
    if (rows.length >= count) return rows.map((r) => r.snapshot);
    if (Date.now() > deadline) {
      const all: unknown[] = await harness.dataSource.query(
        `SELECT id, status, assignee_organization_id FROM tasks WHERE snapshot->'context'->>'cycleId' = $1 ORDER BY id`,
        [cycleId],
      );
      throw new Error(`${action} tasks of ${cycleId}: ${rows.length} of ${count} after ${timeoutMs} ms; all: ${JSON.stringify(all)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function launch(templateId: string, academicYear: number): Promise<string> {
  const admin = await as(region.admin.email);
  // The shipped default roadmap is written in Moscow time and this region is UTC+5: it adopts the roadmap's times as
  // its own local times, as a region launching it would (without that the launch is refused naming both zones).
  const launched = await confirmedBy(
    await as(region.reviewer.email),
    admin.post('/api/cycles', { templateId, academicYear, adoptRegionTimeZone: true, compression: { secondsPerDay: 60 } }),
  );
  if (launched.status !== 200) throw new Error(`launch ${templateId}: ${launched.status} ${launched.text}`);
  return launched.body.id;
}

async function importClean(cycleId: string): Promise<void> {
  const admin = await as(region.admin.email);
  expect((await putFile(admin, cycleId, 'results', 'Результаты ВПР 2022–2024.csv', files.resultsCsv, 'text/csv')).status).toBe(200);
  expect((await putFile(admin, cycleId, 'social', 'Социальный паспорт.csv', files.socialCsv, 'text/csv')).status).toBe(200);
}

describe('identification on the default template', () => {
  let cycleId: string;
  const base = () => `/api/cycles/${encodeURIComponent(cycleId)}`;

  beforeAll(async () => {
    cycleId = await launch('default', 2026);
  });

  it('imports a clean CSV and the same results as XLSX (which supersedes it), and the Windows-1251 passport', async () => {
    const admin = await as(region.admin.email);
    const csv = await putFile(admin, cycleId, 'results', 'Результаты ВПР.csv', files.resultsCsv, 'text/csv; charset=utf-8');
    expect(csv.status).toBe(200);
    expect(csv.body).toEqual(expect.objectContaining({ kind: 'results', fileName: 'Результаты ВПР.csv', rowCount: region.schools.length * YEARS.length * 2 }));
    const reviewer = await as(region.reviewer.email);
    const xlsx = await putFile(reviewer, cycleId, 'results', 'Результаты ВПР.xlsx', files.resultsXlsx, XLSX);
    expect(xlsx.status).toBe(200);
    expect(xlsx.body.rowCount).toBe(csv.body.rowCount);
    const social = await putFile(admin, cycleId, 'social', 'Социальный паспорт.csv', files.socialCsv, 'application/octet-stream');
    expect(social.status).toBe(200);
    expect(social.body.rowCount).toBe(region.schools.length);

    const audited: { type: string }[] = await harness.dataSource.query(
      `SELECT type FROM audit_events WHERE cycle_id = $1 AND type = 'identification_file_imported'`,
      [cycleId],
    );
    expect(audited).toHaveLength(3);
  });

  it('refuses a broken file with every bad cell by row and column, and stores nothing', async () => {
    const admin = await as(region.admin.email);
    const before = await importCount(cycleId);
    const broken = await putFile(admin, cycleId, 'results', 'Результаты с ошибками.csv', brokenResultsCsv(), 'text/csv');
    expectRussianError(broken, 422, ['не загружен'], ['строка 3, столбец «Средний балл»: Не число: "abc"', 'строка 6, столбец «Код ОО»: Пустой код ОО']);
    expect(broken.body.errors).toEqual(
      expect.arrayContaining([
        { row: 3, column: 'Средний балл', message: 'Не число: "abc"' },
        { row: 4, column: 'Год', message: expect.stringContaining('1999') },
      ]),
    );
    expect(await importCount(cycleId)).toBe(before);

    // Codes the region's directory does not know are errors too, at their row.
    const stranger = csvFile(
      [
        ['Код ОО', 'Год', 'Средний балл'],
        [school(1, 1).code, '2024', '3,9'],
        ['999999', '2024', '4,1'],
      ],
      { delimiter: ';', encoding: 'utf-8' },
    );
    const unknown = await putFile(admin, cycleId, 'results', 'Чужая школа.csv', stranger, 'text/csv');
    expectRussianError(unknown, 422, [], [
      'строка 3, столбец «Код ОО»: Код школы «999999» не найден в справочнике организаций региона: ' +
        `коды школ видны в GET /api/organizations?regionCode=${region.code}&kind=school и задаются при создании школы`,
    ]);
    expect(unknown.body.errors).toEqual([{ row: 3, column: 'Код ОО', message: expect.stringContaining('999999') }]);

    expectRussianError(await putFile(admin, cycleId, 'results', 'Пустой.csv', Buffer.alloc(0), 'text/csv'), 400, ['пуст']);
    expectRussianError(await putFile(admin, cycleId, 'results', 'Отчёт.pdf', Buffer.from('%PDF'), 'application/pdf'), 415, ['CSV']);
    expectRussianError(await putFile(admin, cycleId, 'grades', 'Оценки.csv', files.resultsCsv, 'text/csv'), 400, [], ['results']);
    expect(await importCount(cycleId)).toBe(before);
  });

  it('lets only the cycle\'s ministry import (403 for a school, a curator and another region)', async () => {
    const director = await as(school(1, 1).director.email);
    expectRussianError(await putFile(director, cycleId, 'social', 'П.csv', files.socialCsv, 'text/csv'), 403);
    expectRussianError(await putFile(await as(region.curator.email), cycleId, 'social', 'П.csv', files.socialCsv, 'text/csv'), 403);
    const demoAdmin = await as('programme@demo-region.example', DEMO_PASSWORD);
    expectRussianError(await putFile(demoAdmin, cycleId, 'social', 'П.csv', files.socialCsv, 'text/csv'), 403, ['другого региона']);
    expectRussianError(await demoAdmin.get(`${base()}/identification/ranking`), 403, ['другого региона']);
  });

  it('ranks the schools from the latest imports: the low and the disadvantaged first, with reasons', async () => {
    const curator = await as(region.curator.email);
    const ranking = await curator.get(`${base()}/identification/ranking`);
    expect(ranking.status).toBe(200);
    expect(ranking.body.years).toEqual(YEARS);
    expect(ranking.body.lowYearsRequired).toBe(2);
    expect(ranking.body.note).toBeUndefined();
    expect(ranking.body.imports.results.fileName).toBe('Результаты ВПР.xlsx');
    const items: { schoolId: string; schoolCode: string; category: string | null; reasons: string[]; rank: number; municipalityId: string }[] =
      ranking.body.items;
    expect(items).toHaveLength(region.schools.length);
    const categorised = Object.fromEntries(items.filter((i) => i.category).map((i) => [i.schoolId, i.category]));
    expect(categorised).toEqual({ [school(1, 1).id]: 'low_results', [school(2, 1).id]: 'low_results', [school(1, 2).id]: 'social_risk' });
    expect(items.slice(0, 3).map((i) => i.category)).toEqual(['low_results', 'low_results', 'social_risk']);
    expect(items.find((i) => i.schoolId === school(1, 1).id)).toEqual(
      expect.objectContaining({ schoolCode: school(1, 1).code, municipalityId: region.municipalities[0].id, reasons: expect.arrayContaining([expect.stringMatching(/^Стабильно низкие результаты/)]) }),
    );

    const twoYears = await curator.get(`${base()}/identification/ranking?years=2023,2024`);
    expect(twoYears.body.years).toEqual([2023, 2024]);
    // One year: ranked, «stably low» reduced to that year, and said so.
    const oneYear = await curator.get(`${base()}/identification/ranking?years=2024`);
    expect(oneYear.status).toBe(200);
    expect(oneYear.body).toEqual(
      expect.objectContaining({ years: [2024], lowYearsRequired: 1, note: expect.stringContaining('«Результаты ВПР.xlsx» результаты только за 2024 г.') }),
    );
    expect(oneYear.body.items).toHaveLength(region.schools.length);
    expectRussianError(await curator.get(`${base()}/identification/ranking?years=прошлый`), 400, [], ['years']);
    expectRussianError(await (await as(coordinator(1))).get(`${base()}/identification/ranking`), 403);
  });

  it('approves the list with a removal and an addition, each with its reason; the cycle then starts the schools\' tracks', async () => {
    const admin = await as(region.admin.email);
    await openTasks(cycleId, 'approve_list');
    const approve = (body: unknown) => admin.post(`${base()}/identification/approve`, body);

    expectRussianError(await approve({ remove: [{ schoolId: school(3, 3).id, reason: 'Нет' }] }), 422, [], ['не входит в рассчитанный список']);
    expectRussianError(await approve({ add: [{ schoolId: school(1, 1).id, reason: 'Повтор' }] }), 422, [], ['уже входит']);
    expectRussianError(await approve({ add: [{ schoolId: 'no-such-school', reason: 'Нет такой' }] }), 422, [], ['не найдена']);
    expectRussianError(
      await approve({ add: [{ schoolId: school(3, 1).id, reason: 'А' }, { schoolId: school(3, 1).id, reason: 'Б' }] }),
      422,
      ['дважды'],
    );
    expectRussianError(await approve({ add: [{ schoolId: school(3, 1).id }] }), 400, [], ['reason']);
    const everyone = [school(1, 1), school(2, 1), school(1, 2)].map((s) => ({ schoolId: s.id, reason: 'Не подтверждено' }));
    expectRussianError(await approve({ remove: everyone }), 422, ['пуст']);
    expectRussianError(await (await as(region.reviewer.email)).post(`${base()}/identification/approve`, {}), 403);

    const approved = await approve({
      remove: [{ schoolId: school(2, 1).id, reason: 'Школа реорганизована приказом от 01.08.2026 № 12' }],
      add: [{ schoolId: school(3, 1).id, reason: 'Заявка муниципалитета: снижение результатов ОГЭ' }],
      comment: 'Распоряжение министерства от 25.09.2026 № 345',
    });
    expect(approved.status).toBe(200);
    expect(approved.body.included).toBe(3);
    const byId = Object.fromEntries((approved.body.participants as { schoolId: string }[]).map((p) => [p.schoolId, p]));
    expect(byId[school(1, 1).id]).toEqual(expect.objectContaining({ included: true, category: 'low_results', manualReason: null }));
    expect(byId[school(3, 1).id]).toEqual(expect.objectContaining({ included: true, manualReason: 'Заявка муниципалитета: снижение результатов ОГЭ' }));
    expect(byId[school(2, 1).id]).toEqual(expect.objectContaining({ included: false, manualReason: 'Школа реорганизована приказом от 01.08.2026 № 12' }));

    const audit: { data: { included: { schoolId: string }[] } }[] = await harness.dataSource.query(
      `SELECT data FROM audit_events WHERE cycle_id = $1 AND type = 'participants_list_approved'`,
      [cycleId],
    );
    expect(audit[0].data.included.map((p) => p.schoolId).sort()).toEqual([school(1, 1).id, school(1, 2).id, school(3, 1).id].sort());

    // The workflow loads the list and issues the added school its transition programme; the removed one gets nothing.
    const submits = await openTasks(cycleId, 'submit', 1);
    const deadlineAt = Date.now() + 30_000;
    let assignees = new Set(submits.map((t) => t.assigneeOrganizationId));
    while (!assignees.has(school(3, 1).id) && Date.now() < deadlineAt) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      assignees = new Set((await openTasks(cycleId, 'submit')).map((t) => t.assigneeOrganizationId));
    }
    expect(assignees.has(school(3, 1).id)).toBe(true);
    expect(assignees.has(school(2, 1).id)).toBe(false);

    expectRussianError(await approve({}), 409, ['Нет открытой задачи']);
    expectRussianError(await putFile(admin, cycleId, 'social', 'Поздно.csv', files.socialCsv, 'text/csv'), 409, ['уже утверждён']);
  });

  it('shows each municipality only its own participants', async () => {
    const mine = await (await as(coordinator(1))).get(`${base()}/participants`);
    expect(mine.status).toBe(200);
    expect((mine.body as { schoolId: string }[]).map((p) => p.schoolId).sort()).toEqual([school(1, 1).id, school(1, 2).id].sort());
    const all = await (await as(region.auditor.email)).get(`${base()}/participants`);
    expect(all.body).toHaveLength(4);
  });
});

describe('partner pairs and agreements', () => {
  let cycleId: string;
  const templateId = `partners-${suffix}`;

  beforeAll(async () => {
    const admin = await as(region.admin.email);
    const template = {
      id: templateId,
      version: 1,
      title: 'Сетевое партнёрство школ (тест)',
      timeZone: 'Asia/Yekaterinburg',
      programme: { firstAcademicYear: 2026, years: 1 },
      stages: [
        {
          id: 'identification',
          title: 'Выявление школ',
          steps: [{ id: 'school-list', title: 'Утверждение списка школ', kind: 'identification', actor: 'ministry', deadline: { date: '2026-09-25' } }],
        },
        {
          id: 'partnership',
          title: 'Партнёрство',
          dependsOn: ['identification'],
          steps: [
            {
              id: 'partner-agreements',
              title: 'Соглашения о сетевом взаимодействии',
              kind: 'partnership',
              actor: 'municipality',
              deadline: { date: '2026-10-09' },
              partnership: { maxPartnersPerSchool: 1, confirmation: { days: 10 } },
            },
          ],
        },
      ],
    };
    const stored = await admin.post('/api/templates', { format: 'json', source: JSON.stringify(template) });
    if (stored.status !== 201) throw new Error(`template: ${stored.status} ${stored.text}`);
    cycleId = await launch(templateId, 2025);
    await importClean(cycleId);
    await openTasks(cycleId, 'approve_list');
    const approved = await admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/identification/approve`, {});
    if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${approved.text}`);
  });

  const pairsTask = async (m: number): Promise<TaskSnapshot> => {
    const municipalityId = region.municipalities[m - 1].id;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const task = (await openTasks(cycleId, 'propose_pairs')).find((t) => t.assigneeOrganizationId === municipalityId);
      if (task) return task;
      if (Date.now() > deadline) throw new Error(`no open propose_pairs task for ${municipalityId}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('suggests non-participant partners nearby that have room, for the school\'s own municipality only', async () => {
    const path = `/api/cycles/${encodeURIComponent(cycleId)}/partners/suggestions?schoolId=${encodeURIComponent(school(1, 1).id)}`;
    const suggestions = await (await as(coordinator(1))).get(path);
    expect(suggestions.status).toBe(200);
    expect(suggestions.body.maxLoad).toBe(1);
    const items: { schoolId: string; municipalityId: string; currentLoad: number; reason: string }[] = suggestions.body.items;
    expect(items.length).toBeGreaterThan(0);
    const participants = [school(1, 1).id, school(1, 2).id, school(2, 1).id];
    for (const item of items) {
      expect(participants).not.toContain(item.schoolId);
      expect([region.municipalities[0].id, region.municipalities[1].id]).toContain(item.municipalityId);
      expect(item.currentLoad).toBe(0);
      expect(item.reason).toMatch(/муниципалитета/);
    }
    expectRussianError(await (await as(coordinator(2))).get(path), 403);
    expectRussianError(await (await as(school(1, 1).director.email)).get(path), 403);
    // Scope before the list: another municipality's school is refused alike whether it takes part or not, so the
    // answer tells nothing about the list; within the scope a school off the list is 404.
    const offList = `/api/cycles/${encodeURIComponent(cycleId)}/partners/suggestions?schoolId=${encodeURIComponent(school(1, 3).id)}`;
    expectRussianError(await (await as(coordinator(2))).get(offList), 403);
    expectRussianError(await (await as(coordinator(1))).get(offList), 404, ['не входит в утверждённый список']);
  });

  it('refuses pairs that miss a school, pair a participant, an unknown or an overloaded partner (422), and takes a full set', async () => {
    const task = await pairsTask(1);
    const mun1 = await as(coordinator(1));
    const post = (pairs: unknown) => mun1.post(`/api/tasks/${encodeURIComponent(task.taskId)}/pairs`, { pairs });
    const [a, b] = [school(1, 3).id, school(1, 4).id];

    expectRussianError(await post([{ schoolId: school(1, 1).id, partnerSchoolId: a }]), 422, [], ['нет пары для школы', school(1, 2).id]);
    expectRussianError(
      await post([
        { schoolId: school(1, 1).id, partnerSchoolId: school(1, 2).id },
        { schoolId: school(1, 2).id, partnerSchoolId: a },
      ]),
      422,
      [],
      ['сама участвует в программе'],
    );
    expectRussianError(
      await post([
        { schoolId: school(1, 1).id, partnerSchoolId: a },
        { schoolId: school(1, 2).id, partnerSchoolId: a },
      ]),
      422,
      [],
      ['перегружена', 'допустимых 1'],
    );
    expectRussianError(
      await post([
        { schoolId: school(1, 1).id, partnerSchoolId: 'no-such-school' },
        { schoolId: school(1, 2).id, partnerSchoolId: a },
      ]),
      422,
      [],
      ['не найдена среди школ региона'],
    );
    expectRussianError(await post([{ schoolId: school(2, 1).id, partnerSchoolId: a }]), 422, [], ['не входит в список школ-участников']);
    expectRussianError(await (await as(coordinator(2))).post(`/api/tasks/${encodeURIComponent(task.taskId)}/pairs`, { pairs: [] }), 400);
    expectRussianError(
      await (await as(coordinator(2))).post(`/api/tasks/${encodeURIComponent(task.taskId)}/pairs`, {
        pairs: [{ schoolId: school(1, 1).id, partnerSchoolId: a }],
      }),
      403,
    );

    const accepted = await post([
      { schoolId: school(1, 1).id, partnerSchoolId: a },
      { schoolId: school(1, 2).id, partnerSchoolId: b },
    ]);
    expect(accepted.status).toBe(200);
    expect(accepted.body.agreements).toHaveLength(2);
    expect(accepted.body.agreements.every((x: { status: string }) => x.status === 'proposed')).toBe(true);
    const submission = await harness.dataSource.query(`SELECT action, form FROM submissions WHERE id = $1`, [accepted.body.submissionId]);
    expect(submission[0]).toEqual({ action: 'propose_pairs', form: { pairs: expect.any(Array) } });
    expectRussianError(await post([{ schoolId: school(1, 1).id, partnerSchoolId: a }]), 409);

    // A partner now at its limit is refused to the next municipality, with the reason.
    const mun2Task = await pairsTask(2);
    const mun2 = await as(coordinator(2));
    const overloaded = await mun2.post(`/api/tasks/${encodeURIComponent(mun2Task.taskId)}/pairs`, {
      pairs: [{ schoolId: school(2, 1).id, partnerSchoolId: a }],
    });
    expectRussianError(overloaded, 422, [], ['уже сопровождает 1']);
    const suggestions = await mun2.get(
      `/api/cycles/${encodeURIComponent(cycleId)}/partners/suggestions?schoolId=${encodeURIComponent(school(2, 1).id)}`,
    );
    expect((suggestions.body.items as { schoolId: string }[]).map((s) => s.schoolId)).not.toContain(a);
    const mun2Accepted = await mun2.post(`/api/tasks/${encodeURIComponent(mun2Task.taskId)}/pairs`, {
      pairs: [{ schoolId: school(2, 1).id, partnerSchoolId: school(2, 2).id }],
    });
    expect(mun2Accepted.status).toBe(200);
  });

  it('signs an agreement once the school, the partner and the municipality (with the signed document) confirm', async () => {
    const confirmations = await openTasks(cycleId, 'confirm_agreement', 9);
    const agreements = await (await as(coordinator(1))).get(`/api/cycles/${encodeURIComponent(cycleId)}/agreements`);
    const agreement = (agreements.body as { id: string; schoolId: string }[]).find((x) => x.schoolId === school(1, 1).id)!;
    const ofAgreement = confirmations.filter((t) => t.context?.agreementId === agreement.id);
    expect(ofAgreement.map((t) => t.taskId.split('.').pop()!.replace(/^\d+-/, '')).sort()).toEqual(['municipality', 'partner', 'school']);
    const taskOf = (org: string) => ofAgreement.find((t) => t.assigneeOrganizationId === org)!.taskId;
    const confirm = async (email: string, org: string, body: Record<string, unknown> = {}) =>
      (await as(email)).post(`/api/tasks/${encodeURIComponent(taskOf(org))}/confirm-agreement`, body);

    const mun1 = region.municipalities[0];
    // The municipality is named, for the school that may not read it in the directory.
    expect(agreements.body.find((x: { id: string }) => x.id === agreement.id)).toMatchObject({ municipalityName: mun1.name });
    expectRussianError(await confirm(coordinator(1), mun1.id), 422, ['подписанное соглашение']);
    expectRussianError(await confirm(coordinator(2), mun1.id, {}), 403);

    const bySchool = await confirm(school(1, 1).director.email, school(1, 1).id, { comment: 'Согласовано педсоветом' });
    expect(bySchool.status).toBe(200);
    expect(bySchool.body).toEqual(expect.objectContaining({ party: 'school', agreement: expect.objectContaining({ status: 'proposed' }) }));
    const byPartner = await confirm(school(1, 3).director.email, school(1, 3).id);
    expect(byPartner.body.party).toBe('partner');
    expect(byPartner.body.agreement.status).toBe('proposed');

    const upload = await fetch(`${baseUrl}/api/documents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${(await as(coordinator(1))).token}`,
        'content-type': 'application/pdf',
        'x-file-name': encodeURIComponent('Соглашение о сетевом взаимодействии.pdf'),
      },
      body: Buffer.from('%PDF-1.4\n% подписано\n'),
    });
    expect(upload.status).toBe(201);
    const documentId = ((await upload.json()) as { id: string }).id;
    const byMunicipality = await confirm(coordinator(1), mun1.id, { documentId });
    expect(byMunicipality.status).toBe(200);
    expect(byMunicipality.body.party).toBe('municipality');
    expect(byMunicipality.body.agreement).toEqual(
      expect.objectContaining({ status: 'signed', documentId, signedAt: expect.any(String), confirmations: expect.objectContaining({ school: expect.anything(), partner: expect.anything(), municipality: expect.anything() }) }),
    );
    const audited: unknown[] = await harness.dataSource.query(
      `SELECT 1 FROM audit_events WHERE cycle_id = $1 AND type = 'agreement_confirmed' AND data->>'agreementId' = $2`,
      [cycleId, agreement.id],
    );
    expect(audited).toHaveLength(3);
    // Both schools, parties to the agreement, read its signed document; a school of another pair does not.
    for (const party of [school(1, 1), school(1, 3)]) {
      expect((await (await as(party.director.email)).get(`/api/documents/${documentId}`)).status).toBe(200);
    }
    expect((await (await as(school(2, 1).director.email)).get(`/api/documents/${documentId}`)).status).toBe(403);
  });

  it('shows each party only the agreements it is party to', async () => {
    const list = async (email: string) =>
      ((await (await as(email)).get(`/api/cycles/${encodeURIComponent(cycleId)}/agreements`)).body as { schoolId: string }[]).map((a) => a.schoolId).sort();
    expect(await list(school(1, 1).director.email)).toEqual([school(1, 1).id]);
    expect(await list(coordinator(1))).toEqual([school(1, 1).id, school(1, 2).id].sort());
    expect(await list(coordinator(2))).toEqual([school(2, 1).id]);
    expect(await list(coordinator(3))).toEqual([]);
    expect(await list(region.auditor.email)).toHaveLength(3);
  });
});

async function download(client: ApiClient, path: string): Promise<{ status: number; headers: Headers; content: Buffer }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: client.token ? { authorization: `Bearer ${client.token}` } : {} });
  const content = Buffer.from(await response.arrayBuffer());
  assertNoServerError({ method: 'GET', path, status: response.status }, content.toString('utf8'));
  return { status: response.status, headers: response.headers, content };
}

describe('templates of the identification files', () => {
  it("describes both files with the parsers' own columns, their other names and the general rules", async () => {
    const director = await as(school(1, 1).director.email);
    const formats = await director.get('/api/identification/file-templates');
    expect(formats.status).toBe(200);
    const [results, social] = formats.body as { kind: string; columns: { title: string; aliases: string[] }[]; rules: string[]; templates: unknown }[];
    expect([results.kind, social.kind]).toEqual(['results', 'social']);
    expect(results.columns.map((c) => c.title)).toEqual(ASSESSMENT_COLUMNS.map((c) => c.title));
    expect(social.columns.map((c) => c.title)).toEqual(SOCIAL_PASSPORT_COLUMNS.map((c) => c.title));
    expect(results.columns[0].aliases).toEqual(expect.arrayContaining(['Код школы']));
    expect(results.rules.join('\n')).toMatch(/Windows-1251/);
    expect(results.templates).toEqual({
      csv: '/api/identification/file-templates/results?format=csv',
      xlsx: '/api/identification/file-templates/results?format=xlsx',
    });
  });

  it.each([
    ['results', 'csv'],
    ['results', 'xlsx'],
    ['social', 'csv'],
    ['social', 'xlsx'],
  ])('downloads the %s template as %s under its Russian name, and the real importer reads it without an error', async (kind, format) => {
    const file = await download(await as(region.admin.email), `/api/identification/file-templates/${kind}?format=${format}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX);
    const disposition = file.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    const fileName = decodeURIComponent(disposition.split("filename*=UTF-8''")[1]);
    const title = kind === 'results' ? 'результаты оценочных процедур' : 'социальные паспорта школ';
    expect(fileName).toBe(`Шаблон — ${title}.${format}`);
    const parsed = kind === 'results' ? await parseAssessmentFile(file.content, fileName) : await parseSocialPassportFile(file.content, fileName);
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.length).toBeGreaterThanOrEqual(3);
  });

  it('answers an unknown kind or format with 400 naming the field, and a request without a token with 401', async () => {
    const admin = await as(region.admin.email);
    expectRussianError(await admin.get('/api/identification/file-templates/grades'), 400, [], ['kind: results']);
    expectRussianError(await admin.get('/api/identification/file-templates/results?format=ods'), 400, [], ['format: csv или xlsx']);
    expect((await download(admin.withToken(undefined), '/api/identification/file-templates/results')).status).toBe(401);
  });
});

describe('a school added through the API, and a results file of a single year', () => {
  let cycleId: string;
  const newSchool = () => ({
    id: `${region.code}-school-new`,
    kind: 'school',
    name: 'МБОУ «СОШ № 9» района № 3',
    regionCode: region.code,
    timeZone: region.timeZone,
    parentId: region.municipalities[2].id,
    code: '009901',
  });

  beforeAll(async () => {
    cycleId = await launch('default', 2024);
  });

  it('imports a file naming a school created through the API with its code', async () => {
    const admin = await as(region.admin.email);
    const created = await admin.post('/api/organizations', newSchool());
    expect(created.status).toBe(201);
    expect(created.body).toEqual(newSchool());
    const found = await admin.get(`/api/organizations?regionCode=${region.code}&kind=school&code=009901`);
    expect(found.body).toEqual([newSchool()]);

    const oneYear = csvFile(
      [['Код ОО', 'Год', 'Средний балл'], ...region.schools.map((s, i) => [s.code, '2024', (3 + i / 10).toFixed(1).replace('.', ',')]), ['009901', '2024', '3,1']],
      { delimiter: ';', encoding: 'utf-8' },
    );
    const imported = await putFile(admin, cycleId, 'results', 'Результаты 2024.csv', oneYear, 'text/csv');
    expect(imported.status).toBe(200);
    expect(imported.body.rowCount).toBe(region.schools.length + 1);
  });

  it('ranks one year of results, saying what «stably low» then means; refuses with 422 only years without results', async () => {
    const curator = await as(region.curator.email);
    const path = `/api/cycles/${encodeURIComponent(cycleId)}/identification/ranking`;
    const ranking = await curator.get(path);
    expect(ranking.status).toBe(200);
    expect(ranking.body.years).toEqual([2024]);
    expect(ranking.body.lowYearsRequired).toBe(1);
    expect(ranking.body.note).toBe(
      'В файле «Результаты 2024.csv» результаты только за 2024 г.: «стабильно низкими» считаются школы в нижней части ' +
        'рейтинга этого года; устойчивость низких результатов по годам не проверена (для неё нужны результаты не менее ' +
        'чем за 2 года). Загрузите результаты за несколько лет, чтобы рейтинг сравнивал годы',
    );
    const low = (ranking.body.items as { stablyLow: boolean; reasons: string[] }[]).filter((i) => i.stablyLow);
    expect(low.length).toBeGreaterThan(0);
    for (const item of low) expect(item.reasons[0]).toMatch(/^Низкие результаты в единственном году с данными \(2024\)/);
    expectRussianError(await curator.get(`${path}?years=2022,2023`), 422, [
      'Для рейтинга нужны результаты хотя бы за один год, а за запрошенные годы (2022, 2023) в файле «Результаты 2024.csv» результатов нет',
    ]);
  });
});
