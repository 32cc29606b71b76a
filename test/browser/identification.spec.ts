/**
 * The ministry administrator's identification screen in Debian's Chromium against the real stack (the API serving the
 * built web app, a worker on the shared Temporal dev server, PostgreSQL): a compressed cycle launched over the API in a
 * fresh region, then in the browser — from the cycle's dashboard to «Идентификация школ», a results file with one bad
 * cell refused and shown by row and column, the good files loaded, the ranking, the approve_list task's link back to
 * the screen, a school added with its reason, the list approved with a comment and a confirmation, and the approved
 * list. Elements are found by their accessible names; every screen is saved as test-output/screenshots/ident-*.png and
 * the main ones must pass axe-core.
 */
import type { Browser, Page } from 'playwright-core';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  logIn,
  openPage,
  pageText,
  pollUntil,
  screenshot,
  startWebStack,
  TABLET,
  type WebStack,
} from '../support/browser';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { buildIdentificationFiles, csvFile, type IdentificationFiles } from '../support/fixtures/identification-files';
import { confirmedBy } from '../support/four-eyes';
import type { ApiClient } from '../support/http';
import { uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();
const YEAR = 2026;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const ADD_REASON = 'Заявка муниципалитета: снижение результатов ОГЭ в 2025 году';
const COMMENT = 'Приказ министерства образования от 20.09.2026 № 1234';

let stack: WebStack;
let region: TestRegion;
let admin: ApiClient;
/** The second person of the ministry: confirms the administrator's launch and cancellation (four eyes). */
let confirmer: ApiClient;
let browser: Browser;
let page: Page;
let cycleId: string;
let files: IdentificationFiles;

/** Mun 1: school 1 stably low; mun 2: school 2 disadvantaged; mun 3 has none, and its school 1 is added by hand. */
const school = (m: number, s: number) => region.schools.find((x) => x.id === `${region.code}-school-${m}-${s}`)!;

/** The good results CSV with the mean score of its second data row (spreadsheet row 3) made unreadable. */
function resultsWithBadCell(): Buffer {
  const text = files.resultsCsv.toString('utf-8').replace(/^\uFEFF/, '');
  const rows = text.split('\r\n').filter(Boolean).map((line) => line.split(';'));
  rows[2][5] = 'abc';
  return csvFile(rows, { delimiter: ';', encoding: 'utf-8-bom' });
}

/** The cycle's open approve_list task, once the workflow has issued it: the API is asked every 250 ms. */
function approvalTaskId(timeoutMs = 45_000): Promise<string> {
  return pollUntil(
    `an open approve_list task in ${cycleId}`,
    async () => {
      const open = await admin.get(`/api/tasks?cycleId=${encodeURIComponent(cycleId)}&status=open&limit=200`);
      const task = (open.body?.items ?? []).find((t: { cycle?: { action?: string } }) => t.cycle?.action === 'approve_list');
      return task ? (task.id as string) : undefined;
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  stack = await startWebStack(`browser-ident-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `bi${suffix}`.slice(0, 18),
    timeZone: 'Asia/Yekaterinburg',
    municipalities: 3,
    schoolsPerMunicipality: 3,
  });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  confirmer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
  // The Moscow-time default roadmap adopted as the region's local times; a compressed calendar (a day a minute), so
  // the identification step issues its approval task within seconds of the launch.
  const launched = await confirmedBy(
    confirmer,
    admin.post('/api/cycles', {
      templateId: 'default',
      academicYear: YEAR,
      adoptRegionTimeZone: true,
      compression: { secondsPerDay: 60 },
    }),
  );
  if (launched.status !== 200) throw new Error(`launch: ${launched.status} ${launched.text}`);
  cycleId = launched.body.id;
  files = await buildIdentificationFiles({
    schools: region.schools.map((s) => ({ code: s.code, name: s.name, municipality: s.municipalityId })),
    years: [YEAR - 3, YEAR - 2, YEAR - 1],
    lowSchools: [school(1, 1).code],
    disadvantagedSchools: [school(2, 2).code],
    seed: 3,
  });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
});

afterAll(async () => {
  // Cancelled, so that the compressed cycle stops issuing tasks on the shared Temporal server.
  if (cycleId) await confirmedBy(confirmer, admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/cancel`, { reason: 'Конец браузерного теста' }));
  await browser?.close();
  await stack?.close();
});

const resultsCard = () => page.getByRole('region', { name: 'Результаты оценочных процедур' });
const resultsInput = () => page.getByLabel(/Загрузить (новый )?файл \(результаты оценочных процедур/);
const socialInput = () => page.getByLabel(/Загрузить (новый )?файл \(социальные паспорта школ/);

describe('identification as the ministry administrator', () => {
  it('opens «Идентификация школ» from the cycle dashboard', async () => {
    await page.goto(`/cycles/${encodeURIComponent(cycleId)}`);
    await logIn(page, region.admin.email, REGION_PASSWORD);
    await page.getByRole('link', { name: 'Идентификация и утверждение списка' }).click();
    await page.waitForURL((url) => url.pathname === `/cycles/${cycleId}/identification`);
    await page.getByRole('heading', { level: 1, name: 'Идентификация школ' }).waitFor();
    await page.getByText('Рейтинг появится после загрузки файлов').waitFor();
    await page.getByRole('button', { name: 'Скачать шаблон: результаты оценочных процедур, XLSX' }).waitFor();
    await screenshot(page, 'ident-01-empty');
    await expectNoSeriousA11yViolations(page);
  });

  it('refuses a results file with a bad cell and shows the cell by row and column, in Russian', async () => {
    await resultsInput().setInputFiles({ name: 'Результаты ВПР (с ошибкой).csv', mimeType: 'text/csv', buffer: resultsWithBadCell() });
    await page.getByText('Файл «Результаты ВПР (с ошибкой).csv» не загружен').waitFor();
    const cells = page.getByRole('region', { name: 'Ошибки в файле по строкам и столбцам' });
    const row = cells.getByRole('row').filter({ hasText: 'Средний балл' });
    await row.waitFor();
    expect(await row.getByRole('cell').allInnerTexts()).toEqual(['3', 'Средний балл', 'Не число: "abc"']);
    await screenshot(page, 'ident-02-file-refused');
    await expectNoSeriousA11yViolations(page);
  });

  it('loads the good files and shows the ranking with categories and reasons', async () => {
    await resultsInput().setInputFiles({ name: 'Результаты ВПР.xlsx', mimeType: XLSX, buffer: files.resultsXlsx });
    await resultsCard().getByText('«Результаты ВПР.xlsx»').waitFor();
    await socialInput().setInputFiles({ name: 'Социальный паспорт.csv', mimeType: 'text/csv', buffer: files.socialCsv });
    await page.getByRole('region', { name: 'Социальные паспорта школ' }).getByText('«Социальный паспорт.csv»').waitFor();
    expect(await page.getByRole('region', { name: 'Ошибки в файле по строкам и столбцам' }).count()).toBe(0);

    const low = page.getByRole('row').filter({ hasText: school(1, 1).name });
    await low.getByText('Низкие результаты', { exact: true }).waitFor();
    await page.getByRole('row').filter({ hasText: school(2, 2).name }).getByText('Социальные риски', { exact: true }).waitFor();
    await page.getByRole('button', { name: `Исключить из списка школу «${school(1, 1).name}»` }).waitFor();
    await page.getByRole('button', { name: `Добавить в список школу «${school(3, 1).name}»` }).waitFor();
    // Sortable: sorted by place, then by place descending (the last place first), then back.
    const ranking = page.getByRole('region', { name: '2. Рейтинг школ' });
    const firstPlace = () => ranking.getByRole('row').nth(1).getByRole('cell').first().innerText();
    expect(await firstPlace()).toBe('1');
    await ranking.getByRole('columnheader', { name: 'Место' }).click();
    expect(await firstPlace()).toBe(String(region.schools.length));
    await ranking.getByRole('columnheader', { name: 'Место' }).click();
    expect(await firstPlace()).toBe('1');
    await page.mouse.move(0, 0); // the sorter's tooltip off the screenshot
    await screenshot(page, 'ident-03-ranking');
    await expectNoSeriousA11yViolations(page);
  });

  it("leads from the approve_list task's note to the identification screen", async () => {
    const taskId = await approvalTaskId();
    await page.goto(`/tasks/${encodeURIComponent(taskId)}`);
    await page.getByRole('link', { name: `идентификации школ цикла «${cycleId}»` }).click();
    await page.waitForURL((url) => url.pathname === `/cycles/${cycleId}/identification`);
    await page.getByText('задача открыта').waitFor();
    await resultsCard().getByText('«Результаты ВПР.xlsx»').waitFor();
  });

  it('adds a school with a reason, approves the list with a comment and a confirmation, and shows the approved list', async () => {
    await page.getByRole('button', { name: `Добавить в список школу «${school(3, 1).name}»` }).click();
    const dialog = page.getByRole('dialog', { name: 'Добавить школу в список' });
    await dialog.getByLabel('Причина добавления').fill(ADD_REASON);
    await screenshot(page, 'ident-04-add-school');
    await dialog.getByRole('button', { name: 'Добавить', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: school(3, 1).name }).getByText('будет добавлена').waitFor();
    await page.getByText(`Причина: ${ADD_REASON}`).waitFor();

    await page.getByLabel('Комментарий к утверждению (например, реквизиты приказа)').fill(COMMENT);
    await page.getByRole('button', { name: 'Утвердить список…' }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: 'Утвердить список из 3 школ?' });
    await confirm.waitFor();
    await screenshot(page, 'ident-05-confirm');
    await confirm.getByRole('button', { name: 'Утвердить', exact: true }).click();

    const approved = page.getByRole('region', { name: 'Утверждённый список школ' });
    await approved.waitFor();
    await approved.getByRole('row').filter({ hasText: school(3, 1).name }).getByText(`Добавлена министерством: ${ADD_REASON}`).waitFor();
    for (const s of [school(1, 1), school(2, 2), school(3, 1)]) {
      await approved.getByRole('row').filter({ hasText: s.name }).getByText('включена').waitFor();
    }
    expect(await pageText(page)).toContain('В программе 3 школы');
    await screenshot(page, 'ident-06-approved');
    await expectNoSeriousA11yViolations(page);

    const participants = await admin.get(`/api/cycles/${encodeURIComponent(cycleId)}/participants`);
    expect(participants.body.filter((p: { included: boolean }) => p.included).map((p: { schoolId: string }) => p.schoolId).sort()).toEqual(
      [school(1, 1).id, school(2, 2).id, school(3, 1).id].sort(),
    );
    const task = await admin.get(`/api/tasks?cycleId=${encodeURIComponent(cycleId)}&status=completed&limit=200`);
    const done = task.body.items.find((t: { cycle?: { action?: string } }) => t.cycle?.action === 'approve_list');
    expect(done).toBeDefined();
  });

  it('fits the approved list into a 768 px wide window without a horizontal scroll bar', async () => {
    const { context, page: narrow } = await openPage(browser, stack.baseUrl, TABLET);
    try {
      await context.addCookies(await page.context().cookies());
      await narrow.goto(`/cycles/${encodeURIComponent(cycleId)}/identification`);
      const approved = narrow.getByRole('region', { name: 'Утверждённый список школ' });
      await approved.getByRole('row').filter({ hasText: school(3, 1).name }).waitFor();
      const overflow = (await narrow.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(narrow, 'ident-07-approved-768px');
      await expectNoSeriousA11yViolations(narrow);
    } finally {
      await context.close();
    }
  });
});
