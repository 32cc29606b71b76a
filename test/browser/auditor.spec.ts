/**
 * The auditor's day in the web app, in Debian's Chromium against the real stack: «Аудит», the cycle chosen, its
 * timeline with Russian event labels, a filter by kind of event, a task's workflow history, the hash chain's state,
 * and both exports downloaded (JSON and CSV, with their content types and the CSV's «Событие» column). The cycle is a
 * compressed one of a fresh region, prepared through the API: launched, the institute's task done, and the list's
 * approval task left overdue until its escalation e-mails have gone out. Nothing on these screens changes anything.
 * Screens are saved as test-output/screenshots/4x-*.png; the main ones must pass axe-core.
 */
import fs from 'node:fs';
import type { Browser, Page, Response } from 'playwright-core';
import type { CycleTemplate } from '../../libs/contracts/cycle-template';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { programmeFirstYear } from '../../libs/domain/cycle-template';
import { loadBuiltinTemplates } from '../../libs/templates';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  logIn,
  openPage,
  pollUntil,
  screenshot,
  startWebStack,
  type WebStack,
} from '../support/browser';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { confirmedBy } from '../support/four-eyes';
import type { ApiClient } from '../support/http';
import { uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();
const template = loadBuiltinTemplates().find((t) => t.id === 'default') as CycleTemplate;
const YEAR = programmeFirstYear(template);
const WAIT_MS = 60_000;

let stack: WebStack;
let region: TestRegion;
let admin: ApiClient;
/** The second person of the ministry: confirms the administrator's launch and cancellation (four eyes). */
let confirmer: ApiClient;
let browser: Browser;
let page: Page;
let cycleId: string;
let analysis: TaskSnapshot;

const poll = <T>(what: string, read: () => Promise<T | undefined>): Promise<T> => pollUntil(what, read, WAIT_MS);

async function cycleTask(action: string): Promise<TaskSnapshot | undefined> {
  const rows: { snapshot: TaskSnapshot }[] = await stack.harness.dataSource.query(
    `SELECT snapshot FROM tasks WHERE snapshot->'context'->>'cycleId' = $1 AND snapshot->'context'->>'action' = $2`,
    [cycleId, action],
  );
  return rows[0]?.snapshot;
}

beforeAll(async () => {
  stack = await startWebStack(`browser-audit-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `ba${suffix}`.slice(0, 18),
    timeZone: template.timeZone,
    municipalities: 1,
    schoolsPerMunicipality: 1,
  });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  confirmer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
  // About a day a second: the list's approval is due seconds after launch and escalated soon after.
  const launched = await confirmedBy(confirmer, admin.post('/api/cycles', { templateId: 'default', academicYear: YEAR, compression: { secondsPerDay: 0.5 } }));
  if (launched.status !== 200) throw new Error(`launch: ${launched.status} ${launched.text}`);
  cycleId = launched.body.id;

  analysis = await poll('the institute’s analysis task', () => cycleTask('perform'));
  const curator = await stack.anonymous.as(region.curator.email, REGION_PASSWORD);
  const done = await curator.post(`/api/tasks/${encodeURIComponent(analysis.taskId)}/submission`, { comment: 'Рейтинг и справка готовы' });
  if (done.status !== 201 && done.status !== 200) throw new Error(`analysis: ${done.status} ${done.text}`);
  const approval = await poll('the list approval task', () => cycleTask('approve_list'));
  await poll('an escalation of the overdue approval', async () => {
    const rows: { n: string }[] = await stack.harness.dataSource.query(
      `SELECT count(*) AS n FROM notifications WHERE task_id = $1 AND kind = 'escalation' AND status = 'sent'`,
      [approval.taskId],
    );
    return Number(rows[0].n) > 0 ? true : undefined;
  });

  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
}, 120_000);

afterAll(async () => {
  if (cycleId && admin) await confirmedBy(confirmer, admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/cancel`, { reason: 'Конец браузерного теста' }));
  await browser?.close();
  await stack?.close();
});

/** The file a button downloads, with the API answer behind it. */
async function download(name: string, format: 'json' | 'csv'): Promise<{ response: Response; text: string; fileName: string }> {
  const answered = page.waitForResponse((r) => r.url().includes('/api/audit/export') && r.url().includes(`format=${format}`));
  const downloaded = page.waitForEvent('download');
  await page.getByRole('button', { name }).click();
  const [response, file] = await Promise.all([answered, downloaded]);
  const text = fs.readFileSync(await file.path(), 'utf8');
  return { response, text, fileName: file.suggestedFilename() };
}

describe('the auditor’s screens', () => {
  it('opens «Аудит», chooses the cycle and reads its timeline with Russian event labels', async () => {
    await page.goto('/tasks');
    await logIn(page, region.auditor.email, REGION_PASSWORD);
    await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Аудит' }).click();
    await page.getByRole('heading', { level: 1, name: 'Аудит' }).waitFor();
    await page.getByText('Выберите цикл, чтобы увидеть его журнал.').waitFor();

    const cycleBox = page.getByRole('combobox', { name: 'Какой цикл' });
    await cycleBox.click();
    await cycleBox.fill(cycleId);
    await page.getByText(`${template.title} (${cycleId})`, { exact: true }).last().click();
    await page.waitForURL((url) => url.searchParams.get('id') === cycleId);

    await page.getByText(/^Записи этого объекта не изменялись: проверено \d+/).waitFor();
    await page.getByRole('tab', { name: /^Хронология \(\d+\)$/ }).waitFor();
    // Each entry says what happened in Russian: the launch, the tasks, the completion, the e-mails.
    await page.getByRole('article', { name: /^Цикл запущен, / }).waitFor();
    await page.getByRole('article', { name: /^Задача создана, / }).first().waitFor();
    await page.getByRole('article', { name: /^Задача выполнена, / }).waitFor();
    await page.getByRole('article', { name: /^Отправлена эскалация, / }).first().waitFor();
    const escalation = page.getByRole('article', { name: /^Отправлена эскалация, / }).first();
    await escalation.getByText(/^Получатели: /).waitFor();
    await screenshot(page, '40-audit-cycle-timeline');
    await expectNoSeriousA11yViolations(page);
  });

  it('filters the timeline by the kind of event', async () => {
    const kinds = page.getByRole('combobox', { name: 'Вид события' });
    await kinds.click();
    await kinds.fill('Задача выполнена');
    await kinds.press('Enter');
    await kinds.press('Escape');
    await page.waitForURL((url) => url.searchParams.get('types') === 'completed');
    await page.getByText(/^Найдено 1 запись из \d+ записей/).waitFor();
    const shown = page.getByRole('article');
    expect(await shown.count()).toBe(1);
    await shown.getByText(`Задача «${analysis.title}»`).waitFor();
    await screenshot(page, '41-audit-filtered');
    await page.getByRole('button', { name: 'Сбросить фильтры' }).click();
    await page.getByText(/^Всего \d+ записей/).waitFor();
  });

  it('opens a task’s workflow history from the cycle’s tasks, with Russian event names', async () => {
    await page.getByRole('tab', { name: /^Задачи \(\d+\)$/ }).click();
    const row = page.getByRole('row', { name: new RegExp(analysis.title) });
    await row.getByRole('link', { name: 'История процесса' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/audit/workflows/'));
    await page.getByRole('heading', { level: 1, name: /^История процесса task:/ }).waitFor();
    await page.getByText('Процесс запущен').first().waitFor();
    await page.getByText('Процесс завершён').first().waitFor();
    await screenshot(page, '42-workflow-history');
    await expectNoSeriousA11yViolations(page);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: 'Аудит' }).waitFor();
  });

  it('shows the hash chain intact and checks it again on request', async () => {
    const chain = page.getByRole('heading', { name: 'Целостность журнала' });
    await chain.waitFor();
    await page.getByText('Цепочка записей не нарушена').waitFor();
    const verified = page.waitForResponse((r) => r.url().endsWith('/api/audit/verify') && r.status() === 200);
    await page.getByRole('button', { name: 'Проверить снова' }).click();
    await verified;
    // The count is written the Russian way: «Проверено 12 345 записей».
    await page.getByText(/^Проверено [\d\s]+ запис/).waitFor();
    await screenshot(page, '43-audit-chain');
  });

  it('downloads the JSON and the CSV export, the CSV with its «Событие» column', async () => {
    await page.getByRole('tab', { name: /^Хронология/ }).click();
    const json = await download('Выгрузить JSON', 'json');
    expect(json.response.headers()['content-type']).toMatch(/^application\/json/);
    const exported = JSON.parse(json.text) as { entries: { type: string; typeLabel: string }[] };
    expect(exported.entries).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'cycle_launched', typeLabel: 'Цикл запущен' })]));
    expect(json.fileName).toMatch(/\.json$/);
    await page.getByText(/^Файл «.+\.json» сохранён/).waitFor();

    const csv = await download('Выгрузить CSV', 'csv');
    expect(csv.response.headers()['content-type']).toMatch(/^text\/csv/);
    expect(csv.fileName).toMatch(/\.csv$/);
    const header = csv.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0].split(';');
    expect(header).toEqual(expect.arrayContaining(['Событие', 'Код события']));
    expect(csv.text).toContain('Цикл запущен');
    await page.getByText(/^Файл «.+\.csv» сохранён/).waitFor();
    await screenshot(page, '44-audit-exports');
    await expectNoSeriousA11yViolations(page);
  });
});
