/**
 * A school director's day in the web app, in Debian's Chromium against the real stack (the API serving the built web
 * app, a worker on the shared Temporal dev server, PostgreSQL, an SMTP sink): log in, the inbox, another school's task
 * refused, completing a task, a reminder e-mail's link followed while logged out, the same path from the keyboard
 * alone, log-out. Elements are found only by the accessible names the web contract fixes; every screen visited is
 * saved to test-output/screenshots/, and the main screens (log-in, inbox, task page) must have no serious or critical axe-core violations.
 */
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { BAD_CREDENTIALS } from '../../apps/api/auth/auth.service';
import { addWorkingDays } from '../../libs/domain/calendar';
import {
  expectNoSeriousA11yViolations,
  focused,
  launchBrowser,
  logIn,
  openPage,
  pageText,
  screenshot,
  startWebStack,
  tabUntil,
  TABLET,
  UI_TIMEOUT_MS,
  type WebStack,
} from '../support/browser';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import type { ApiClient } from '../support/http';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const suffix = uniqueSuffix();

let stack: WebStack;
let region: TestRegion;
let admin: ApiClient;
let browser: Browser;
/** The director's session, kept from one test to the next as a person would keep the tab open. */
let page: Page;

/** The director's school (1-1) and another municipality's school (2-1), whose tasks the director must not see. */
const own = { id: `br-own-${suffix}`, title: `Отчёт о реализации плана поддержки школы (${suffix})` };
const other = { id: `br-other-${suffix}`, title: `Анкета самообследования другой школы (${suffix})` };
const reminded = { id: `br-reminded-${suffix}`, title: `Справка о готовности к мониторингу (${suffix})` };
const COMMENT = 'План выполнен, отчёт размещён на сайте школы';

const director = () => region.schools[0].director;

async function createTask(body: Record<string, unknown>): Promise<void> {
  const response = await admin.post('/api/tasks', body);
  if (response.status !== 201) throw new Error(`creating ${String(body.id)}: ${response.status} ${response.text}`);
}

beforeAll(async () => {
  stack = await startWebStack(`browser-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `br${suffix}`.slice(0, 18),
    timeZone: ZONE,
    municipalities: 2,
    schoolsPerMunicipality: 1,
  });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  const today = DateTime.now().setZone(ZONE).toISODate() as string;
  const dueAt = `${addWorkingDays(today, 10)}T18:00`;
  await createTask({ id: own.id, title: own.title, assigneeOrganizationId: region.schools[0].id, dueAt });
  await createTask({ id: other.id, title: other.title, assigneeOrganizationId: region.schools[1].id, dueAt });
  // The reminder comes about 5 s after issue: the deadline is at least 120 s after the moment of issue
  // (minimumLeadSeconds), the reminder 115 s before it; no escalation, so the task stays quietly open meanwhile.
  await createTask({
    id: reminded.id,
    title: reminded.title,
    assigneeOrganizationId: region.schools[0].id,
    dueAt: localDateTimeIn(ZONE, 120),
    calendar: 'calendar-days',
    policy: { reminders: [{ secondsBefore: 115 }], escalations: [], minimumLeadSeconds: 120 },
  });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** Resolves once the address bar shows `pathname` (and, when given, the query). */
async function waitForPath(target: Page, pathname: string, search?: string): Promise<void> {
  await target.waitForURL((url) => url.pathname === pathname && (search === undefined || url.search === search));
}

describe('the web app for a school director', () => {
  it('sends a visitor to the log-in page, refuses a wrong password in Russian, and logs in', async () => {
    await page.goto('/tasks');
    await waitForPath(page, '/login', `?next=${encodeURIComponent('/tasks')}`);
    await page.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();
    await screenshot(page, '01-login');
    await expectNoSeriousA11yViolations(page);

    await logIn(page, director().email, 'not-the-password');
    await page.getByText(BAD_CREDENTIALS).waitFor();
    await screenshot(page, '02-login-wrong-password');

    await page.getByLabel('Пароль').fill(REGION_PASSWORD);
    await page.getByRole('button', { name: 'Войти' }).click();
    await waitForPath(page, '/tasks');
  });

  it("shows «Мои задачи» with the school's own tasks and not another school's", async () => {
    await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
    const link = page.getByRole('link', { name: own.title });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe(`/tasks/${own.id}`);
    await page.getByRole('link', { name: reminded.title }).waitFor();
    expect(await page.getByRole('link', { name: other.title }).count()).toBe(0);
    expect(await pageText(page)).not.toContain(other.title);
    await screenshot(page, '03-inbox');
    await expectNoSeriousA11yViolations(page);
  });

  it("answers «Нет доступа к задаче» at another school's task address, never showing its title", async () => {
    await page.goto(`/tasks/${other.id}`);
    await page.getByText('Нет доступа к задаче').first().waitFor();
    expect(await pageText(page)).not.toContain(other.title);
    expect(await page.title()).not.toContain(other.title);
    await screenshot(page, '04-task-forbidden');
    await expectNoSeriousA11yViolations(page);
  });

  it('opens its own task from the inbox and completes it with a comment, which the history then shows', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Мои задачи' }).click();
    await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
    await page.getByRole('link', { name: own.title }).click();
    await waitForPath(page, `/tasks/${own.id}`);
    await page.getByRole('heading', { level: 1, name: own.title }).waitFor();
    const history = page.getByRole('region', { name: 'История задачи' });
    await history.getByText('Задача поставлена').waitFor();
    await screenshot(page, '05-task-open');
    await expectNoSeriousA11yViolations(page);

    await page.getByLabel('Комментарий').fill(COMMENT);
    await page.getByRole('button', { name: 'Отметить выполненной' }).click();
    await page.getByRole('button', { name: 'Отметить выполненной' }).waitFor({ state: 'detached' });
    await page.getByText('Выполнена', { exact: true }).first().waitFor();
    await history.getByText('Задача выполнена').waitFor();
    await history.getByText(`Комментарий: ${COMMENT}`).waitFor();
    const detail = await admin.get(`/api/tasks/${own.id}`);
    expect(detail.body.task ?? detail.body).toMatchObject({ status: 'completed', completedBy: director().email });
    await screenshot(page, '06-task-completed');
    await expectNoSeriousA11yViolations(page);
  });

  it('fits the inbox into a 768 px wide window without a horizontal scroll bar', async () => {
    const { context, page: narrow } = await openPage(browser, stack.baseUrl, TABLET);
    try {
      await context.addCookies(await page.context().cookies());
      await narrow.goto('/tasks');
      await narrow.getByRole('heading', { name: 'Мои задачи' }).waitFor();
      await narrow.getByRole('link', { name: own.title }).waitFor();
      const overflow = (await narrow.evaluate(
        'document.documentElement.scrollWidth - document.documentElement.clientWidth',
      )) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(narrow, '07-inbox-768px');
      await expectNoSeriousA11yViolations(narrow);
    } finally {
      await context.close();
    }
  });

  it("leads a logged-out reader of a reminder e-mail through the log-in page to that task's page", async () => {
    await stack.sink.waitFor((messages) => messages.some((m) => m.messageId.includes(`task.${reminded.id}.`)), 60_000);
    const [reminder] = stack.sink.forTask(reminded.id);
    expect(reminder.to).toContain(director().email);
    // The link as the letter gives it (the worker writes it from the API's address, its PUBLIC_URL).
    const link = /https?:\/\/\S+\/tasks\/[^\s)>"]+/.exec(reminder.text)?.[0];
    expect(link).toBe(`${stack.baseUrl}/tasks/${encodeURIComponent(reminded.id)}`);
    expect(reminder.html).toContain(`href="${link}"`);

    const { context, page: fresh } = await openPage(browser, stack.baseUrl);
    try {
      await fresh.goto(link!);
      await waitForPath(fresh, '/login', `?next=${encodeURIComponent(`/tasks/${reminded.id}`)}`);
      await screenshot(fresh, '08-email-link-login');
      await logIn(fresh, director().email, REGION_PASSWORD);
      await waitForPath(fresh, `/tasks/${reminded.id}`);
      await fresh.getByRole('heading', { level: 1, name: reminded.title }).waitFor();
      await screenshot(fresh, '09-email-link-task');
    } finally {
      await context.close();
    }
  });

  it('does the whole path from the keyboard alone: log-in, skip link, inbox, task page, completion', async () => {
    const { context, page: keys } = await openPage(browser, stack.baseUrl);
    try {
      await keys.goto('/login');
      await keys.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();
      // The e-mail field has focus on arrival; everything else is reached with Tab.
      expect((await focused(keys)).name).toContain('Электронная почта');
      await keys.keyboard.type(director().email);
      await tabUntil(keys, 'the password field', (f) => f.name.includes('Пароль'));
      await keys.keyboard.type(REGION_PASSWORD);
      await keys.keyboard.press('Enter');
      await waitForPath(keys, '/tasks');
      await keys.getByRole('link', { name: reminded.title }).waitFor();

      const skip = await tabUntil(keys, 'the skip link', (f) => f.name === 'Перейти к содержанию', 3);
      expect(skip.ringVisible).toBe(true);
      await keys.keyboard.press('Enter');
      expect(await keys.evaluate('document.activeElement?.id')).toBe('page-content');
      const link = await tabUntil(keys, 'the task in the inbox', (f) => f.tag === 'a' && f.name === reminded.title);
      expect(link.ringVisible).toBe(true);
      await keys.keyboard.press('Enter');
      await waitForPath(keys, `/tasks/${reminded.id}`);
      await keys.getByRole('heading', { level: 1, name: reminded.title }).waitFor();

      await tabUntil(keys, 'the comment field', (f) => f.name.includes('Комментарий'));
      await keys.keyboard.type('Сделано, отмечено с клавиатуры');
      const button = await tabUntil(keys, 'the completion button', (f) => f.tag === 'button' && f.name.includes('Отметить выполненной'));
      expect(button.ringVisible).toBe(true);
      await keys.keyboard.press('Enter');
      await keys.getByRole('region', { name: 'История задачи' }).getByText('Задача выполнена').waitFor();
      await screenshot(keys, '10-keyboard-task-completed');
    } finally {
      await context.close();
    }
  });

  it('ends the session on «Выйти»: the old cookie is refused and /tasks leads back to log-in', async () => {
    await page.goto('/tasks');
    await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
    const session = (await page.context().cookies()).find((c) => c.name === 'uplift_session');
    expect(session).toBeDefined();

    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();
    await screenshot(page, '11-logged-out');
    expect((await page.context().cookies()).some((c) => c.name === 'uplift_session')).toBe(false);
    const replayed = await fetch(`${stack.baseUrl}/api/auth/me`, {
      headers: { cookie: `uplift_session=${session!.value}` },
    });
    expect(replayed.status).toBe(401);

    await page.goto('/tasks');
    await waitForPath(page, '/login', `?next=${encodeURIComponent('/tasks')}`);
    await page.getByRole('heading', { name: 'Вход в Uplift' }).waitFor({ timeout: UI_TIMEOUT_MS });
  });
});
