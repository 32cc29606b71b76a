/**
 * The ministry administrator's directory in the web app, in Debian's Chromium against the real stack: a school added
 * with its code and municipality, its director added with a log-in, the director logging in, the administrator
 * withdrawing that log-in (the director's open session ends and the password is refused), and a deputy named for
 * someone of the region from «Заместители», seen on the organisation's page. Elements are found by their accessible
 * names; screens are saved as test-output/screenshots/7x-*.png and checked with axe-core.
 */
import { DateTime } from 'luxon';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BAD_CREDENTIALS } from '../../apps/api/auth/auth.service';
import { addCalendarDays } from '../../libs/domain/calendar';
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
import { uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const suffix = uniqueSuffix();

let stack: WebStack;
let region: TestRegion;
let browser: Browser;
/** The administrator's tab, kept from one test to the next. */
let page: Page;
/** The new director's own browser. */
let director: { context: BrowserContext; page: Page } | undefined;

const school = { name: `МБОУ «СОШ № 9» (${suffix})`, code: '000909' };
const person = {
  fullName: 'Новосёлова Вера Петровна',
  email: `director.new.${suffix}@school9.region.test`,
  password: 'первый-вход-2026',
};
const schoolId = () => `${region.code}-school-${school.code}`;

beforeAll(async () => {
  stack = await startWebStack(`browser-directory-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `bd${suffix}`.slice(0, 18),
    timeZone: ZONE,
    municipalities: 1,
    schoolsPerMunicipality: 1,
  });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
});

afterAll(async () => {
  await director?.context.close();
  await browser?.close();
  await stack?.close();
});

/** Picks an option of an open Ant Design list by its exact text (the list is rendered last in the page). */
async function pickOption(target: Page, text: string): Promise<void> {
  await target.getByText(text, { exact: true }).last().click();
}

describe('the ministry administrator’s directory', () => {
  it('adds a school with its municipality and code, landing on its page', async () => {
    await page.goto('/organizations');
    await logIn(page, region.admin.email, REGION_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Организации' }).waitFor();
    await page.getByRole('link', { name: region.schools[0].name }).waitFor();
    await screenshot(page, '70-organizations');
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('button', { name: 'Добавить организацию' }).click();
    const dialog = page.getByRole('dialog', { name: 'Новая организация' });
    // Sent empty, the form says in Russian what is missing.
    await dialog.getByRole('button', { name: 'Добавить', exact: true }).click();
    await dialog.getByText('Укажите название, как в уставе').waitFor();
    await dialog.getByText('Выберите муниципалитет школы').waitFor();

    await dialog.getByLabel('Название').fill(school.name);
    await dialog.getByRole('combobox', { name: 'Муниципалитет' }).click();
    await pickOption(page, region.municipalities[0].name);
    await dialog.getByLabel('Код школы').fill(school.code);
    // The id is suggested from the region and the school's code, as soon as the code is typed.
    const idInput = dialog.getByLabel('Идентификатор');
    await pollUntil('the suggested id', async () => ((await idInput.inputValue()) === schoolId() ? true : undefined), 5_000, async () =>
      `the field holds ${await idInput.inputValue()}`,
    );
    await screenshot(page, '71-add-school');
    await expectNoSeriousA11yViolations(page);

    await dialog.getByRole('button', { name: 'Добавить', exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/organizations/${schoolId()}`);
    await page.getByRole('heading', { level: 1, name: school.name }).waitFor();
    await page.getByText('Сотрудники не указаны: напоминания этой организации некому отправлять.', { exact: false }).waitFor();
  });

  it('adds the school’s director with a log-in, who then logs in', async () => {
    await page.getByRole('button', { name: 'Добавить сотрудника' }).click();
    const dialog = page.getByRole('dialog', { name: `Новый сотрудник: ${school.name}` });
    await dialog.getByLabel('ФИО').fill(person.fullName);
    await dialog.getByLabel('Электронная почта').fill(person.email);
    await dialog.getByLabel('Должность').fill('Директор');
    await dialog.getByRole('checkbox', { name: 'Руководитель организации' }).check();
    await dialog.getByRole('switch', { name: 'Вход в систему' }).click();
    // The rules are shown, and a password that is too short is refused before sending.
    await dialog.getByText(/^От 10 до 72 символов/).waitFor();
    await dialog.getByLabel('Начальный пароль').fill('короткий');
    await dialog.getByRole('button', { name: 'Добавить', exact: true }).click();
    await dialog.getByText('Не короче 10 символов').waitFor();
    await dialog.getByLabel('Начальный пароль').fill(person.password);
    await screenshot(page, '72-add-director');
    await expectNoSeriousA11yViolations(page);
    await dialog.getByRole('button', { name: 'Добавить', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('row').filter({ hasText: person.email });
    await row.getByText('может входить').waitFor();
    await row.getByText('школа', { exact: true }).waitFor();
    await screenshot(page, '73-school-with-director');
    await expectNoSeriousA11yViolations(page);

    director = await openPage(browser, stack.baseUrl);
    await director.page.goto('/tasks');
    await logIn(director.page, person.email, person.password);
    await director.page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
  });

  it('lets the director replace the initial password from the header, keeping this session and ending others', async () => {
    const other = await openPage(browser, stack.baseUrl);
    try {
      await other.page.goto('/tasks');
      await logIn(other.page, person.email, person.password);
      await other.page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
      const otherSession = (await other.context.cookies()).find((c) => c.name === 'uplift_session');

      const own = director!.page;
      await own.getByRole('link', { name: 'Сменить пароль' }).click();
      await own.getByRole('heading', { name: 'Смена пароля' }).waitFor();
      await own.getByLabel('Текущий пароль').fill(person.password);
      await own.getByLabel('Новый пароль', { exact: true }).fill('свой-пароль-2027');
      await own.getByLabel('Новый пароль ещё раз').fill('другой-пароль-2027');
      await own.getByRole('button', { name: 'Сменить пароль' }).click();
      await own.getByText('Пароли не совпадают').waitFor();
      await own.getByLabel('Новый пароль ещё раз').fill('свой-пароль-2027');
      await own.getByRole('button', { name: 'Сменить пароль' }).click();
      await own.getByText('Пароль изменён').waitFor();
      await screenshot(own, '75b-password-changed');
      await expectNoSeriousA11yViolations(own);
      person.password = 'свой-пароль-2027';

      // This browser stays in; the other one's session has ended.
      await own.getByRole('navigation').getByRole('link', { name: 'Мои задачи' }).click();
      await own.getByRole('heading', { name: 'Мои задачи' }).waitFor();
      const replayed = await fetch(`${stack.baseUrl}/api/auth/me`, { headers: { cookie: `uplift_session=${otherSession!.value}` } });
      expect(replayed.status).toBe(401);
    } finally {
      await other.context.close();
    }
  });

  it('withdraws the log-in: the director’s session ends and the password is refused', async () => {
    const session = (await director!.context.cookies()).find((c) => c.name === 'uplift_session');
    expect(session).toBeDefined();

    await page.getByRole('button', { name: `Действия: ${person.fullName}` }).click();
    await page.getByRole('menuitem', { name: 'Закрыть вход' }).click();
    const confirm = page.getByRole('dialog').filter({ hasText: `Закрыть вход: ${person.fullName}?` });
    await confirm.getByRole('button', { name: 'Закрыть вход' }).click();
    await page.getByRole('row').filter({ hasText: person.email }).getByText('вход закрыт').waitFor();
    // The same page as 73, one tag changed: axe has already checked it.
    await screenshot(page, '74-login-withdrawn');

    const replayed = await fetch(`${stack.baseUrl}/api/auth/me`, { headers: { cookie: `uplift_session=${session!.value}` } });
    expect(replayed.status).toBe(401);
    await director!.page.goto('/tasks');
    await director!.page.waitForURL((url) => url.pathname === '/login');
    await logIn(director!.page, person.email, person.password);
    await director!.page.getByText(BAD_CREDENTIALS).waitFor();
    await screenshot(director!.page, '75-director-refused');
  });

  it('names a deputy for a director of the region from «Заместители», seen on the school’s page', async () => {
    const principal = region.schools[0];
    const deputy = region.municipalities[0].coordinator;
    const principalName = 'Директорова Дарья (школа 1-1)';
    const deputyName = 'Координаторова Ксения (район 1)';
    const today = DateTime.now().setZone(ZONE).toISODate()!;
    const ru = (iso: string) => iso.split('-').reverse().join('.');
    const startsOn = addCalendarDays(today, 2);
    const endsOn = addCalendarDays(today, 9);

    await page.getByRole('navigation').getByRole('link', { name: 'Заместители' }).click();
    await page.getByRole('heading', { level: 1, name: 'Заместители' }).waitFor();
    await page.getByLabel('Сотрудник, которого замещают').fill('Директорова');
    await pickOption(page, principalName);
    expect(await page.getByLabel('Сотрудник, которого замещают').inputValue()).toBe(principal.director.email);
    // The field shows the address; whose it is is said beside it.
    await page.getByText(`${principalName} · ${principal.name}`, { exact: true }).waitFor();
    await page.getByLabel('Заместитель', { exact: true }).fill('Координаторова');
    await pickOption(page, deputyName);
    await page.getByPlaceholder('первый день').fill(ru(startsOn));
    await page.getByPlaceholder('первый день').press('Enter');
    await page.getByPlaceholder('последний день').fill(ru(endsOn));
    await page.getByPlaceholder('последний день').press('Enter');
    await page.getByLabel('Причина').fill('Курсы повышения квалификации');
    await screenshot(page, '76-name-deputy');
    await expectNoSeriousA11yViolations(page);
    await page.getByRole('button', { name: 'Назначить', exact: true }).click();
    await page.getByText(`Замещение назначено: ${principalName}; заместитель — ${deputyName}`, { exact: false }).waitFor();

    await page.goto(`/organizations/${principal.id}`);
    const substitutions = page.getByRole('region', { name: 'Замещения' });
    const row = substitutions.getByRole('row').filter({ hasText: deputy.email });
    await row.getByText('запланировано').waitFor();
    await row.getByText(`${ru(startsOn)} – ${ru(endsOn)}`).waitFor();
    await screenshot(page, '77-school-substitutions');
    await expectNoSeriousA11yViolations(page);
  });
});
