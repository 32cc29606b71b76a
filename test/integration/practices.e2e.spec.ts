/**
 * The bank of best practices and the participants' outcomes over HTTP. Published practices are inserted as the
 * review approval inserts them; search runs on PostgreSQL's Russian full-text configuration for real.
 */
import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/api-app';
import { insertCycle, insertOtherRegion, insertSubmission, type InsertedCycle, type OtherRegion } from '../support/cycle-rows';
import { ApiClient, expectRussianError } from '../support/http';
import { SmtpSink } from '../support/smtp-sink';
import { DEMO_PASSWORD, testConfig, uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();
let sink: SmtpSink;
let app: NestFastifyApplication;
let ds: DataSource;
let anonymous: ApiClient;
let ministry: ApiClient;
let cycle: InsertedCycle;
let other: OtherRegion;
const ids: Record<'mentoring' | 'reading' | 'parents', string> = { mentoring: '', reading: '', parents: '' };

async function publish(school: string, practice: { title: string; summary: string; body: string; keywords: string[] }, publishedAt: string): Promise<string> {
  const submissionId = await insertSubmission(ds, {
    cycleId: cycle.id,
    taskId: `${cycle.id}.best-practice.${school}.r1.describe_practice`,
    stageId: 'practices',
    stepKey: 'best-practice',
    action: 'describe_practice',
    organizationId: school,
    form: { title: practice.title },
  });
  const [row]: { id: string }[] = await ds.query(
    `INSERT INTO best_practices (cycle_id, school_id, submission_id, title, summary, body, keywords, status, published_by, published_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'published', 'programme@demo-region.example', $8) RETURNING id`,
    [cycle.id, school, submissionId, practice.title, practice.summary, practice.body, practice.keywords, publishedAt],
  );
  return row.id;
}

beforeAll(async () => {
  sink = await SmtpSink.start();
  app = await createApiApp(testConfig({ taskQueue: `practices-e2e-${suffix}`, smtpUrl: sink.url }));
  await app.listen(0, '127.0.0.1');
  ds = app.get(DataSource);
  cycle = await insertCycle(ds, suffix);
  other = await insertOtherRegion(ds, suffix, DEMO_PASSWORD);
  ids.mentoring = await publish(
    'demo-school-severny-1',
    {
      title: 'Наставничество для молодых учителей математики',
      summary: 'Пары «опытный педагог — молодой учитель» с еженедельным разбором уроков.',
      body: 'Каждый молодой учитель получает наставника; они вместе планируют уроки и посещают занятия друг друга.',
      keywords: ['наставничество', 'математика'],
    },
    '2027-05-01T06:00:00Z',
  );
  ids.reading = await publish(
    'demo-school-yuzhny-1',
    {
      title: 'Читательская грамотность через школьную библиотеку',
      summary: 'Библиотечные уроки и читательский марафон для 5–7 классов.',
      body: 'Библиотекарь и классные руководители ведут читательский дневник класса.',
      keywords: ['чтение'],
    },
    '2027-05-02T06:00:00Z',
  );
  ids.parents = await publish(
    'demo-school-severny-2',
    {
      title: 'Семейный клуб',
      summary: 'Встречи родителей, учеников и учителей раз в месяц.',
      body: 'Родители обсуждают с учителями, как помочь детям с «2» & «3» <script>alert(1)</script> с домашними заданиями.',
      keywords: [],
    },
    '2027-05-03T06:00:00Z',
  );
  anonymous = new ApiClient(await app.getUrl());
  ministry = await anonymous.as('programme@demo-region.example', DEMO_PASSWORD);
});

afterAll(async () => {
  await app?.close();
  await sink?.stop();
});

const search = (client: ApiClient, query: Record<string, string>) =>
  client.get(`/api/practices?${new URLSearchParams({ cycleId: cycle.id, ...query })}`);

describe('the bank of best practices', () => {
  it('finds practices by Russian word forms, the title match ranked first, with escaped, highlighted fragments', async () => {
    const school = await anonymous.as('director@lyceum1.yuzhny.demo-region.example', DEMO_PASSWORD);
    const response = await search(school, { q: 'молодого учителя' });
    expect(response.status).toBe(200);
    expect(response.body.items.map((p: { id: string }) => p.id)).toEqual([ids.mentoring]);
    const [first] = response.body.items;
    expect(first).toMatchObject({
      schoolId: 'demo-school-severny-1',
      schoolName: 'МБОУ «СОШ № 1» п. Северный',
      municipalityId: 'demo-mun-severny',
      regionCode: 'demo',
      status: 'published',
      keywords: ['наставничество', 'математика'],
    });
    expect(first.titleHtml).toBe('Наставничество для <mark>молодых</mark> <mark>учителей</mark> математики');
    expect(first.snippetHtml).toContain('<mark>молодой</mark> <mark>учитель</mark>');
    expect(first.rank).toBeGreaterThan(0);

    const teachers = await search(school, { q: 'учителя' });
    expect(teachers.body.items.map((p: { id: string }) => p.id)).toEqual([ids.mentoring, ids.parents]);
    expect(teachers.body.total).toBe(2);
    const parents = teachers.body.items[1];
    // The school's own markup never reaches the reader as markup: ts_headline drops tags, the rest is escaped.
    expect(parents.snippetHtml).toContain('«2» &amp; «3»');
    expect(parents.snippetHtml).not.toContain('<script>');
    expect(parents.snippetHtml.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });

  it('takes web-search syntax: quoted phrases and excluded words', async () => {
    expect((await search(ministry, { q: '"семейный клуб"' })).body.items.map((p: { id: string }) => p.id)).toEqual([ids.parents]);
    expect((await search(ministry, { q: 'учителя -математики' })).body.items.map((p: { id: string }) => p.id)).toEqual([ids.parents]);
    expect((await search(ministry, { q: 'химия' })).body).toMatchObject({ items: [], total: 0 });
  });

  it('without a query lists the newest first; filters by school; pages with limit and offset', async () => {
    const all = await search(ministry, {});
    expect(all.body.items.map((p: { id: string }) => p.id)).toEqual([ids.parents, ids.reading, ids.mentoring]);
    expect(all.body.items[0]).toMatchObject({ rank: null, snippetHtml: 'Встречи родителей, учеников и учителей раз в месяц.' });
    const page = await search(ministry, { limit: '1', offset: '1' });
    expect(page.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.body.items.map((p: { id: string }) => p.id)).toEqual([ids.reading]);
    const bySchool = await search(ministry, { schoolId: 'demo-school-yuzhny-1' });
    expect(bySchool.body.items.map((p: { id: string }) => p.id)).toEqual([ids.reading]);
  });

  it('gives one practice in full to anyone logged in; refuses malformed and unknown ids in Russian', async () => {
    const coordinator = await anonymous.as('coordinator@yuzhny.demo-region.example', DEMO_PASSWORD);
    const response = await coordinator.get(`/api/practices/${ids.mentoring}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: ids.mentoring, cycleId: cycle.id, status: 'published', withdrawal: null });
    expect(response.body.body).toContain('наставника');
    expect(response.body).not.toHaveProperty('ministryId');
    expectRussianError(await coordinator.get('/api/practices/not-a-uuid'), 400, ['идентификатор практики']);
    expectRussianError(await coordinator.get('/api/practices/00000000-0000-4000-8000-000000000000'), 404, ['не найдена']);
    expectRussianError(await search(ministry, { limit: '0' }), 400, [], ['limit']);
    expectRussianError(await search(ministry, { limit: 'many' }), 400, [], ['limit']);
    expectRussianError(await anonymous.get('/api/practices'), 401);
  });

  it('is withdrawn by the publishing ministry only, once, with the reason in the audit log', async () => {
    const url = `/api/practices/${ids.reading}/withdraw`;
    const reason = 'Практика не подтвердилась результатами мониторинга';
    const reviewer = await anonymous.as('reviewer@demo-region.example', DEMO_PASSWORD);
    expectRussianError(await reviewer.post(url, { reason }), 403, ['администратор министерства']);
    const stranger = await anonymous.as(other.adminEmail, DEMO_PASSWORD);
    expectRussianError(await stranger.post(url, { reason }), 403, ['опубликовало']);
    expectRussianError(await ministry.post(url, { reason: '  ' }), 400, [], ['reason']);

    const withdrawn = await ministry.post(url, { reason });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'withdrawn', withdrawal: { reason, by: 'programme@demo-region.example' } });
    expectRussianError(await ministry.post(url, { reason }), 409, ['уже снята']);

    expect((await search(ministry, {})).body.items.map((p: { id: string }) => p.id)).toEqual([ids.parents, ids.mentoring]);
    const read = await ministry.get(`/api/practices/${ids.reading}`);
    expect(read.body).toMatchObject({ status: 'withdrawn', withdrawal: { reason, by: 'programme@demo-region.example' } });

    const entries: { type: string; actor: string; data: { reason: string }; cycle_id: string; organization_ids: string[] }[] = await ds.query(
      `SELECT type, actor, data, cycle_id, organization_ids FROM audit_events WHERE subject_type = 'best_practice' AND subject_id = $1`,
      [ids.reading],
    );
    expect(entries).toEqual([
      {
        type: 'practice_withdrawn',
        actor: 'programme@demo-region.example',
        data: expect.objectContaining({ reason }),
        cycle_id: cycle.id,
        organization_ids: ['demo-ministry', 'demo-school-yuzhny-1'],
      },
    ]);
  });
});

describe("participants' outcomes and internship sites", () => {
  let otherCycle: InsertedCycle;
  let admin: ApiClient;

  beforeAll(async () => {
    otherCycle = await insertCycle(ds, `${suffix}o`, {
      regionCode: other.regionCode,
      ministryId: other.ministryId,
      participants: other.schoolIds.map((schoolId) => ({ schoolId, municipalityId: other.municipalityId })),
    });
    admin = await anonymous.as(other.adminEmail, DEMO_PASSWORD);
  });

  const outcomeUrl = (school: string, cycleId = otherCycle.id) => `/api/cycles/${cycleId}/participants/${school}/outcome`;

  it('records the decision, lists the school as an internship site, and writes the audit log', async () => {
    const [site, leaving] = other.schoolIds;
    const reason = 'Устойчивый рост результатов ВПР три периода подряд';
    const response = await admin.post(outcomeUrl(site), { outcome: 'internship_site', reason });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ schoolId: site, outcome: 'internship_site', outcomeTitle: 'становится стажировочной площадкой', previousOutcome: null });
    expect((await admin.post(outcomeUrl(leaving), { outcome: 'leaves', reason: 'Вышла из числа школ с низкими результатами' })).status).toBe(200);

    const sites = await ministry.get(`/api/internship-sites?regionCode=${other.regionCode}`);
    expect(sites.status).toBe(200);
    expect(sites.body).toEqual([
      expect.objectContaining({ schoolId: site, municipalityId: other.municipalityId, regionCode: other.regionCode, cycleId: otherCycle.id, reason }),
    ]);
    const participant: { outcome: string; outcome_by: string }[] = await ds.query(
      `SELECT outcome, outcome_by FROM cycle_participants WHERE cycle_id = $1 AND school_id = $2`,
      [otherCycle.id, site],
    );
    expect(participant).toEqual([{ outcome: 'internship_site', outcome_by: other.adminEmail }]);
    const entries: { data: { outcome: string; schoolId: string } }[] = await ds.query(
      `SELECT data FROM audit_events WHERE type = 'participant_outcome_set' AND cycle_id = $1 ORDER BY chain_seq`,
      [otherCycle.id],
    );
    expect(entries.map((e) => [e.data.schoolId, e.data.outcome])).toEqual([[site, 'internship_site'], [leaving, 'leaves']]);

    // A later decision takes the school off the list.
    expect((await admin.post(outcomeUrl(site), { outcome: 'continues', reason: 'Решение пересмотрено' })).body.previousOutcome).toBe('internship_site');
    expect((await ministry.get(`/api/internship-sites?regionCode=${other.regionCode}`)).body).toEqual([]);
  });

  it('refuses the wrong ministry, the wrong role, unknown cycles, non-participants and bad input', async () => {
    const school = other.schoolIds[0];
    expectRussianError(await ministry.post(outcomeUrl(school), { outcome: 'leaves', reason: 'Чужой регион' }), 403, ['запустило цикл']);
    const reviewer = await anonymous.as('reviewer@demo-region.example', DEMO_PASSWORD);
    expectRussianError(await reviewer.post(outcomeUrl('demo-school-severny-1', cycle.id), { outcome: 'leaves', reason: 'Не та роль' }), 403);
    expectRussianError(await admin.post(outcomeUrl(school, 'no-such-cycle'), { outcome: 'leaves', reason: 'Нет цикла' }), 404, ['«no-such-cycle»']);
    expectRussianError(await admin.post(outcomeUrl(other.municipalityId), { outcome: 'leaves', reason: 'Не школа' }), 422, ['не входит']);
    expectRussianError(await admin.post(outcomeUrl(school), { outcome: 'graduated', reason: 'Неизвестный итог' }), 400, [], ['outcome']);
    expectRussianError(await ministry.get('/api/internship-sites?regionCode=BAD!'), 400, [], ['regionCode']);
  });

  it('never answered with a server error', () => {
    expect(anonymous.seen.filter((r) => r.status >= 500)).toEqual([]);
  });
});
