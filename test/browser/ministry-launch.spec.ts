/**
 * The ministry administrator launches the region's yearly cycle in the web app, in Debian's Chromium against the real
 * stack: «Циклы» → «Запустить цикл», a shipped template and a year chosen, «Проверить расписание» (the dry run as a
 * timeline by stage and organisation, then as a month calendar: a deadline on its day, a non-working day marked, a
 * day's items by keyboard), «Запустить» with its confirmation — which only asks: four eyes — then, in a second
 * browser context, the ministry's specialist confirming it under «Подтверждения», and the administrator's request page
 * leading to the new cycle's dashboard with its stages and the «Запуск цикла» card reaching its end. The region is fresh and in the template's own zone (Moscow time), so the dry
 * run needs no zone adoption. Every screen is saved as test-output/screenshots/2x-*.png; the main ones must pass
 * axe-core. Nothing waits for elapsed time: every wait is for an element or an answer.
 */
import type { Browser, Page } from 'playwright-core';
import type { CycleTemplate } from '../../libs/contracts/cycle-template';
import { addCalendarDays, isWorkingDay } from '../../libs/domain/calendar';
import { programmeFirstYear } from '../../libs/domain/cycle-template';
import { loadBuiltinTemplates } from '../../libs/templates';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  logIn,
  openPage,
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
/** The academic year the roadmap is written for (2026/2027): the latest the production calendar covers whole. */
const YEAR = programmeFirstYear(template);
const YEAR_LABEL = `${YEAR}/${YEAR + 1}`;

let stack: WebStack;
let region: TestRegion;
let admin: ApiClient;
/** The second person: confirms the launch and, at the end, the cancellation. */
let reviewer: ApiClient;
let browser: Browser;
let page: Page;
let cycleId: string | undefined;

/** 2026-12-31 → «31\.12\.2026», the calendar's way of naming a day, escaped for a pattern. */
function dayName(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}\\.${m}\\.${y}`;
}

/** The first weekday of the month (or of the months after it) that the production calendar makes a day off. */
function firstWeekdayOff(fromIso: string): string {
  for (let day = `${fromIso.slice(0, 7)}-01`; ; day = addCalendarDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !isWorkingDay(day)) return day;
  }
}

beforeAll(async () => {
  stack = await startWebStack(`browser-launch-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `bl${suffix}`.slice(0, 18),
    timeZone: template.timeZone,
    municipalities: 1,
    schoolsPerMunicipality: 1,
  });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  reviewer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
});

afterAll(async () => {
  // The cycle runs on the real calendar: cancelled, so that its workflows stop issuing tasks on the shared server.
  if (cycleId) await confirmedBy(reviewer, admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/cancel`, { reason: 'Конец браузерного теста' }));
  await browser?.close();
  await stack?.close();
});

describe('launching a yearly cycle as the ministry administrator', () => {
  it('opens «Циклы» from the menu after log-in, with no cycle yet and the launch button', async () => {
    await page.goto('/cycles');
    await logIn(page, region.admin.email, REGION_PASSWORD);
    await page.waitForURL((url) => url.pathname === '/cycles');
    await page.getByRole('navigation').getByRole('link', { name: 'Мои задачи' }).click();
    await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Циклы' }).click();
    await page.getByRole('heading', { level: 1, name: 'Циклы программы' }).waitFor();
    await page.getByText('Циклов пока нет').waitFor();
    await screenshot(page, '20-cycles-empty');
    await expectNoSeriousA11yViolations(page);
  });

  it('chooses the shipped default template and the year, and checks the schedule: the dry run as a timeline', async () => {
    await page.getByRole('button', { name: 'Запустить цикл' }).click();
    await page.waitForURL((url) => url.pathname === '/cycles/new');
    await page.getByRole('heading', { level: 1, name: 'Запуск цикла' }).waitFor();

    // The template: typed into the searchable list and picked with Enter, as a keyboard user would.
    const templateBox = page.getByRole('combobox', { name: 'Шаблон' });
    await templateBox.click();
    await templateBox.fill('default');
    await page.getByText(`${template.title} (default, версия 1, поставляемый)`, { exact: true }).last().click();
    // The region is in the template's zone: both are named, and no zone adoption is offered.
    await page.getByText(/Часовой пояс шаблона: .*\(Europe\/Moscow\); региона: .*\(Europe\/Moscow\)/).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Принять часовой пояс региона' }).count()).toBe(0);

    await page.getByRole('combobox', { name: 'Учебный год' }).click();
    await page.getByText(YEAR_LABEL, { exact: true }).last().click();
    await page.getByText('Сначала проверьте расписание.').waitFor();
    expect(await page.getByRole('button', { name: 'Запустить', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, '21-launch-chosen');

    await page.getByRole('button', { name: 'Проверить расписание' }).click();
    await page.getByText(/^\d+ задач[аи]? по шаблону «default», версия 1/).waitFor();
    // Grouped by stage (the first one open), then by organisation, each task with its deadline and reminders.
    const firstStage = template.stages[0];
    await page.getByRole('button', { name: new RegExp(`^${firstStage.title}`) }).waitFor();
    for (const stage of template.stages.slice(1)) {
      await page.getByRole('button', { name: new RegExp(`^${stage.title}`) }).waitFor();
    }
    await page.getByRole('heading', { level: 2, name: `Институт развития образования (${region.code})` }).waitFor();
    await page.getByText(firstStage.steps[0].title, { exact: true }).waitFor();
    await page.getByText(/^Срок: /).first().waitFor();
    await page.getByText(/^Напоминания: /).first().waitFor();
    await page.getByText(/^Эскалации: /).first().waitFor();
    await page.getByText(`default, версия 1, ${YEAR_LABEL} учебный год`).waitFor();
    await screenshot(page, '22-dry-run');
    await expectNoSeriousA11yViolations(page);
  });

  it('shows the dry run as a month calendar: a deadline on its day, a holiday marked, a day chosen by keyboard', async () => {
    const dry = await admin.post(`/api/templates/default/dry-run`, { academicYear: YEAR });
    expect(dry.status).toBe(200);
    const tasks: { title: string; organizationId: string; dueAt: string; dueLocal: string }[] = dry.body.tasks;
    const first = tasks.reduce((a, b) => (a.dueAt <= b.dueAt ? a : b));
    const firstDay = first.dueLocal.slice(0, 10);
    const orgName = new Map<string, string>([
      [region.ministryId, `Министерство образования (${region.code})`],
      [region.instituteId, `Институт развития образования (${region.code})`],
      ...region.municipalities.map((m): [string, string] => [m.id, m.name]),
      ...region.schools.map((s): [string, string] => [s.id, s.name]),
    ]);

    await page.getByRole('radiogroup', { name: 'Вид расписания' }).getByText('Календарь', { exact: true }).click();
    // It opens on the month of the first deadline, that day chosen: its button names the date and its deadlines.
    const day = page.getByRole('button', { name: new RegExp(`^${dayName(firstDay)}, [а-я]+: .*\\d+ срок`) });
    await day.waitFor();
    expect(await day.getAttribute('aria-pressed')).toBe('true');
    const items = page.getByRole('region', { name: new RegExp(`^${dayName(firstDay)}`) });
    await items.getByText(first.title, { exact: true }).first().waitFor();
    await items.getByText(orgName.get(first.organizationId)!, { exact: false }).first().waitFor();
    await items.getByText(first.dueLocal.slice(11, 16), { exact: true }).first().waitFor();
    await page.getByText(/Время — по часовому поясу плана: .*\(Europe\/Moscow\)/).waitFor();
    await screenshot(page, '26-dry-run-calendar');
    await expectNoSeriousA11yViolations(page);

    // The keyboard: the arrow moves to the next day, which is chosen and takes the focus.
    await day.focus();
    await page.keyboard.press('ArrowRight');
    const next = addCalendarDays(firstDay, 1);
    const nextDay = page.getByRole('button', { name: new RegExp(`^${dayName(next)}, `) });
    await page.waitForFunction(`document.activeElement?.getAttribute('data-date') === '${next}'`);
    expect(await nextDay.getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('region', { name: new RegExp(`^${dayName(next)}`) }).waitFor();

    // A weekday the production calendar makes a day off is marked so, a month or two on if need be.
    const holiday = firstWeekdayOff(next);
    for (let month = next.slice(0, 7); month < holiday.slice(0, 7); month = addCalendarDays(`${month}-28`, 7).slice(0, 7)) {
      await page.getByRole('button', { name: 'Следующий месяц' }).click();
    }
    await page.getByRole('button', { name: new RegExp(`^${dayName(holiday)}, [а-я]+: нерабочий праздничный день`) }).click();
    await page.getByRole('region', { name: new RegExp(`^${dayName(holiday)}, [а-я]+ — нерабочий праздничный день`) }).waitFor();
    await screenshot(page, '27-dry-run-calendar-holiday');
    await expectNoSeriousA11yViolations(page);
  });

  it('asks a second person to confirm the launch, who confirms it in another browser; then lands on the dashboard', async () => {
    await page.getByRole('button', { name: 'Запустить', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Запустить цикл?' });
    await dialog.getByText(/Будет запланировано \d+ задач/).waitFor();
    await dialog.getByText(/только после подтверждения другим администратором или специалистом министерства/).waitFor();
    await screenshot(page, '23-launch-confirm');
    await dialog.getByRole('button', { name: 'Запустить' }).click();

    // The administrator's answer is the request, waiting; nothing is launched yet.
    await page.waitForURL((url) => /^\/cycle-actions\/[0-9a-f-]{36}$/.test(url.pathname));
    const requestCard = page.getByRole('region', { name: /^Запуск цикла по шаблону/ });
    await requestCard.getByText('Ожидает подтверждения', { exact: true }).waitFor();
    await requestCard.getByRole('button', { name: 'Отозвать' }).waitFor();
    expect(await requestCard.getByRole('button', { name: 'Подтвердить' }).count()).toBe(0);
    await screenshot(page, '23a-launch-requested');
    await expectNoSeriousA11yViolations(page);

    // The ministry's specialist, in a browser of their own, finds it under «Подтверждения» with what it would do.
    const second = await openPage(browser, stack.baseUrl);
    try {
      const other = second.page;
      await other.goto('/cycle-actions');
      await logIn(other, region.reviewer.email, REGION_PASSWORD);
      await other.waitForURL((url) => url.pathname === '/cycle-actions');
      await other.getByRole('heading', { level: 1, name: 'Подтверждения' }).waitFor();
      const card = other.getByRole('region', { name: `Запуск цикла по шаблону «${template.title}» (версия 1) на ${YEAR_LABEL} учебный год` });
      await card.getByText(/Пробный расчёт/).waitFor();
      await card.getByText(/\d+ задач.* для \d+ организаци/).waitFor();
      await screenshot(other, '23b-confirmations');
      await expectNoSeriousA11yViolations(other);
      await card.getByRole('button', { name: 'Подтвердить' }).click();
      const sure = other.getByRole('dialog', { name: 'Подтвердить действие?' });
      await sure.getByRole('button', { name: 'Подтвердить' }).click();
      // Done: it leaves the pending list.
      await other.getByText('Подтверждено: действие выполнено').waitFor();
      await card.waitFor({ state: 'detached' });
    } finally {
      await second.context.close();
    }

    // The administrator's page follows the decision and leads to the cycle.
    await requestCard.getByText('Подтверждён и выполнен', { exact: true }).waitFor();
    await requestCard.getByRole('link', { name: /^Открыть цикл / }).click();
    await page.waitForURL((url) => /^\/cycles\/[^/]+$/.test(url.pathname) && url.pathname !== '/cycles/new');
    cycleId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
    await page.getByRole('heading', { level: 1, name: template.title }).waitFor();
    await page.getByText(`${cycleId} · ${YEAR_LABEL} учебный год`).waitFor();
    await page.getByText('Идёт', { exact: true }).first().waitFor();
    for (const stage of template.stages) {
      await page.getByRole('progressbar', { name: stage.title }).waitFor();
    }
    await page.getByText('ещё не утверждён').waitFor();
    // The «Запуск цикла» card follows the workflows issuing the launch's tasks (it asks the API every few seconds)
    // until all are out: the institute's analysis and the ministry's approval of the list.
    const launchCard = page.getByRole('region', { name: 'Запуск цикла' });
    await launchCard.getByRole('progressbar', { name: 'Выдано задач запуска' }).waitFor();
    await launchCard.getByText(/^Выдано 2 из 2 задач; получили задачи 2 из 2 организаций\.$/).waitFor();
    await launchCard.getByText(/Запуск завершён:/).waitFor();
    await screenshot(page, '24-cycle-dashboard');
    await expectNoSeriousA11yViolations(page);

    const cycle = await admin.get(`/api/cycles/${encodeURIComponent(cycleId)}`);
    expect(cycle.status).toBe(200);
    expect(cycle.body).toMatchObject({ templateId: 'default', templateVersion: 1, academicYear: YEAR, status: 'running', timeZone: template.timeZone });
    expect(cycle.body.compressed).toBeFalsy();
  });

  it('lists the launched cycle under «Циклы» with its year, template and version', async () => {
    await page.getByRole('link', { name: 'К списку циклов' }).click();
    await page.getByRole('heading', { level: 1, name: 'Циклы программы' }).waitFor();
    const row = page.getByRole('row', { name: new RegExp(cycleId!) });
    await row.getByRole('link', { name: template.title }).waitFor();
    await row.getByText(YEAR_LABEL, { exact: true }).waitFor();
    await row.getByText('default, версия 1').waitFor();
    await screenshot(page, '25-cycles-list');
  });
});
