/**
 * Browser tests' tools: Debian's Chromium driven by playwright-core, the API (serving the built web app) on a port
 * fixed before start so that e-mail links point at it, screenshots, and axe-core accessibility checks.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Worker } from '@temporalio/worker';
import { createApiApp } from '../../apps/api/api-app';
import { createTaskActivities } from '../../activities';
import {
  DirectoryRepository,
  NotificationOutboxRepository,
  TaskRepository,
  taskRecordRepository,
} from '../../libs/persistence';
import type { WorkerStack } from './api-stack';
import { ApiClient } from './http';
import { SmtpSink } from './smtp-sink';
import { buildWorkerActivities } from './task-activities';
import { testConfig } from './test-config';
import { openHarness, testDataConverter, workflowBundle } from './worker-harness';
import { freePort } from '../../infra/support/ports';

/** Debian's package, or CHROMIUM_PATH. The machine has no internet, so Playwright's own browser builds are absent. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = path.resolve(__dirname, '../../test-output/screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const TABLET = { width: 768, height: 1024 };
/**
 * How long a wait for an element, a navigation or an e-mail may take before the test fails. Each wait ends as soon as
 * its event comes, so a generous bound costs a passing run nothing; it is there for a CI machine much busier than
 * ours (20 s was once exceeded on two cores shared with other test runs).
 */
export const UI_TIMEOUT_MS = 45_000;

/**
 * A headless Chromium that stays off the network: no component updates, sync, first-run pages or QUIC. Each launch
 * gets a fresh user-data dir (Playwright creates a temporary one and deletes it on close), and each context is a
 * separate cookie jar, so a "fresh browser" is a new context.
 */
export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/**
 * Records every Content-Security-Policy violation of the page in `window.__cspViolations` (an init script runs
 * through the DevTools protocol, so the policy does not apply to it): read by `cspViolations`.
 */
const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
  });
`;

/**
 * A new context (own cookies) and page at `baseUrl`, Russian locale, 1280×800 unless told. The app runs under the
 * API's real Content-Security-Policy (no bypass), so a page the policy breaks fails its test.
 */
export async function openPage(
  browser: Browser,
  baseUrl: string,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL: baseUrl, viewport, locale: 'ru-RU' });
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  context.setDefaultTimeout(UI_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(UI_TIMEOUT_MS);
  const page = await context.newPage();
  return { context, page };
}

/** A full-page PNG at test-output/screenshots/<name>.png (the folder is made on demand; it is gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

const AXE_SOURCE_PATH = require.resolve('axe-core/axe.min.js');

/** The page's serious and critical axe-core violations (WCAG 2.x A/AA rules and best practices), one line per node. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, not as an inline <script>: the app's CSP forbids inline scripts.
  await page.evaluate(`${fs.readFileSync(AXE_SOURCE_PATH, 'utf8')}\n;void 0`);
  // A string, so that this Node-typed project needs no DOM types; axe.run's promise is awaited by evaluate.
  const results = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] })')) as AxeResults;
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) =>
      v.nodes.map((n) => {
        const why = (n.failureSummary ?? '').replace(/\s+/g, ' ');
        return `${v.impact} ${v.id} (${v.help}): ${n.target.join(' ')} — ${why}`;
      }),
    );
}

/** Fails with the list of serious and critical violations on the page as it is now. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const violations = await seriousA11yViolations(page);
  if (violations.length) {
    const list = violations.join('\n');
    throw new Error(`${violations.length} serious or critical accessibility violation(s) on ${page.url()}:\n${list}`);
  }
}

/** The Content-Security-Policy violations the page has reported since it loaded (openPage records them). */
export async function cspViolations(page: Page): Promise<string[]> {
  return (await page.evaluate('window.__cspViolations ?? []')) as string[];
}

/** Fails with the violations when the page's CSP blocked anything (a script, a style, an image, a fetch). */
export async function expectNoCspViolations(page: Page): Promise<void> {
  const violations = await cspViolations(page);
  if (violations.length) throw new Error(`Content-Security-Policy violations on ${page.url()}:\n${violations.join('\n')}`);
}

/** Fills the log-in form by its labels and submits it. */
export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();
  await page.getByLabel('Электронная почта').fill(email);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
}

export { pollUntil } from './poll';

/** The visible text of the whole page. */
export function pageText(page: Page): Promise<string> {
  return page.locator('body').innerText();
}

/** The API serving the built web app, a worker and an SMTP sink; `publicUrl` is the API's own address. */
export interface WebStack extends WorkerStack {
  app: NestFastifyApplication;
  baseUrl: string;
  anonymous: ApiClient;
  taskQueue: string;
}

/**
 * Like startApiStack, but the port is chosen first so that the links in e-mails lead to this very API: the worker's
 * task activities render them from its address (the shared harness's worker writes http://uplift.test). The web
 * app must be served at `/` (the browser project's global setup builds it).
 */
export async function startWebStack(taskQueue: string): Promise<WebStack> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const sink = await SmtpSink.start();
  const harness = await openHarness(sink.url);
  const { dataSource, mailer } = harness;
  const worker = await Worker.create({
    connection: harness.env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter(),
    activities: {
      ...buildWorkerActivities(dataSource, mailer, harness.env.client),
      ...createTaskActivities({
        tasks: new TaskRepository(dataSource),
        records: taskRecordRepository(dataSource),
        directory: new DirectoryRepository(dataSource),
        outbox: new NotificationOutboxRepository(dataSource),
        mailer,
        publicUrl: baseUrl,
        messageIdDomain: 'uplift.test',
      }),
    },
  });
  const running = worker.run();
  const stopWorkers = async () => {
    worker.shutdown();
    await running;
    await harness.close();
    await sink.stop();
  };
  let app: NestFastifyApplication | undefined;
  try {
    app = await createApiApp({ ...testConfig({ taskQueue, smtpUrl: sink.url, port }), publicUrl: baseUrl });
    await app.listen(port, '127.0.0.1');
    const index = await fetch(`${baseUrl}/tasks`);
    const html = await index.text();
    if (index.status !== 200 || !html.includes('id="root"')) {
      throw new Error(`the API serves no web app at ${baseUrl}/tasks (${index.status}): is apps/web/dist built?`);
    }
  } catch (err) {
    // A worker left polling would keep jest from ending, and later fail on the stopped Temporal server.
    await app?.close();
    await stopWorkers();
    throw err;
  }
  const started = app;
  const stack: WebStack = {
    sink,
    harness,
    app: started,
    baseUrl,
    anonymous: new ApiClient(baseUrl),
    taskQueue,
    async close() {
      await started.close();
      await stopWorkers();
    },
  };
  return stack;
}

/** What has keyboard focus: its role (explicit or the tag), accessible-ish name and whether a focus ring shows. */
export interface Focused {
  tag: string;
  role: string | null;
  name: string;
  /** An outline or a box shadow is drawn around it: a sighted keyboard user sees where they are. */
  ringVisible: boolean;
}

/** Read in the page (a string: the test project's TypeScript has no DOM types). */
const FOCUSED_SCRIPT = `(() => {
  const el = document.activeElement;
  if (!el) return { tag: '', role: null, name: '', ringVisible: false };
  const labelledBy = el.getAttribute('aria-labelledby');
  const label =
    el.getAttribute('aria-label') ??
    (labelledBy ? document.getElementById(labelledBy)?.textContent : null) ??
    (el.labels?.[0]?.textContent || null) ??
    el.textContent ??
    '';
  const style = getComputedStyle(el);
  const ringVisible = (style.outlineStyle !== 'none' && style.outlineWidth !== '0px') || style.boxShadow !== 'none';
  return { tag: el.tagName.toLowerCase(), role: el.getAttribute('role'), name: label.trim(), ringVisible };
})()`;

export function focused(page: Page): Promise<Focused> {
  return page.evaluate(FOCUSED_SCRIPT) as Promise<Focused>;
}

/**
 * Presses Tab (Shift+Tab when `backwards`) until `wanted` holds for the focused element, as a keyboard user would
 * move through the page; fails after `maxPresses`, listing where focus went, so a control that Tab never reaches
 * is found.
 */
export async function tabUntil(page: Page, what: string, wanted: (f: Focused) => boolean, maxPresses = 60): Promise<Focused> {
  const visited: string[] = [];
  for (let i = 0; i < maxPresses; i += 1) {
    await page.keyboard.press('Tab');
    const now = await focused(page);
    if (wanted(now)) return now;
    visited.push(`${now.tag}${now.role ? `[${now.role}]` : ''} «${now.name.slice(0, 40)}»`);
  }
  throw new Error(`Tab never reached ${what} in ${maxPresses} presses; focus went: ${visited.join(' → ')}`);
}
