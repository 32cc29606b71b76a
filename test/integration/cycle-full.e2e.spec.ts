/**
 * A whole yearly cycle from every shipped template, on the real stack (Temporal dev server, PostgreSQL, SMTP, the
 * Nest API over HTTP) with a compressed calendar: a late municipality is reminded and escalated, a plan is returned
 * and resubmitted, pairs sign their agreements, monitoring periods report, a best practice is published, and the
 * auditor's export tells that story. The five cycles run side by side, each in a region of its own.
 */
import type { CycleTemplate } from '../../libs/contracts/cycle-template';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';
import { programmeFirstYear, resolveCyclePlan } from '../../libs/domain/cycle-template';
import { localToEpochMs } from '../../libs/domain/cycle-schedule';
import { loadBuiltinTemplates } from '../../libs/templates';
import { confirmedBy } from '../support/four-eyes';
import { CycleDriver } from '../support/cycle-driver';
import { compareRunWithDryRun } from '../support/dry-run-comparison';
import { createTestRegion, REGION_PASSWORD, type TestRegion } from '../support/cycle-region';
import { buildIdentificationFiles } from '../support/fixtures/identification-files';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { ApiClient } from '../support/http';
import { uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

/** Each compressed cycle lasts about this long from its first date to its last. */
const CYCLE_SECONDS = 100;

const templates: CycleTemplate[] = loadBuiltinTemplates();

const suffix = uniqueSuffix();
let stack: ApiStack;
let harness: Harness;
let baseUrl: string;

beforeAll(async () => {
  stack = await startApiStack(`cycle-e2e-${suffix}`);
  ({ harness, baseUrl } = stack);
}, 120_000);

afterAll(() => stack?.close());

/** Seconds per real day so that the template's whole timeline lasts about CYCLE_SECONDS. */
function secondsPerDay(template: CycleTemplate): number {
  const plan = resolveCyclePlan(template, { academicYear: programmeFirstYear(template) });
  const instants = plan.stages
    .flatMap((s) => s.steps)
    .flatMap((s) => [s.dueLocal, s.opensAt, ...(s.periods ?? []).flatMap((p) => [p.opensAt, p.dueLocal])])
    .filter((v): v is string => Boolean(v))
    .map((local) => localToEpochMs(local, plan.timeZone));
  const spanDays = (Math.max(...instants) - Math.min(...instants)) / 86_400_000;
  return Math.max(0.05, Math.round((CYCLE_SECONDS / spanDays) * 1000) / 1000);
}

async function putFile(client: ApiClient, path: string, fileName: string, body: Buffer, contentType: string) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${client.token}`, 'content-type': contentType, 'x-file-name': encodeURIComponent(fileName) },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/**
 * The cycles start together once the stack is up (jest's concurrent tests would start before beforeAll finishes),
 * and each test awaits its own, so a failure names its template.
 */
const runs = new Map<string, Promise<void>>();
beforeAll(() => {
  templates.forEach((template, index) => {
    const run = runCycle(template, index);
    run.catch(() => undefined);
    runs.set(template.id, run);
  });
});

test.each(templates.map((t) => [t.id] as const))('a whole cycle from template %s runs to the bank of best practices', async (id) => {
  await runs.get(id);
}, 600_000);

async function runCycle(template: CycleTemplate, index: number): Promise<void> {
  {
    const code = `c${index}${suffix}`.slice(0, 20);
    const municipalityCount = /004/.test(template.id) ? 5 : 2;
    const region: TestRegion = await createTestRegion(harness.dataSource, {
      code,
      timeZone: template.timeZone,
      municipalities: municipalityCount,
      schoolsPerMunicipality: 3,
    });
    const anonymous = new ApiClient(baseUrl);
    const admin = await anonymous.as(region.admin.email, REGION_PASSWORD);
    const auditor = await anonymous.as(region.auditor.email, REGION_PASSWORD);
    // Four eyes: the administrator asks, the ministry's specialist confirms.
    const reviewer = await anonymous.as(region.reviewer.email, REGION_PASSWORD);
    const academicYear = programmeFirstYear(template);

    const launched = await confirmedBy(
      reviewer,
      admin.post('/api/cycles', {
        templateId: template.id,
        academicYear,
        compression: { secondsPerDay: secondsPerDay(template) },
      }),
    );
    expect(launched.status).toBe(200);
    const cycleId: string = launched.body.id;

    // 1. Identification: results (XLSX) and the social passport (CSV), then the list with one manual addition.
    const files = await buildIdentificationFiles({
      schools: region.schools.map((s) => ({ code: s.code, name: s.name, municipality: s.municipalityId })),
      years: [academicYear - 3, academicYear - 2, academicYear - 1],
      // The bottom decile of a small region is one school; the social index flags another.
      lowSchools: [region.schools[0].code],
      disadvantagedSchools: [region.schools[region.schools.length - 1].code],
    });
    const base = `/api/cycles/${encodeURIComponent(cycleId)}/identification`;
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    expect((await putFile(admin, `${base}/files/results`, 'Результаты ВПР.xlsx', files.resultsXlsx, xlsx)).status).toBeLessThan(300);
    expect((await putFile(admin, `${base}/files/social`, 'Социальный паспорт.csv', files.socialCsv, 'text/csv')).status).toBeLessThan(300);
    const ranking = await admin.get(`${base}/ranking`);
    expect(ranking.status).toBe(200);
    const ranked: { schoolId: string; category: string | null }[] = ranking.body.items ?? ranking.body;
    const listed = new Set(ranked.filter((r) => r.category).map((r) => r.schoolId));
    // Every municipality gets a participant: the ones the ranking missed are added with a recorded reason.
    const add = region.municipalities
      .map((m) => region.schools.find((s) => s.municipalityId === m.id && !listed.has(s.id)))
      .filter((s) => s && ![...listed].some((id) => region.schools.find((x) => x.id === id)?.municipalityId === s.municipalityId))
      .map((s) => ({ schoolId: s!.id, reason: 'Заявка муниципалитета: снижение результатов ОГЭ в 2025 году' }));
    // The approval task appears once the cycle's identification step has issued it; a busy machine takes longer.
    let approved;
    for (const until = Date.now() + 180_000; Date.now() < until; ) {
      approved = await admin.post(`${base}/approve`, { add, comment: 'Список утверждён распоряжением министерства' });
      if (approved.status !== 404 && approved.status !== 409) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(approved?.status).toBe(200);

    // 2–6. Every role acts on its tasks until the cycle completes.
    const driver = new CycleDriver({ baseUrl, dataSource: harness.dataSource, region, cycleId, plan: launched.body.plan ?? (await planOf(cycleId)), timeoutMs: 420_000 });
    await driver.run();

    // The schedule shown before the launch is the schedule that ran: every task the run issued is in the dry run's
    // list for the same plan and organisations, with the same assignee, subject, supervisor and planned deadline.
    const againstDryRun = await compareRunWithDryRun(harness.dataSource, region, cycleId, driver.plan);
    expect({ unexpected: againstDryRun.unexpected, missing: againstDryRun.missing }).toEqual({ unexpected: [], missing: [] });
    expect(againstDryRun.compared).toBeGreaterThan(10);

    // A date the roadmap left «по специальному графику» showed as «срок будет установлен» until the ministry set it.
    const setLater = driver.plan.stages.flatMap((s) => s.steps).filter((s) => s.deadlineSetLater !== undefined);
    expect(driver.log.datesSet.map((d) => d.stepKey).sort()).toEqual(setLater.map((s) => s.key).sort());
    for (const { before, after } of driver.log.datesSet) {
      expect([before.deadlineText, before.dueLocal]).toEqual(['срок будет установлен', undefined]);
      expect(after.dueLocal).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    }

    // The late municipality was reminded, then escalated to its head and then to the ministry.
    expect(driver.log.lateTaskId).toBeDefined();
    const lateMail: { kind: string; target: string; recipients: { email: string }[]; status: string; body_text: string }[] = await harness.dataSource.query(
      `SELECT kind, target, recipients, status, body_text FROM notifications WHERE task_id = $1 ORDER BY created_at`,
      [driver.log.lateTaskId],
    );
    const [{ snapshot: late }] = await harness.dataSource.query(`SELECT snapshot FROM tasks WHERE id = $1`, [driver.log.lateTaskId]);
    // Every e-mail names the order and clause behind the deadline, when the roadmap gives one.
    if (late.legalBasis) for (const mail of lateMail) expect(mail.body_text).toContain(`Основание: ${late.legalBasis}`);
    expect(lateMail.filter((m) => m.kind === 'reminder').length).toBeGreaterThanOrEqual(1);
    const head = lateMail.find((m) => m.target === 'assignee_head');
    const ministry = lateMail.find((m) => m.target === 'supervisor');
    expect(head?.recipients.map((r) => r.email)).toContain(region.municipalities[0].head.email);
    expect(ministry?.recipients.map((r) => r.email)).toContain(region.minister.email);

    // However far behind the compressed clock a step opened, every task was issued with its reminders still ahead;
    // the ones moved for that say so.
    const issued: { snapshot: TaskSnapshot }[] = await harness.dataSource.query(
      `SELECT snapshot FROM tasks WHERE snapshot->'context'->>'cycleId' = $1`,
      [cycleId],
    );
    const withReminders = issued.map((r) => r.snapshot).filter((t) => t.policy.reminders.length > 0);
    expect(withReminders.length).toBeGreaterThan(0);
    for (const task of withReminders) {
      expect([task.taskId, task.schedule.some((s) => s.kind === 'reminder')]).toEqual([task.taskId, true]);
      if (task.deadline.leadFromIssue) {
        expect(Date.parse(task.deadline.dueAt) - Date.parse(task.createdAt)).toBeGreaterThanOrEqual((task.deadline.leadFromIssue.seconds ?? 0) * 1000);
        expect(task.deadline.leadFromIssue.seconds).toBeDefined();
      }
    }

    // The returned plan has two versions; its remark was answered and accepted.
    expect(driver.log.returnedTaskId).toBeDefined();
    const returned = await harness.dataSource.query(`SELECT snapshot FROM tasks WHERE id = $1`, [driver.log.returnedTaskId]);
    const { stepKey, subjectOrganizationId } = returned[0].snapshot.context;
    const versions = await admin.get(
      `/api/cycles/${encodeURIComponent(cycleId)}/steps/${encodeURIComponent(stepKey)}/subjects/${encodeURIComponent(subjectOrganizationId)}/versions`,
    );
    expect(versions.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect(versions.body.remarks).toEqual([expect.objectContaining({ status: 'accepted', answer: expect.any(String) })]);
    const comparison = await admin.get(
      `/api/cycles/${encodeURIComponent(cycleId)}/steps/${encodeURIComponent(stepKey)}/subjects/${encodeURIComponent(subjectOrganizationId)}/compare?from=1&to=2`,
    );
    expect(comparison.status).toBe(200);
    expect(comparison.body.remarksAnswered).toHaveLength(1);

    // Pairs signed, with the signed document stored.
    const agreements = await admin.get(`/api/cycles/${encodeURIComponent(cycleId)}/agreements`);
    const agreementList: { status: string; documentId: string | null }[] = agreements.body.items ?? agreements.body;
    expect(agreementList.length).toBeGreaterThan(0);
    expect(agreementList.every((a) => a.status === 'signed' && a.documentId)).toBe(true);

    // At least two monitoring periods reported.
    const periods: { period_id: string }[] = await harness.dataSource.query(
      `SELECT DISTINCT period_id FROM submissions WHERE cycle_id = $1 AND action = 'report'`,
      [cycleId],
    );
    expect(periods.length).toBeGreaterThanOrEqual(2);

    // A best practice is in the bank and found by a different word form.
    const published: { title: string }[] = await harness.dataSource.query(
      `SELECT title FROM best_practices WHERE cycle_id = $1 AND status = 'published'`,
      [cycleId],
    );
    expect(published.length).toBeGreaterThanOrEqual(1);
    expect(published[0].title).toBe('Наставничество педагогов в сельской школе');
    const bank = await admin.get(`/api/practices?q=${encodeURIComponent('наставничества')}&cycleId=${encodeURIComponent(cycleId)}`);
    expect(bank.status).toBe(200);
    expect((bank.body.items ?? bank.body).length).toBeGreaterThanOrEqual(1);

    // The auditor's export tells the story.
    const exported = await auditor.get(`/api/audit/export?scope=cycle&id=${encodeURIComponent(cycleId)}&format=json`);
    expect(exported.status).toBe(200);
    const types = new Set<string>((exported.body.entries ?? exported.body.events).map((e: { type: string }) => e.type));
    for (const type of ['cycle_launched', 'participants_approved', 'reminder_sent', 'escalation_sent', 'review_returned', 'review_approved', 'submission_made', 'cycle_completed']) {
      expect(types).toContain(type);
    }
    const csv = await auditor.get(`/api/audit/export?scope=cycle&id=${encodeURIComponent(cycleId)}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('escalation_sent');
    expect(csv.text).toContain(region.municipalities[0].head.email);
  }
}

async function planOf(cycleId: string) {
  const rows: { plan: unknown }[] = await harness.dataSource.query(`SELECT plan FROM cycles WHERE id = $1`, [cycleId]);
  return rows[0].plan as never;
}
