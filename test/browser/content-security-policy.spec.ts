/**
 * The web app under the API's real Content-Security-Policy, in Debian's Chromium against the real stack: the policy is
 * enforced (an inline script is refused), and the app renders and works with no violation on the screens that
 * inject styles at run time: Ant Design's CSS-in-JS on every page, CodeMirror's on the template editor of the cycle
 * launch. Violations are read both from the page's `securitypolicyviolation` events and from the console.
 */
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import {
  cspViolations,
  expectNoCspViolations,
  launchBrowser,
  logIn,
  openPage,
  screenshot,
  startWebStack,
  type WebStack,
} from '../support/browser';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();

let stack: WebStack;
let region: TestRegion;
let browser: Browser;
let page: Page;
/** Console lines in which Chromium reports a refusal by the policy. */
const consoleRefusals: string[] = [];

beforeAll(async () => {
  stack = await startWebStack(`browser-csp-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `csp${suffix}`.slice(0, 18),
    timeZone: 'Europe/Moscow',
    municipalities: 1,
    schoolsPerMunicipality: 1,
  });
  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
  page.on('console', (message: ConsoleMessage) => {
    if (/Content Security Policy/i.test(message.text())) consoleRefusals.push(message.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** No violation reported by the page, nor in the console. */
async function expectClean(): Promise<void> {
  await expectNoCspViolations(page);
  expect(consoleRefusals).toEqual([]);
}

describe('the web app under its Content-Security-Policy', () => {
  it('is served with the policy, which the browser enforces: an inline script is refused', async () => {
    const response = await page.goto('/login');
    const policy = response?.headers()['content-security-policy'] ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self' 'unsafe-inline'");
    expect(policy).toContain("frame-ancestors 'none'");
    await page.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();

    const ran = await page.evaluate(`(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineScriptRan = true';
      document.body.append(script);
      return new Promise((resolve) => setTimeout(() => resolve(window.__inlineScriptRan === true), 100));
    })()`);
    expect(ran).toBe(false);
    expect((await cspViolations(page)).join('\n')).toContain('script-src');
    // Start clean for the app itself.
    await page.reload();
    consoleRefusals.length = 0;
    await page.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();
    await expectClean();
  });

  it('renders the log-in page and the inbox styled by Ant Design, with no violation', async () => {
    await logIn(page, region.admin.email, REGION_PASSWORD);
    await page.waitForURL((url) => url.pathname === '/tasks');
    await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
    // Ant Design's run-time <style> elements applied: its layout is not the browser's unstyled default.
    const styled = await page.evaluate(
      `getComputedStyle(document.querySelector('.ant-layout') ?? document.body).display`,
    );
    expect(styled).toBe('flex');
    await screenshot(page, '40-csp-inbox');
    await expectClean();
  });

  it('opens the template editor (CodeMirror) of the cycle launch, types and checks a template, with no violation', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Циклы' }).click();
    await page.getByRole('heading', { level: 1, name: 'Циклы программы' }).waitFor();
    await page.getByRole('button', { name: 'Запустить цикл' }).click();
    await page.waitForURL((url) => url.pathname === '/cycles/new');
    await page.getByText('Свой шаблон (YAML)').click();
    const editor = page.locator('.cm-editor');
    await editor.waitFor();
    // CodeMirror's injected styles applied: its editor is a flex column with a scroller, not an unstyled div.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.cm-editor')).display`)).toBe('flex');
    await page.locator('.cm-content').click();
    await page.keyboard.type('id: csp-check\nversion: 1\nstages: []\n');
    await page.getByRole('button', { name: 'Проверить шаблон' }).click();
    await page.locator('.cm-problem-line, .ant-alert').first().waitFor();
    await screenshot(page, '41-csp-template-editor');
    await expectClean();
  });
});
