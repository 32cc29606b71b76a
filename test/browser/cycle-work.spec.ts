/**
 * The work of a yearly cycle in the web app, in Debian's Chromium against the real stack, on a compressed cycle of the
 * shipped `default` template prepared through the API (launched, identification files imported, the list approved):
 * the municipal coordinator fills in the municipal plan (the form built from the template, with its document), the
 * ministry's reviewer returns it with a remark, the coordinator answers the remark and sends version 2, the reviewer
 * approves it; the coordinator proposes the partner pair, the school and the municipality (with the signed document)
 * confirm the agreement; the school reports a monitoring period and the ministry sees it on the dashboard's chart.
 *
 * The steps no one watches here (the institute's analysis, the schools' transition programmes and their review, the
 * ministry's order, the partner school's confirmation) are done through the API by a background loop as soon as
 * their tasks appear. Nothing waits for elapsed time: every wait is for a task, an element or a request.
 * Screens are saved as test-output/screenshots/3x-*.png; the main ones must pass axe-core.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are JSON the test picks apart */
import type { Browser, Page } from 'playwright-core';
import type { CycleTemplate, ResolvedCyclePlan } from '../../libs/contracts/cycle-template';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { programmeFirstYear, resolveCyclePlan } from '../../libs/domain/cycle-template';
import { localToEpochMs } from '../../libs/domain/cycle-schedule';
import { loadBuiltinTemplates } from '../../libs/templates';
import {
  expectNoSeriousA11yViolations,
  launchBrowser,
  logIn,
  openPage,
  pollUntil,
  screenshot,
  startWebStack,
  UI_TIMEOUT_MS,
  type WebStack,
} from '../support/browser';
import { sampleFormValues, uploadDocument } from '../support/cycle-driver';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { buildIdentificationFiles } from '../support/fixtures/identification-files';
import { confirmedBy } from '../support/four-eyes';
import type { ApiClient } from '../support/http';
import { uniqueSuffix } from '../support/test-config';

const suffix = uniqueSuffix();
const template = loadBuiltinTemplates().find((t) => t.id === 'default') as CycleTemplate;
const YEAR = programmeFirstYear(template);
/** The compressed year lasts about this long from its first date to its last. */
const CYCLE_SECONDS = 100;
/** How long a wait for a task the cycle issues may take on a busy two-core machine. */
const TASK_TIMEOUT_MS = 60_000;

const PLAN_STEP = 'municipal-plan';
const PLAN_TITLE = 'Муниципальный план действий по поддержке школ с низкими результатами';
const PLAN_FORM_TITLE = 'Муниципальный план действий по поддержке школ с низкими образовательными результатами';
const REMARK = 'Не указаны сроки мероприятий по повышению квалификации учителей';
const ANSWER = 'Сроки указаны в таблице мероприятий: курсы повышения квалификации — до 15.12.2026';
const PDF = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n`);

let stack: WebStack;
let region: TestRegion;
let admin: ApiClient;
/** The second person of the ministry: confirms the administrator's launch and cancellation (four eyes). */
let confirmer: ApiClient;
let browser: Browser;
let cycleId: string;
let plan: ResolvedCyclePlan;
let coordinator: Page;
let reviewer: Page;
let director: Page;
let autopilot: Autopilot;
/** The monitoring period the school reports in the browser («IV квартал 2026»). */
let reportedPeriod: string;

const municipality = () => region.municipalities[0];
const participant = () => region.schools[0];

/** Seconds per real day so that the template's whole timeline lasts about CYCLE_SECONDS (as cycle-full does). */
function secondsPerDay(): number {
  const resolved = resolveCyclePlan(template, { academicYear: YEAR });
  const instants = resolved.stages
    .flatMap((s) => s.steps)
    .flatMap((s) => [s.dueLocal, s.opensAt, ...(s.periods ?? []).flatMap((p) => [p.opensAt, p.dueLocal])])
    .filter((v): v is string => Boolean(v))
    .map((local) => localToEpochMs(local, resolved.timeZone));
  const spanDays = (Math.max(...instants) - Math.min(...instants)) / 86_400_000;
  return Math.max(0.05, Math.round((CYCLE_SECONDS / spanDays) * 1000) / 1000);
}

async function openTasks(): Promise<TaskSnapshot[]> {
  const rows: { snapshot: TaskSnapshot }[] = await stack.harness.dataSource.query(
    `SELECT snapshot FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1 ORDER BY created_at`,
    [cycleId],
  );
  return rows.map((r) => r.snapshot);
}

/** The first open task of the cycle that `match` accepts, once the cycle has issued it. */
function waitForTask(what: string, match: (t: TaskSnapshot) => boolean): Promise<TaskSnapshot> {
  return pollUntil(
    `an open task for ${what}`,
    async () => (await openTasks()).find(match),
    TASK_TIMEOUT_MS,
    async () => `open: ${(await openTasks()).map((t) => `${t.taskId} (${t.context?.action})`).join(', ')}`,
  );
}

/** The tasks the browser does, left alone by the autopilot. */
function watched(task: TaskSnapshot): boolean {
  const c = task.context!;
  if (c.stepKey === PLAN_STEP) return true;
  if (c.action === 'propose_pairs' || c.action === 'report' || c.action === 'approve_list') return true;
  return c.action === 'confirm_agreement' && !c.party?.endsWith('-partner');
}

/** Acts through the API on every open task of the cycle that the browser does not, until stopped. */
class Autopilot {
  private stopped = false;
  private readonly done = new Set<string>();
  private readonly clients = new Map<string, ApiClient>();
  readonly running: Promise<void>;
  error: unknown;

  constructor() {
    this.running = this.loop().catch((err: unknown) => {
      this.error = err;
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      for (const task of await openTasks()) {
        if (this.stopped) return;
        if (!this.done.has(task.taskId) && !watched(task)) await this.act(task);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private async client(organizationId: string): Promise<ApiClient> {
    const r = region;
    const person =
      organizationId === r.ministryId
        ? r.admin
        : organizationId === r.instituteId
          ? r.curator
          : (r.municipalities.find((m) => m.id === organizationId)?.coordinator ?? r.schools.find((s) => s.id === organizationId)?.director);
    if (!person) throw new Error(`no one acts for ${organizationId}`);
    let client = this.clients.get(person.email);
    if (!client) {
      client = await stack.anonymous.as(person.email, REGION_PASSWORD);
      this.clients.set(person.email, client);
    }
    return client;
  }

  private async act(task: TaskSnapshot): Promise<void> {
    const c = task.context!;
    const client = await this.client(task.assigneeOrganizationId);
    const path = `/api/tasks/${encodeURIComponent(task.taskId)}`;
    let response;
    switch (c.action) {
      case 'perform':
        response = await client.post(`${path}/submission`, { comment: 'Мероприятие проведено' });
        break;
      case 'submit':
      case 'describe_practice': {
        const body: Record<string, unknown> = { comment: 'Представлено' };
        if (c.document === 'required') body.documentId = await uploadDocument(client, `${task.title}.pdf`, task.taskId);
        if (c.formId) body.form = sampleFormValues(plan.forms[c.formId]);
        response = await client.post(`${path}/submission`, body);
        break;
      }
      case 'review':
        response = await client.post(`${path}/review`, { decision: 'approved', comment: 'Утверждено' });
        break;
      case 'confirm_agreement':
        response = await client.post(`${path}/confirm-agreement`, {});
        break;
      default:
        return;
    }
    if (response.status === 200 || response.status === 201) this.done.add(task.taskId);
    else if (response.status !== 409) throw new Error(`${c.action} on ${task.taskId}: ${response.status} ${response.text}`);
  }
}

async function putFile(client: ApiClient, path: string, fileName: string, body: Buffer, contentType: string): Promise<void> {
  const response = await fetch(`${stack.baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': contentType, 'x-file-name': encodeURIComponent(fileName) },
    body,
  });
  if (response.status >= 300) throw new Error(`PUT ${path}: ${response.status} ${await response.text()}`);
}

/** A fresh browser context logged in as `email`, on «Мои задачи». */
async function signIn(email: string): Promise<Page> {
  const { page } = await openPage(browser, stack.baseUrl);
  await page.goto('/tasks');
  await logIn(page, email, REGION_PASSWORD);
  await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
  return page;
}

/** Opens a task from the person's inbox by its title (the inbox is read afresh). */
async function openFromInbox(page: Page, title: string, taskId: string): Promise<void> {
  await page.goto('/tasks?status=open');
  await page.getByRole('heading', { name: 'Мои задачи' }).waitFor();
  await page.getByRole('link', { name: title, exact: true }).click();
  await page.waitForURL((url) => url.pathname === `/tasks/${encodeURIComponent(taskId)}`);
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

/** Chooses a file through the picker the button opens, as a person would in the system dialog. */
async function chooseFile(page: Page, buttonName: string, name: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: buttonName }).click();
  await (await chooser).setFiles({ name, mimeType: 'application/pdf', buffer: PDF(name) });
  await page.getByText(new RegExp(`^${name.replace(/[.()]/g, '\\$&')} \\(`)).waitFor();
}

beforeAll(async () => {
  stack = await startWebStack(`browser-work-${suffix}`);
  region = await createTestRegion(stack.harness.dataSource, {
    code: `bw${suffix}`.slice(0, 18),
    timeZone: template.timeZone,
    municipalities: 1,
    schoolsPerMunicipality: 3,
  });
  admin = await stack.anonymous.as(region.admin.email, REGION_PASSWORD);
  confirmer = await stack.anonymous.as(region.reviewer.email, REGION_PASSWORD);
  const launched = await confirmedBy(
    confirmer,
    admin.post('/api/cycles', { templateId: 'default', academicYear: YEAR, compression: { secondsPerDay: secondsPerDay() } }),
  );
  if (launched.status !== 200) throw new Error(`launch: ${launched.status} ${launched.text}`);
  cycleId = launched.body.id;
  const rows: { plan: ResolvedCyclePlan }[] = await stack.harness.dataSource.query(`SELECT plan FROM cycles WHERE id = $1`, [cycleId]);
  plan = rows[0].plan;
  autopilot = new Autopilot();

  // Identification: three years of results and the social passports; the lowest school is the one participant.
  const files = await buildIdentificationFiles({
    schools: region.schools.map((s) => ({ code: s.code, name: s.name, municipality: s.municipalityId })),
    years: [YEAR - 3, YEAR - 2, YEAR - 1],
    lowSchools: [participant().code],
  });
  const base = `/api/cycles/${encodeURIComponent(cycleId)}/identification`;
  await putFile(admin, `${base}/files/results`, 'Результаты ВПР.xlsx', files.resultsXlsx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  await putFile(admin, `${base}/files/social`, 'Социальный паспорт.csv', files.socialCsv, 'text/csv');
  // The approval is accepted once the cycle's identification step has issued its task.
  await waitForTask('the list approval', (t) => t.context?.action === 'approve_list');
  const approved = await admin.post(`${base}/approve`, { comment: 'Список утверждён распоряжением министерства' });
  if (approved.status !== 200) throw new Error(`approve: ${approved.status} ${approved.text}`);

  browser = await launchBrowser();
  [coordinator, reviewer, director] = await Promise.all([
    signIn(municipality().coordinator.email),
    signIn(region.reviewer.email),
    signIn(participant().director.email),
  ]);
}, 120_000);

afterAll(async () => {
  await autopilot?.stop();
  if (cycleId && admin) await confirmedBy(confirmer, admin.post(`/api/cycles/${encodeURIComponent(cycleId)}/cancel`, { reason: 'Конец браузерного теста' }));
  await browser?.close();
  await stack?.close();
});

afterEach(() => {
  if (autopilot?.error) throw autopilot.error;
});

describe('the work of a compressed cycle in the web app', () => {
  it('the municipal coordinator fills in the plan built from the template, attaches its document and sends it', async () => {
    const task = await waitForTask('the municipal plan', (t) => t.context?.stepKey === PLAN_STEP && t.context.action === 'submit');
    const page = coordinator;
    await openFromInbox(page, PLAN_TITLE, task.taskId);
    const form = page.getByRole('region', { name: PLAN_FORM_TITLE });
    await form.getByRole('heading', { name: PLAN_FORM_TITLE }).waitFor();
    await form.getByLabel('Анализ внутренних и внешних причин низких результатов').fill('Высокая текучесть кадров, слабая методическая работа');
    await form.getByLabel('Цели и задачи').fill('Повысить долю успевающих на «4» и «5» до 40 %');
    await form.getByRole('button', { name: 'Добавить строку в таблицу «Мероприятия»' }).click();
    await form.getByLabel('Мероприятие, строка 1').fill('Курсы повышения квалификации учителей математики');
    await form.getByLabel('Срок, строка 1').fill('15.12.2026');
    await form.getByLabel('Срок, строка 1').press('Enter');
    await form.getByLabel('Ответственный, строка 1').fill('Методист управления образования');
    await form.getByLabel('Ожидаемый результат, строка 1').fill('Обучены 12 учителей');
    await chooseFile(page, 'Документ: выбрать файл', 'Муниципальный план.pdf');
    await page.getByLabel('Сопроводительный комментарий').fill('План согласован с директорами школ');
    await page.getByText(/Черновик сохранён в/).waitFor();
    await screenshot(page, '30-plan-form');
    await expectNoSeriousA11yViolations(page);

    await page.getByRole('button', { name: 'Отправить на рассмотрение' }).click();
    await page.getByText('Отправлено на рассмотрение: версия 1').waitFor();
    await page.getByText('Выполнена', { exact: true }).first().waitFor();
    await page.getByRole('region', { name: 'История задачи' }).getByText('Задача выполнена').waitFor();
    await screenshot(page, '31-plan-sent');
  }, 90_000);

  it('the ministry reviewer reads version 1 and returns it with a remark', async () => {
    const task = await waitForTask('the review of version 1', (t) => t.context?.stepKey === PLAN_STEP && t.context.action === 'review');
    const page = reviewer;
    await openFromInbox(page, `Рассмотрение: ${PLAN_TITLE}`, task.taskId);
    const version = page.getByRole('region', { name: 'Представленная версия 1' });
    await version.getByText('Курсы повышения квалификации учителей математики').waitFor();
    await version.getByRole('link', { name: /Муниципальный план\.pdf/ }).waitFor();
    await page.getByText('Это первая версия: сравнивать не с чем.').waitFor();

    const decision = page.getByRole('region', { name: 'Решение' });
    // antd draws the radio as a button over a hidden input: the person clicks its visible label.
    await decision.getByText('Вернуть на доработку', { exact: true }).click();
    expect(await decision.getByRole('radio', { name: 'Вернуть на доработку' }).isChecked()).toBe(true);
    await decision.getByRole('textbox', { name: 'Замечание 1' }).fill(REMARK);
    await screenshot(page, '32-review-return');
    await expectNoSeriousA11yViolations(page);
    await decision.getByRole('button', { name: 'Вернуть на доработку' }).click();
    await page.getByText('Документ возвращён на доработку (замечаний: 1)').waitFor();
    await page.getByText('Выполнена', { exact: true }).first().waitFor();
  }, 90_000);

  it('the coordinator answers the remark and sends version 2 with the form filled from version 1', async () => {
    const task = await waitForTask('version 2', (t) => t.context?.stepKey === PLAN_STEP && t.context.action === 'submit' && t.context.round === 2);
    const page = coordinator;
    await openFromInbox(page, `${PLAN_TITLE} (доработка, версия 2)`, task.taskId);
    const remarks = page.getByRole('region', { name: 'Замечания к прежней версии' });
    await remarks.getByText(REMARK).waitFor();
    // The fields come back as version 1 had them, and its document may be kept.
    expect(await page.getByLabel('Мероприятие, строка 1').inputValue()).toBe('Курсы повышения квалификации учителей математики');
    expect(await page.getByRole('radio', { name: 'Оставить документ версии 1' }).isChecked()).toBe(true);
    await remarks.getByLabel('Ответ на замечание 1').fill(ANSWER);
    await screenshot(page, '33-plan-revision');
    await expectNoSeriousA11yViolations(page);
    await page.getByRole('button', { name: 'Отправить на рассмотрение' }).click();
    await page.getByText('Отправлено на рассмотрение: версия 2').waitFor();
  }, 90_000);

  it('the reviewer sees the answer beside the remark and approves version 2', async () => {
    const task = await waitForTask('the review of version 2', (t) => t.context?.stepKey === PLAN_STEP && t.context.action === 'review' && t.context.round === 2);
    const page = reviewer;
    await page.goto(`/tasks/${encodeURIComponent(task.taskId)}`);
    await page.getByRole('region', { name: 'Представленная версия 2' }).waitFor();
    const remarks = page.getByRole('region', { name: 'Замечания' });
    await remarks.getByText(REMARK).waitFor();
    await remarks.getByText(ANSWER).waitFor();
    await remarks.getByText('отвечено').waitFor();
    await page.getByRole('region', { name: 'Сравнение версий' }).getByRole('combobox', { name: 'Поздняя версия' }).waitFor();

    const decision = page.getByRole('region', { name: 'Решение' });
    await decision.getByText('Утвердить', { exact: true }).click();
    expect(await decision.getByRole('radio', { name: 'Утвердить' }).isChecked()).toBe(true);
    await screenshot(page, '34-review-approve');
    await expectNoSeriousA11yViolations(page);
    await decision.getByRole('button', { name: 'Утвердить' }).click();
    await page.getByRole('region', { name: 'История задачи' }).getByText('Документ утверждён').waitFor();

    const versions = await admin.get(
      `/api/cycles/${encodeURIComponent(cycleId)}/steps/${PLAN_STEP}/subjects/${encodeURIComponent(municipality().id)}/versions`,
    );
    expect(versions.body.versions.map((v: any) => v.version)).toEqual([1, 2]);
    expect(versions.body.remarks).toEqual([expect.objectContaining({ text: REMARK, answer: ANSWER, status: 'accepted' })]);
  }, 90_000);

  it('the coordinator proposes the partner school from the suggestions', async () => {
    const task = await waitForTask('the partner pairs', (t) => t.context?.action === 'propose_pairs');
    const page = coordinator;
    await page.goto(`/tasks/${encodeURIComponent(task.taskId)}`);
    const pairs = page.getByRole('form', { name: 'Пары школ' });
    const group = pairs.getByRole('radiogroup', { name: participant().name });
    const partner = region.schools[1];
    await group.getByText(partner.name, { exact: true }).click();
    expect(await group.getByRole('radio', { name: new RegExp(partner.name) }).isChecked()).toBe(true);
    await screenshot(page, '35-pairs');
    await expectNoSeriousA11yViolations(page);
    await pairs.getByRole('button', { name: 'Предложить пары' }).click();
    await page.getByText(/Пары предложены: соглашений 1/).waitFor();
  }, 90_000);

  it('the school and then the municipality, with the signed document, confirm the agreement', async () => {
    const isConfirmation = (party: string) => (t: TaskSnapshot) => t.context?.action === 'confirm_agreement' && t.context.party === `1-${party}`;
    const schoolTask = await waitForTask('the school’s confirmation', isConfirmation('school'));
    await director.goto(`/tasks/${encodeURIComponent(schoolTask.taskId)}`);
    const schoolForm = director.getByRole('form', { name: 'Подтверждение соглашения' });
    await director.getByText('Школа-участник (вы)').waitFor();
    await schoolForm.getByRole('button', { name: 'Подтвердить соглашение' }).click();
    await director.getByText('Соглашение подтверждено: ').waitFor();

    const municipalTask = await waitForTask('the municipality’s confirmation', isConfirmation('municipality'));
    const page = coordinator;
    await page.goto(`/tasks/${encodeURIComponent(municipalTask.taskId)}`);
    await page.getByText('Муниципалитет (вы)').waitFor();
    await page.getByText(/^Подтвердил\(а\) director\.1-1@/).waitFor();
    const form = page.getByRole('form', { name: 'Подтверждение соглашения' });
    await chooseFile(page, 'Подписанное соглашение: выбрать файл', 'Соглашение о сетевом взаимодействии.pdf');
    await screenshot(page, '36-agreement-confirm');
    await expectNoSeriousA11yViolations(page);
    await form.getByRole('button', { name: 'Подтвердить соглашение' }).click();
    await page.getByText('Соглашение подтверждено: ').waitFor();

    const agreements = await admin.get(`/api/cycles/${encodeURIComponent(cycleId)}/agreements`);
    const list: any[] = agreements.body.items ?? agreements.body;
    expect(list).toEqual([expect.objectContaining({ schoolId: participant().id, partnerSchoolId: region.schools[1].id, status: 'signed', documentId: expect.any(String) })]);
  }, 90_000);

  it('the school reports a monitoring period with the template’s indicators', async () => {
    const task = await waitForTask('a monitoring report', (t) => t.context?.action === 'report' && t.assigneeOrganizationId === participant().id);
    const page = director;
    reportedPeriod = task.title.split(': ').at(-1)!;
    await openFromInbox(page, task.title, task.taskId);
    const form = page.getByRole('region', { name: 'Показатели мониторинга результатов и выполнения программы' });
    await form.getByLabel('Доля обучающихся, успевающих на «4» и «5»').fill('42');
    await form.getByLabel('Доля неуспевающих обучающихся').fill('9');
    await form.getByLabel('Доля выполненных мероприятий программы перехода').fill('60');
    await screenshot(page, '37-monitoring-report');
    await expectNoSeriousA11yViolations(page);
    await page.getByRole('button', { name: 'Отправить отчёт' }).click();
    await page.getByText('Отправлено, задача выполнена').waitFor();
  }, 90_000);

  it('the ministry sees the report on the cycle dashboard’s monitoring chart', async () => {
    const page = reviewer;
    // Drawn at once rather than animated, so that the screenshot shows the reported point.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.getByRole('navigation').getByRole('link', { name: 'Циклы' }).click();
    await page.getByRole('heading', { level: 1, name: 'Циклы программы' }).waitFor();
    await page.getByRole('link', { name: template.title }).click();
    await page.waitForURL((url) => url.pathname === `/cycles/${encodeURIComponent(cycleId)}`);
    await page.getByText('сжатый календарь (тестовый)').waitFor();
    const chart = page.getByRole('img', { name: /^Динамика показателя «Доля обучающихся, успевающих на «4» и «5»»/ });
    await chart.waitFor({ timeout: UI_TIMEOUT_MS });
    await chart.getByText(municipality().name).first().waitFor();
    // The reporting table: the period expected one report and received it.
    const period = page.getByRole('row', { name: new RegExp(`^${reportedPeriod}`) });
    await period.getByRole('cell', { name: '1', exact: true }).nth(1).waitFor();
    expect(await period.getByRole('cell', { name: '1', exact: true }).count()).toBe(2);
    await screenshot(page, '38-dashboard-monitoring');
    await expectNoSeriousA11yViolations(page);

    // Per school: the municipality's schools (here all of them) as lines, and the same numbers in a table.
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const views = page.getByRole('radiogroup', { name: 'Разрез динамики' });
    await views.getByText('Школы', { exact: true }).click();
    await page.getByRole('combobox', { name: 'Муниципалитет:' }).waitFor();
    await page.getByRole('img', { name: /^Динамика показателя «Доля обучающихся, успевающих на «4» и «5»» по школам всех муниципалитетов/ }).waitFor();
    const bySchool = page.getByRole('table', { name: /^Значения показателя «Доля обучающихся, успевающих на «4» и «5»».* по школам/ });
    const schoolRow = bySchool.getByRole('row', { name: new RegExp(`^${escape(participant().name)} `) });
    await schoolRow.getByRole('cell', { name: '42', exact: true }).waitFor();
    await screenshot(page, '39-dashboard-monitoring-schools');
    await expectNoSeriousA11yViolations(page);

    // One school beside its municipality's and the region's means.
    await views.getByText('Одна школа', { exact: true }).click();
    const compared = page.getByRole('table', { name: new RegExp(`школы «${escape(participant().name)}» в сравнении`) });
    await compared.getByRole('row', { name: new RegExp(`^${escape(participant().name)} `) }).getByRole('cell', { name: '42', exact: true }).waitFor();
    await compared.getByRole('row', { name: new RegExp(`^${escape(municipality().name)} \\(среднее по школам\\)`) }).getByRole('cell', { name: '42', exact: true }).waitFor();
    await screenshot(page, '39b-dashboard-monitoring-school');

    const dynamics = await admin.get(`/api/cycles/${encodeURIComponent(cycleId)}/monitoring/dynamics`);
    const school = dynamics.body.schools.find((s: any) => s.organizationId === participant().id && s.indicatorId === 'qualityShare');
    expect(school.series).toEqual([expect.objectContaining({ value: 42 })]);
  }, 90_000);
});
