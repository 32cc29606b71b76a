/**
 * The launch progress on GET /api/cycles/:id (`launch`), against the real workflows: after the launch, the tasks the
 * cycle issues at once (the institute's analysis and the ministry's list approval of the shipped default roadmap)
 * reach 2 of 2; after the list is approved, the wave of the participants' opening stages (each school's transition
 * programme, each municipality's plan, and the ministry's order the list unblocked) reaches its count, and matches
 * the tasks the workflows wrote. Lists and closed cycles carry no launch. Every wait is for an answer, polled.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are JSON the test picks apart */
import type { CycleTemplate } from '../../libs/contracts/cycle-template';
import { programmeFirstYear } from '../../libs/domain/cycle-template';
import { loadBuiltinTemplates } from '../../libs/templates';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { confirmedBy } from '../support/four-eyes';
import { buildIdentificationFiles } from '../support/fixtures/identification-files';
import type { ApiClient } from '../support/http';
import { uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();
const template = loadBuiltinTemplates().find((t) => t.id === 'default') as CycleTemplate;
const YEAR = programmeFirstYear(template);
/** How long the workflows may take to issue a wave on a busy two-core machine. */
const WAVE_TIMEOUT_MS = 90_000;

let stack: ApiStack;
let region: TestRegion;
let admin: ApiClient;
/** The second person who confirms the administrator's launch and cancellation. */
let reviewer: ApiClient;
let cycleId: string | undefined;

async function poll<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = WAVE_TIMEOUT_MS): Promise<T> {
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const last = await read();
  throw new Error(`${what}: not within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}

async function launchOf(): Promise<any> {
  const cycle = await admin.get(`/api/cycles/${encodeURIComponent(cycleId!)}`);
  expect(cycle.status).toBe(200);
  return cycle.body.launch;
}

async function putFile(path: string, fileName: string, body: Buffer, contentType: string): Promise<number> {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': contentType, 'x-file-name': encodeURIComponent(fileName) },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

beforeAll(async () => {
  stack = await startApiStack(`launch-progress-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `lp${suffix}`.slice(0, 18),
    timeZone: template.timeZone,
    municipalities: 2,
    schoolsPerMunicipality: 3,
  });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  reviewer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
});

afterAll(async () => {
  // A real-calendar cycle: cancelled, so that its workflows stop on the shared server.
  if (cycleId && admin) await confirmedBy(reviewer, admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/cancel`, { reason: 'Конец теста' }));
  await stack?.close();
});

describe('the launch progress of a cycle', () => {
  it('counts the tasks the launch issues at once until all are out', async () => {
    const launched = await confirmedBy(reviewer, admin.post('/api/cycles', { templateId: 'default', academicYear: YEAR }));
    expect(launched.status).toBe(200);
    cycleId = launched.body.id;
    // The launch's own answer already says what the launch will issue.
    expect(launched.body.launch).toMatchObject({ phase: 'launch', stepsExpected: 2, organizationsExpected: 2 });

    const done = await poll('the launch wave issued', async () => {
      const launch = await launchOf();
      return launch?.complete ? launch : undefined;
    });
    expect(done).toMatchObject({
      phase: 'launch',
      stepsExpected: 2,
      stepsIssued: 2,
      organizationsExpected: 2,
      organizationsStarted: 2,
      complete: true,
      startedAt: new Date(Date.parse(launched.body.launchedAt)).toISOString(),
      stages: [{ stageId: 'identification', title: template.stages[0].title, stepsExpected: 2, stepsIssued: 2 }],
    });
    expect(Date.parse(done.lastIssuedAt)).toBeGreaterThanOrEqual(Date.parse(launched.body.launchedAt));

    // Lists carry no launch progress: it is counted for one cycle at a time.
    const list = await admin.get('/api/cycles');
    expect(list.body.find((c: any) => c.id === cycleId).launch).toBeUndefined();
  });

  it('after the list is approved, counts the participants’ opening tasks until all are out, as the workflows issue them', async () => {
    const files = await buildIdentificationFiles({
      schools: region.schools.map((s) => ({ code: s.code, name: s.name, municipality: s.municipalityId })),
      years: [YEAR - 3, YEAR - 2, YEAR - 1],
      lowSchools: [region.schools[0].code],
    });
    const base = `/api/cycles/${encodeURIComponent(cycleId!)}/identification`;
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    expect(await putFile(`${base}/files/results`, 'Результаты ВПР.xlsx', files.resultsXlsx, xlsx)).toBeLessThan(300);
    expect(await putFile(`${base}/files/social`, 'Социальный паспорт.csv', files.socialCsv, 'text/csv')).toBeLessThan(300);
    // One participant in each municipality: the ranking's low school and one added by hand in the other.
    const other = region.schools.find((s) => s.municipalityId === region.municipalities[1].id)!;
    const approved = await admin.post(`${base}/approve`, {
      add: [{ schoolId: other.id, reason: 'Заявка муниципалитета: снижение результатов ОГЭ' }],
      comment: 'Список утверждён распоряжением министерства',
    });
    expect(approved.status).toBe(200);

    const done = await poll('the participants’ wave issued', async () => {
      const launch = await launchOf();
      return launch?.phase === 'participants' && launch.complete ? launch : undefined;
    });
    // Two schools' transition programmes and two municipal plans («plans»), and the ministry's order of the
    // «approval» stage, which none of the ministry's own steps holds back once the list is in.
    expect(done).toMatchObject({
      phase: 'participants',
      stepsExpected: 5,
      stepsIssued: 5,
      organizationsExpected: 5,
      organizationsStarted: 5,
      complete: true,
      stages: [
        { stageId: 'plans', stepsExpected: 4, stepsIssued: 4 },
        { stageId: 'approval', stepsExpected: 1, stepsIssued: 1 },
      ],
    });
    const cycle = await admin.get(`/api/cycles/${encodeURIComponent(cycleId!)}`);
    expect(done.startedAt).toBe(cycle.body.listApprovedAt);

    // The count is the workflows' own: exactly those step instances have tasks, one organisation each.
    const rows: { step: string; subject: string }[] = await stack.harness.dataSource.query(
      `SELECT DISTINCT snapshot->'context'->>'stepKey' AS step, snapshot->'context'->>'subjectOrganizationId' AS subject
         FROM tasks WHERE snapshot->'context'->>'cycleId' = $1 AND snapshot->'context'->>'stageId' IN ('plans', 'approval')`,
      [cycleId],
    );
    expect(rows.map((r) => `${r.step}:${r.subject}`).sort()).toEqual(
      [
        `municipal-plan:${region.municipalities[0].id}`,
        `municipal-plan:${region.municipalities[1].id}`,
        `plans-approval-order:${region.ministryId}`,
        `transition-programme:${other.id}`,
        `transition-programme:${region.schools[0].id}`,
      ].sort(),
    );
  });

  it('says nothing of a launch once the cycle is closed', async () => {
    const cancelled = await confirmedBy(reviewer, admin.post(`/api/cycles/${encodeURIComponent(cycleId!)}/cancel`, { reason: 'Проверка: отмена цикла' }));
    expect(cancelled.status).toBe(200);
    expect(await launchOf()).toBeUndefined();
    cycleId = undefined;
  });
});
