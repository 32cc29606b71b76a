/**
 * `npm run bench:web`: the first screen after log-in (the inbox at /tasks) in a real Chromium, against the real stack
 * holding a programme's worth of data (issue 9).
 *
 * Starts its own Temporal dev server and embedded PostgreSQL on free ports (test/bench/bench-stack.ts), the API in
 * this process serving the built web app (apps/web/dist; built first when missing) on a free port, and seeds, straight
 * into the directory and the task read model, the largest region: 60 municipalities, 1,500 schools and 40,000 task rows
 * spread over them, one municipality holding ~1,000 of them (its coordinator's inbox) and the ministry's administrator
 * seeing all of them. Then, for each persona, BENCH_WEB_RUNS times, each in a fresh browser context (no cookies, no
 * cache):
 *  - cold: the session cookie set by POST /api/auth/session, then a navigation to /tasks, timed from navigation start
 *    until the inbox's first row link is visible, and until it has taken focus in a task run after the next frame
 *    (painted and the main thread free: interactive); with Navigation Timing's DOMContentLoaded, the largest
 *    contentful paint, the long tasks, the API calls of the screen, and the JavaScript it loaded (bytes as sent, and
 *    gzipped at level 9 as a compressing server or proxy would send them);
 *  - log-in: the log-in form filled and sent, timed from the click on «Войти» to the same interactive first row.
 * Baselines, in the same run and the same fresh contexts: GET /api/health (a server round trip, no app) and the
 * log-in page (the same app shell, no data) until its heading is visible.
 * Targets: every persona's p95 interactive ≤ 2 s (cold and from log-in); the initial JavaScript (what index.html
 * loads) ≤ 400 KB gzipped. Writes bench/results/web-first-screen.json with every run's figures.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { createApiApp } from '../../apps/api/api-app';
import { LOGIN_PROTECTION_DEFAULTS, type AppConfig } from '../../libs/config';
import {
  DEFAULT_NOTIFICATION_POLICY,
  type EffectiveDeadline,
  type ScheduledNotification,
  type TaskContext,
  type TaskSnapshot,
  type TaskStatus,
} from '../../libs/contracts/deadline-task';
import { buildNotificationSchedule, resolveDeadline } from '../../libs/domain/deadline';
import { projectRoot } from '../../infra/support/project-root';
import { CHROMIUM_PATH, DESKTOP, launchBrowser, logIn } from '../support/browser';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { insertCycle, type InsertedCycle } from '../support/cycle-rows';
import { SmtpSink } from '../support/smtp-sink';
import { freePort } from '../../infra/support/ports';
import { log, percentile, runBench, startBenchStack } from './bench-stack';

const MUNICIPALITIES = Number(process.env.BENCH_MUNICIPALITIES ?? 60);
const SCHOOLS_PER_MUNICIPALITY = Number(process.env.BENCH_SCHOOLS_PER_MUNICIPALITY ?? 25);
const TASKS = Number(process.env.BENCH_WEB_TASKS ?? 40_000);
/** The tasks the measured coordinator's municipality and its schools hold: their inbox. */
const COORDINATOR_INBOX = Number(process.env.BENCH_WEB_COORDINATOR_TASKS ?? 1_000);
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 5);
const TARGETS = { interactiveMs: 2000, initialJsGzipKiB: 400 };
const ZONE = 'Asia/Yekaterinburg';
const ROOT = projectRoot();
const DIST = path.join(ROOT, 'apps', 'web', 'dist');
const RESULTS = path.join(ROOT, 'bench', 'results', 'web-first-screen.json');
const FIRST_ROW = '.ant-table-tbody tr.ant-table-row a[href^="/tasks/"]';

// ---------------------------------------------------------------------------------------------------------------
// Seeding: the region's directory, two cycles and the task read model as the projection writes it.

interface Allotment {
  assignee: string;
  supervisor: string;
  /** The organisation the work is about (a municipality's review is about one of its schools). */
  subject: string;
  count: number;
}

/**
 * Who holds the tasks: the ministry a few of its own, every municipality 50 (half of them reviews of its schools'
 * work), the measured municipality's schools enough to bring its inbox to COORDINATOR_INBOX, every other school an
 * even share of the rest.
 */
function allot(region: TestRegion): Allotment[] {
  const [target, ...others] = region.municipalities;
  const perMunicipality = 50;
  const out: Allotment[] = [{ assignee: region.ministryId, supervisor: region.ministryId, subject: region.ministryId, count: 50 }];
  for (const m of region.municipalities) {
    const schools = region.schools.filter((s) => s.municipalityId === m.id);
    for (let i = 0; i < perMunicipality; i++) {
      const subject = i % 2 ? schools[i % schools.length].id : m.id;
      out.push({ assignee: m.id, supervisor: region.ministryId, subject, count: 1 });
    }
  }
  const targetSchools = region.schools.filter((s) => s.municipalityId === target.id);
  const perTargetSchool = Math.max(0, Math.round((COORDINATOR_INBOX - perMunicipality) / targetSchools.length));
  for (const s of targetSchools) out.push({ assignee: s.id, supervisor: target.id, subject: s.id, count: perTargetSchool });
  const otherIds = new Set(others.map((m) => m.id));
  const otherSchools = region.schools.filter((s) => otherIds.has(s.municipalityId));
  const rest = Math.max(0, TASKS - out.reduce((n, a) => n + a.count, 0));
  otherSchools.forEach((s, i) => {
    const count = Math.floor(rest / otherSchools.length) + (i < rest % otherSchools.length ? 1 : 0);
    out.push({ assignee: s.id, supervisor: s.municipalityId, subject: s.id, count });
  });
  return out;
}

const TITLES: { title: string; stageId: string; stepKey: string; action: TaskContext['action'] }[] = [
  { title: 'Представить план мероприятий по повышению качества образования', stageId: 'plans', stepKey: 'school-plan', action: 'submit' },
  { title: 'Отчёт о мониторинге показателей за четверть', stageId: 'monitoring', stepKey: 'monitoring', action: 'report' },
  { title: 'Подтвердить соглашение о партнёрстве со школой-наставником', stageId: 'partners', stepKey: 'agreement', action: 'confirm_agreement' },
  { title: 'Рассмотреть план мероприятий школы', stageId: 'plans', stepKey: 'plan-review', action: 'review' },
  { title: 'Описание лучших практик по итогам года', stageId: 'practices', stepKey: 'best-practice', action: 'describe_practice' },
];

async function seedTasks(dataSource: DataSource, region: TestRegion, cycles: InsertedCycle[]): Promise<number> {
  const now = Date.now();
  const day = 86_400_000;
  // Deadlines from 120 days ago to 240 days ahead, on ~180 distinct days: resolved and scheduled once per day.
  const deadlines = new Map<string, { deadline: EffectiveDeadline; schedule: ScheduledNotification[] }>();
  const deadlineOn = (offsetDays: number) => {
    const local = new Date(now + offsetDays * day).toISOString().slice(0, 10);
    let found = deadlines.get(local);
    if (!found) {
      const deadline = resolveDeadline({ localDateTime: `${local}T18:00`, timeZone: ZONE, calendar: 'working-days' });
      const created = new Date(Date.parse(deadline.dueAt) - 30 * day);
      found = { deadline, schedule: buildNotificationSchedule(deadline, DEFAULT_NOTIFICATION_POLICY, 1, created) };
      deadlines.set(local, found);
    }
    return found;
  };
  const rows: unknown[][] = [];
  let n = 0;
  for (const a of allot(region)) {
    for (let i = 0; i < a.count; i++, n++) {
      const { deadline, schedule } = deadlineOn(-120 + ((n * 7919) % 360));
      const due = Date.parse(deadline.dueAt);
      const past = due < now;
      const roll = (n * 104_729) % 100;
      const status: TaskStatus = past ? (roll < 85 ? 'completed' : roll < 95 ? 'open' : 'cancelled') : roll < 90 ? 'open' : 'completed';
      const kind = TITLES[n % TITLES.length];
      const standalone = n % 5 === 4;
      const createdAt = new Date(due - 30 * day).toISOString();
      const closedAt = status === 'open' ? null : new Date(Math.min(now, due - ((n % 10) - 2) * day)).toISOString();
      const id = `bench-web-${n}`;
      const snapshot: TaskSnapshot = {
        taskId: id,
        workflowId: `task:${id}`,
        title: standalone ? `Предоставить сведения по запросу министерства № ${n}` : kind.title,
        status,
        assigneeOrganizationId: a.assignee,
        supervisorOrganizationId: a.supervisor,
        deadline,
        deadlineRevision: 1,
        policy: DEFAULT_NOTIFICATION_POLICY,
        schedule,
        sentSteps: schedule.filter((s) => Date.parse(s.at) < Math.min(now, closedAt ? Date.parse(closedAt) : now)).map((s) => s.stepKey),
        createdBy: region.admin.email,
        createdAt,
        ...(status === 'completed'
          ? { completedAt: closedAt!, completedBy: region.admin.email, completedLate: Date.parse(closedAt!) > due, result: { comment: 'Выполнено' } }
          : {}),
        ...(status === 'cancelled' ? { cancelledAt: closedAt!, cancelReason: 'Организация исключена из программы' } : {}),
        ...(standalone
          ? {}
          : {
              context: {
                cycleId: cycles[n % cycles.length].id,
                stageId: kind.stageId,
                stepKey: kind.stepKey,
                action: kind.action,
                subjectOrganizationId: a.subject,
                document: 'optional' as const,
              },
            }),
        legalBasis: 'Приказ министерства образования от 15.08.2026 № 1234',
        version: status === 'open' ? 1 : 2,
      };
      rows.push([id, snapshot.workflowId, snapshot.title, status, a.assignee, a.supervisor, deadline.dueAt, ZONE, createdAt, closedAt, snapshot.version, JSON.stringify(snapshot)]);
    }
  }
  const columns = 12;
  for (let at = 0; at < rows.length; at += 1000) {
    const batch = rows.slice(at, at + 1000);
    const values = batch.map((_, r) => `(${Array.from({ length: columns }, (__, c) => `$${r * columns + c + 1}`).join(', ')})`).join(', ');
    await dataSource.query(
      `INSERT INTO tasks (id, workflow_id, title, status, assignee_organization_id, supervisor_organization_id, due_at, time_zone,
                          created_at, closed_at, version, snapshot) VALUES ${values}`,
      batch.flat(),
    );
  }
  // What autovacuum would have done long before anyone opened the inbox of a region this size.
  await dataSource.query('VACUUM ANALYZE tasks');
  await dataSource.query('ANALYZE organizations');
  return rows.length;
}

// ---------------------------------------------------------------------------------------------------------------
// In the page: observers installed before any of the app's scripts run. A string, as this Node-typed project has no
// DOM types. Times are performance.now(), i.e. milliseconds from the navigation's start.

const PAGE_PROBE = `(() => {
  const b = (window.__bench = { lcp: null, longTasks: [], firstRow: null, interactive: null, submitAt: null });
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) b.lcp = e.startTime; })
      .observe({ type: 'largest-contentful-paint', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longTasks.push([e.startTime, e.duration]); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
  addEventListener('click', (e) => {
    if (e.target instanceof Element && e.target.closest('button[type=submit]')) b.submitAt = e.timeStamp;
  }, true);
  const check = () => {
    if (b.firstRow !== null) return;
    const link = document.querySelector(${JSON.stringify(FIRST_ROW)});
    if (!link || !link.checkVisibility()) return;
    b.firstRow = performance.now();
    observer.disconnect();
    // After the next frame, in a task of its own: the row is painted and the main thread free to take input.
    requestAnimationFrame(() => setTimeout(() => {
      link.focus();
      if (document.activeElement === link) b.interactive = performance.now();
      else b.focusFailed = true;
    }, 0));
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'style', 'hidden'] });
})();`;

interface ProbeResult {
  lcp: number | null;
  longTasks: [number, number][];
  firstRow: number | null;
  interactive: number | null;
  submitAt: number | null;
  focusFailed?: boolean;
  domContentLoaded: number;
  load: number;
  resources: { name: string; initiatorType: string; startTime: number; responseEnd: number; transferSize: number; encodedBodySize: number }[];
}

const READ_PROBE = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    ...window.__bench,
    domContentLoaded: nav ? nav.domContentLoadedEventEnd : null,
    load: nav ? nav.loadEventEnd : null,
    resources: performance.getEntriesByType('resource').map((r) => ({
      name: r.name, initiatorType: r.initiatorType, startTime: r.startTime, responseEnd: r.responseEnd,
      transferSize: r.transferSize, encodedBodySize: r.encodedBodySize,
    })),
  };
})()`;

// ---------------------------------------------------------------------------------------------------------------
// Measuring.

interface Persona {
  key: string;
  role: string;
  email: string;
  /** What the inbox says it holds, read from the API as a check of the seeding. */
  inboxTotal?: number;
}

interface JsFigures {
  files: number;
  rawBytes: number;
  transferredBytes: number;
  gzipBytes: number;
}

interface ScreenRun {
  firstRowMs: number;
  interactiveMs: number;
  domContentLoadedMs: number;
  loadMs: number;
  lcpMs: number | null;
  longTasks: number;
  longTasksMs: number;
  api: Record<string, number>;
  js: JsFigures;
  /** What the page fetched before it was interactive: path, start and end in ms from navigation start. */
  waterfall: [string, number, number][];
}

interface LoginRun {
  /** From the click on «Войти» to the first row, and to the first row taking focus. */
  firstRowMs: number;
  interactiveMs: number;
  js: JsFigures;
}

/** Sizes of the scripts as served, by path (hashed names: one content per path), gzipped at level 9 as README measures. */
const served = new Map<string, { raw: number; gzip: number }>();
function assetSize(urlPath: string): { raw: number; gzip: number } {
  const size = served.get(urlPath);
  if (!size) throw new Error(`${urlPath} was loaded but its body was not recorded`);
  return size;
}

/** Records the body of every script the page receives. */
function recordScripts(page: Page, pending: Promise<void>[]): void {
  page.on('response', (response) => {
    const urlPath = new URL(response.url()).pathname;
    if (!urlPath.endsWith('.js') || served.has(urlPath)) return;
    pending.push(
      response.body().then((body) => {
        served.set(urlPath, { raw: body.byteLength, gzip: zlib.gzipSync(body, { level: 9 }).byteLength });
      }),
    );
  });
}

function jsFigures(resources: ProbeResult['resources'], until = Infinity): JsFigures {
  const js = resources.filter((r) => new URL(r.name).pathname.endsWith('.js') && r.startTime <= until);
  const sizes = js.map((r) => assetSize(new URL(r.name).pathname));
  return {
    files: js.length,
    rawBytes: sizes.reduce((n, s) => n + s.raw, 0),
    transferredBytes: js.reduce((n, r) => n + r.transferSize, 0),
    gzipBytes: sizes.reduce((n, s) => n + s.gzip, 0),
  };
}

/** The JavaScript index.html asks for before anything renders: its module script and module preloads. */
async function initialJs(baseUrl: string): Promise<{ files: string[]; rawBytes: number; gzipBytes: number }> {
  const html = await (await fetch(`${baseUrl}/`)).text();
  const files = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  const sizes = await Promise.all(
    files.map(async (file) => {
      const body = Buffer.from(await (await fetch(`${baseUrl}${file}`)).arrayBuffer());
      return { raw: body.byteLength, gzip: zlib.gzipSync(body, { level: 9 }).byteLength };
    }),
  );
  return { files, rawBytes: sizes.reduce((n, s) => n + s.raw, 0), gzipBytes: sizes.reduce((n, s) => n + s.gzip, 0) };
}

const round = (ms: number) => Math.round(ms);

async function freshPage(browser: Browser, baseUrl: string): Promise<{ context: BrowserContext; page: Page; bodies: Promise<void>[] }> {
  // bypassCSP: the probe polls with page.waitForFunction, which Playwright evaluates from a string, and the app's CSP
  // (script-src 'self', no eval) would refuse it; the policy costs the page nothing measurable either way.
  const context = await browser.newContext({ baseURL: baseUrl, viewport: DESKTOP, locale: 'ru-RU', bypassCSP: true });
  context.setDefaultTimeout(30_000);
  await context.addInitScript({ content: PAGE_PROBE });
  const page = await context.newPage();
  const bodies: Promise<void>[] = [];
  recordScripts(page, bodies);
  return { context, page, bodies };
}

async function waitInteractive(page: Page): Promise<ProbeResult> {
  await page.waitForFunction('window.__bench && (window.__bench.interactive !== null || window.__bench.focusFailed)', undefined, { timeout: 30_000 });
  const probe = (await page.evaluate(READ_PROBE)) as ProbeResult;
  if (probe.focusFailed || probe.interactive === null || probe.firstRow === null) {
    throw new Error(`the first row's link at ${page.url()} did not take focus`);
  }
  // The same, as Playwright judges a click would land (visible, stable, enabled, not covered).
  await page.locator(FIRST_ROW).first().click({ trial: true });
  return probe;
}

async function coldFirstScreen(browser: Browser, baseUrl: string, persona: Persona): Promise<ScreenRun> {
  const { context, page, bodies } = await freshPage(browser, baseUrl);
  try {
    const session = await context.request.post('/api/auth/session', { data: { email: persona.email, password: REGION_PASSWORD } });
    if (!session.ok()) throw new Error(`log-in of ${persona.email}: ${session.status()} ${await session.text()}`);
    await page.goto('/tasks', { waitUntil: 'commit' });
    const p = await waitInteractive(page);
    await Promise.all(bodies);
    const api: Record<string, number> = {};
    for (const r of p.resources) {
      const url = new URL(r.name);
      if (url.pathname.startsWith('/api/') && r.startTime <= p.interactive!) api[url.pathname] = round(r.responseEnd - r.startTime);
    }
    const longTasks = p.longTasks.filter(([start]) => start <= p.interactive!);
    return {
      firstRowMs: round(p.firstRow!),
      interactiveMs: round(p.interactive!),
      domContentLoadedMs: round(p.domContentLoaded),
      loadMs: round(p.load),
      lcpMs: p.lcp === null ? null : round(p.lcp),
      longTasks: longTasks.length,
      longTasksMs: round(longTasks.reduce((n, [, d]) => n + d, 0)),
      api,
      js: jsFigures(p.resources, p.interactive!),
      waterfall: p.resources
        .filter((r) => r.startTime <= p.interactive!)
        .map((r): [string, number, number] => [new URL(r.name).pathname, round(r.startTime), round(r.responseEnd)]),
    };
  } finally {
    await context.close();
  }
}

async function loginToFirstScreen(browser: Browser, baseUrl: string, persona: Persona): Promise<LoginRun> {
  const { context, page, bodies } = await freshPage(browser, baseUrl);
  try {
    await page.goto('/login');
    await logIn(page, persona.email, REGION_PASSWORD);
    const p = await waitInteractive(page);
    await Promise.all(bodies);
    if (p.submitAt === null) throw new Error('the click on «Войти» was not seen');
    return {
      firstRowMs: round(p.firstRow! - p.submitAt),
      interactiveMs: round(p.interactive! - p.submitAt),
      js: jsFigures(p.resources.filter((r) => r.startTime >= p.submitAt!), p.interactive!),
    };
  } finally {
    await context.close();
  }
}

interface BaselineRun {
  healthMs: number;
  loginPageMs: number;
}

async function baseline(browser: Browser, baseUrl: string): Promise<BaselineRun> {
  const { context, page } = await freshPage(browser, baseUrl);
  try {
    const health = await page.goto('/api/health', { waitUntil: 'load' });
    if (health?.status() !== 200) throw new Error(`GET /api/health answered ${health?.status()}: ${await health?.text()}`);
    const healthMs = (await page.evaluate(`performance.getEntriesByType('navigation')[0].loadEventEnd`)) as number;
    const login = await context.newPage();
    await login.goto('/login', { waitUntil: 'commit' });
    await login.getByRole('heading', { name: 'Вход в Uplift' }).waitFor();
    const loginPageMs = (await login.evaluate('performance.now()')) as number;
    return { healthMs: round(healthMs), loginPageMs: round(loginPageMs) };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), min: sorted[0], max: sorted[sorted.length - 1] };
};
const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const pad = (s: string | number, n: number) => String(s).padStart(n);

async function bench(): Promise<(string | false)[]> {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    log('apps/web/dist is missing: npm run build:web');
    const built = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build:web failed');
  }
  const ports = { temporal: await freePort(), postgres: await freePort(), api: await freePort() };
  const stack = await startBenchStack('web', { temporal: ports.temporal, postgres: ports.postgres });
  const sink = await SmtpSink.start();
  const baseUrl = `http://127.0.0.1:${ports.api}`;
  const config: AppConfig = {
    databaseUrl: stack.databaseUrl,
    temporal: { address: stack.temporalAddress, namespace: 'default', taskQueue: stack.taskQueue, maxCachedWorkflows: 100, updateTimeoutMs: 15_000 },
    mail: { smtpUrl: sink.url, from: 'Uplift <no-reply@uplift.bench>', messageIdDomain: 'uplift.bench' },
    publicUrl: baseUrl,
    http: { port: ports.api, host: '127.0.0.1', maxBodyBytes: 64 * 1024 },
    seedDemo: false,
    allowCompressedCalendar: false,
    auth: { jwtSecret: 'uplift-bench-secret-0123456789abcdefghijklmnop', jwtTtlSeconds: 3600, bcryptCost: 4 },
    // Every run logs each persona in twice within the minute: the per-account limit would measure 429s, not screens.
    loginProtection: { ...LOGIN_PROTECTION_DEFAULTS, perAddressPerMinute: 10_000, perAccountPerMinute: 10_000 },
  };
  const app = await createApiApp(config);
  await app.listen(ports.api, '127.0.0.1');
  let browser: Browser | undefined;
  try {
    let t0 = performance.now();
    const region = await createTestRegion(stack.dataSource, {
      code: 'bench',
      timeZone: ZONE,
      municipalities: MUNICIPALITIES,
      schoolsPerMunicipality: SCHOOLS_PER_MUNICIPALITY,
    });
    const cycles = [
      await insertCycle(stack.dataSource, 'web-a', { regionCode: region.code, ministryId: region.ministryId, participants: [] }),
      await insertCycle(stack.dataSource, 'web-b', { regionCode: region.code, ministryId: region.ministryId, participants: [] }),
    ];
    log(`directory: ${MUNICIPALITIES} municipalities, ${region.schools.length} schools in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    t0 = performance.now();
    const taskCount = await seedTasks(stack.dataSource, region, cycles);
    log(`tasks: ${taskCount} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const personas: Persona[] = [
      { key: 'coordinator', role: 'municipal_coordinator', email: region.municipalities[0].coordinator.email },
      { key: 'ministry', role: 'ministry_admin', email: region.admin.email },
    ];
    // The inbox's SQL as the API sends it, captured from the API's own DataSource and explained on the seeded data.
    const apiDataSource = app.get(DataSource);
    const original = apiDataSource.logger;
    let captured: { query: string; parameters?: unknown[] }[] = [];
    apiDataSource.logger = Object.assign(Object.create(original) as typeof original, {
      logQuery: (query: string, parameters?: unknown[]) => {
        if (/FROM "tasks"/.test(query)) captured.push({ query, parameters });
      },
    });
    const plans: Record<string, { query: string; executionMs: number; plan: string[] }[]> = {};
    for (const persona of personas) {
      captured = [];
      const login = await fetch(`${baseUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: persona.email, password: REGION_PASSWORD }),
      });
      const { accessToken } = (await login.json()) as { accessToken: string };
      const inbox = await fetch(`${baseUrl}/api/tasks?limit=20&offset=0`, { headers: { authorization: `Bearer ${accessToken}` } });
      persona.inboxTotal = ((await inbox.json()) as { total: number }).total;
      log(`${persona.key} (${persona.role}, ${persona.email}): ${persona.inboxTotal} tasks in the inbox`);
      plans[persona.key] = [];
      for (const { query, parameters } of captured) {
        const rows = (await stack.dataSource.query(`EXPLAIN (ANALYZE, BUFFERS) ${query}`, parameters)) as { 'QUERY PLAN': string }[];
        const plan = rows.map((r) => r['QUERY PLAN']);
        const executionMs = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? NaN);
        plans[persona.key].push({ query: query.replace(/\s+/g, ' '), executionMs, plan });
        log(`  inbox SQL ${executionMs.toFixed(1)} ms: ${plan[0].trim()}`);
      }
    }
    apiDataSource.logger = original;

    browser = await launchBrowser();
    // One unmeasured pass, so that the first measured run does not pay for the browser's and the server's warm-up.
    await baseline(browser, baseUrl);
    for (const persona of personas) await coldFirstScreen(browser, baseUrl, persona);

    const runs: { baseline: BaselineRun[]; cold: Record<string, ScreenRun[]>; login: Record<string, LoginRun[]> } = {
      baseline: [],
      cold: Object.fromEntries(personas.map((p) => [p.key, []])),
      login: Object.fromEntries(personas.map((p) => [p.key, []])),
    };
    for (let run = 1; run <= RUNS; run++) {
      runs.baseline.push(await baseline(browser, baseUrl));
      for (const persona of personas) {
        runs.cold[persona.key].push(await coldFirstScreen(browser, baseUrl, persona));
        runs.login[persona.key].push(await loginToFirstScreen(browser, baseUrl, persona));
      }
      const c = personas.map((p) => `${p.key} ${runs.cold[p.key][run - 1].interactiveMs} ms / log-in ${runs.login[p.key][run - 1].interactiveMs} ms`);
      log(`run ${run}/${RUNS}: health ${runs.baseline[run - 1].healthMs} ms, log-in page ${runs.baseline[run - 1].loginPageMs} ms; ${c.join('; ')}`);
    }

    const healthStats = stats(runs.baseline.map((b) => b.healthMs));
    const loginPageStats = stats(runs.baseline.map((b) => b.loginPageMs));
    const initial = await initialJs(baseUrl);
    const summary = personas.map((p) => {
      const cold = runs.cold[p.key];
      const interactive = stats(cold.map((r) => r.interactiveMs));
      return {
        persona: p.key,
        role: p.role,
        email: p.email,
        inboxTotal: p.inboxTotal,
        cold: {
          firstRowMs: stats(cold.map((r) => r.firstRowMs)),
          interactiveMs: interactive,
          domContentLoadedMs: stats(cold.map((r) => r.domContentLoadedMs)),
          lcpMs: stats(cold.map((r) => r.lcpMs ?? NaN).filter((v) => !Number.isNaN(v))),
          longTasksMs: stats(cold.map((r) => r.longTasksMs)),
          apiTasksMs: stats(cold.map((r) => r.api['/api/tasks'] ?? NaN).filter((v) => !Number.isNaN(v))),
          js: cold[cold.length - 1].js,
          ratioToHealth: Math.round((interactive.median / healthStats.median) * 10) / 10,
          ratioToLoginPage: Math.round((interactive.median / loginPageStats.median) * 100) / 100,
        },
        login: {
          firstRowMs: stats(runs.login[p.key].map((r) => r.firstRowMs)),
          interactiveMs: stats(runs.login[p.key].map((r) => r.interactiveMs)),
          js: runs.login[p.key][runs.login[p.key].length - 1].js,
        },
      };
    });

    log('');
    log(`first screen (/tasks), ${RUNS} runs per persona, each in a fresh browser context; ms from navigation start`);
    log(`${'persona'.padEnd(12)}${pad('inbox', 7)}${pad('DCL', 7)}${pad('LCP', 7)}${pad('row', 7)}${pad('inter.', 8)}${pad('p95', 7)}${pad('/api/tasks', 11)}${pad('long', 7)}${pad('JS gz KiB', 11)}${pad('× login pg', 11)}`);
    for (const s of summary) {
      log(
        `${s.persona.padEnd(12)}${pad(s.inboxTotal ?? '', 7)}${pad(s.cold.domContentLoadedMs.median, 7)}${pad(s.cold.lcpMs.median ?? '', 7)}` +
          `${pad(s.cold.firstRowMs.median, 7)}${pad(s.cold.interactiveMs.median, 8)}${pad(s.cold.interactiveMs.p95, 7)}` +
          `${pad(s.cold.apiTasksMs.median ?? '', 11)}${pad(s.cold.longTasksMs.median, 7)}${pad(kib(s.cold.js.gzipBytes), 11)}${pad(s.cold.ratioToLoginPage, 11)}`,
      );
    }
    for (const s of summary) {
      log(`after log-in (${s.persona}): click on «Войти» → first row ${s.login.firstRowMs.median} ms, interactive ${s.login.interactiveMs.median} ms (p95 ${s.login.interactiveMs.p95}), ${kib(s.login.js.gzipBytes)} KiB JS gzipped loaded meanwhile`);
    }
    log(`baseline: GET /api/health loaded in ${healthStats.median} ms (p95 ${healthStats.p95}); log-in page (app shell, no data) ${loginPageStats.median} ms (p95 ${loginPageStats.p95})`);
    log(`initial JavaScript (index.html): ${initial.files.length} files, ${kib(initial.rawBytes)} KiB, ${kib(initial.gzipBytes)} KiB gzipped; served uncompressed (transferred ${kib(summary[0].cold.js.transferredBytes)} KiB on the coordinator's first screen)`);

    const cpus = os.cpus();
    const result = {
      bench: 'web-first-screen',
      date: new Date().toISOString(),
      command: 'npm run bench:web',
      parameters: { municipalities: MUNICIPALITIES, schools: region.schools.length, tasks: taskCount, coordinatorInbox: COORDINATOR_INBOX, runs: RUNS, viewport: DESKTOP },
      machine: {
        cpu: cpus[0]?.model,
        cores: cpus.length,
        memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
        platform: `${os.platform()} ${os.release()}`,
        node: process.version,
        chromium: `${browser.version()} (${CHROMIUM_PATH})`,
        loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
      },
      targets: TARGETS,
      initialJs: initial,
      baseline: { healthMs: healthStats, loginPageMs: loginPageStats },
      summary,
      inboxQueryPlans: plans,
      runs,
    };
    fs.mkdirSync(path.dirname(RESULTS), { recursive: true });
    fs.writeFileSync(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
    log(`written ${path.relative(ROOT, RESULTS)}`);

    return [
      ...summary.flatMap((s) => [
        s.cold.interactiveMs.p95 > TARGETS.interactiveMs &&
          `${s.persona}: first screen interactive at p95 ${s.cold.interactiveMs.p95} ms (target ${TARGETS.interactiveMs} ms)`,
        s.login.interactiveMs.p95 > TARGETS.interactiveMs &&
          `${s.persona}: log-in to interactive inbox at p95 ${s.login.interactiveMs.p95} ms (target ${TARGETS.interactiveMs} ms)`,
      ]),
      kib(initial.gzipBytes) > TARGETS.initialJsGzipKiB &&
        `initial JavaScript ${kib(initial.gzipBytes)} KiB gzipped (target ${TARGETS.initialJsGzipKiB} KiB)`,
    ];
  } finally {
    await browser?.close();
    await app.close();
    await sink.stop();
    await stack.close();
  }
}

runBench(bench);
