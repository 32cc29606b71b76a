/**
 * The cycle dashboard's «Риск просрочек по муниципалитетам», in Debian's Chromium against the real stack: a cycle of a
 * fresh region where one municipality lets its tasks run past the deadline (the real workflows escalate them) and the
 * other completes its own at once. The ministry administrator opens the dashboard and finds the late municipality
 * ranked first, with its reasons and the explanation of the score. Saved as test-output/screenshots/60-*.png; the
 * page must pass axe-core.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { Browser, Page } from 'playwright-core';
import {
  completeTaskUpdate,
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
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
import { insertCycle, type InsertedCycle } from '../support/cycle-rows';
import { localDateTimeIn, uniqueSuffix } from '../support/test-config';

const ZONE = 'Asia/Yekaterinburg';
const suffix = uniqueSuffix();
const taskQueue = `browser-dashboard-${suffix}`;

let stack: WebStack;
let region: TestRegion;
let cycle: InsertedCycle;
let browser: Browser;
let page: Page;
let seq = 0;

/** A cycle task due 6 s after issue (however late the workflow starts), escalated at the deadline and 2 s later. */
async function startCycleTask(assigneeId: string, supervisorId: string): Promise<WorkflowHandle> {
  seq += 1;
  const taskId = `${cycle.id}.perform.${assigneeId}.${seq}`;
  const input: DeadlineTaskInput = {
    taskId,
    title: `Задача цикла № ${seq}`,
    assigneeOrganizationId: assigneeId,
    supervisorOrganizationId: supervisorId,
    deadline: { localDateTime: localDateTimeIn(ZONE, 6), timeZone: ZONE, calendar: 'calendar-days' },
    policy: {
      reminders: [],
      escalations: [
        { secondsAfter: 0, notify: 'assignee_head' },
        { secondsAfter: 2, notify: 'supervisor' },
      ],
      minimumLeadSeconds: 6,
    },
    createdBy: region.admin.email,
    context: { cycleId: cycle.id, stageId: 'work', stepKey: 'work', action: 'perform', subjectOrganizationId: assigneeId },
  };
  const handle: WorkflowHandle = await stack.harness.env.client.workflow.start(DEADLINE_TASK_WORKFLOW, {
    taskQueue,
    workflowId: deadlineTaskWorkflowId(taskId),
    args: [input],
  });
  await handle.executeUpdate(taskReadyUpdate);
  return handle;
}

beforeAll(async () => {
  stack = await startWebStack(taskQueue);
  const ds = stack.harness.dataSource;
  region = await createTestRegion(ds, { code: `bd${suffix}`.slice(0, 18), timeZone: ZONE, municipalities: 2, schoolsPerMunicipality: 2 });
  cycle = await insertCycle(ds, suffix, {
    regionCode: region.code,
    ministryId: region.ministryId,
    participants: region.schools.map((s) => ({ schoolId: s.id, municipalityId: s.municipalityId })),
  });
  const [late, punctual] = region.municipalities;
  const schoolsOf = (id: string) => region.schools.filter((s) => s.municipalityId === id).map((s) => s.id);
  const lateTasks = [await startCycleTask(late.id, region.ministryId), ...(await Promise.all(schoolsOf(late.id).map((s) => startCycleTask(s, late.id))))];
  const onTime = [await startCycleTask(punctual.id, region.ministryId), ...(await Promise.all(schoolsOf(punctual.id).map((s) => startCycleTask(s, punctual.id))))];
  for (const handle of onTime) await handle.executeUpdate(completeTaskUpdate, { args: [{ completedBy: region.admin.email, result: {} }] });
  // Both escalations of every late task recorded by the workflows: the event, not the time, is waited for.
  const ids = lateTasks.map((h) => h.workflowId.replace(/^task:/, ''));
  await pollUntil(
    'the late tasks escalated twice each',
    async () => {
      const [row]: { n: string }[] = await ds.query(
        `SELECT count(*) AS n FROM audit_events WHERE subject_type = 'task' AND type = 'escalation_sent' AND subject_id = ANY($1::varchar[])`,
        [ids],
      );
      return Number(row.n) >= 2 * ids.length ? true : undefined;
    },
    60_000,
  );
  browser = await launchBrowser();
  ({ page } = await openPage(browser, stack.baseUrl));
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('the cycle dashboard as the ministry administrator', () => {
  it('ranks the late municipality first, with its reasons and how the score is counted', async () => {
    await page.goto(`/cycles/${encodeURIComponent(cycle.id)}`);
    await logIn(page, region.admin.email, REGION_PASSWORD);
    await page.waitForURL((url) => url.pathname === `/cycles/${encodeURIComponent(cycle.id)}`);

    const ranking = page.getByRole('region', { name: 'Рейтинг муниципалитетов по риску просрочек (прокручивается)' });
    const rows = ranking.getByRole('row');
    // The header and one row per municipality of the region.
    await pollUntil('the ranking\'s rows', async () => ((await rows.count()) === 3 ? true : undefined), 20_000);
    const [late, punctual] = region.municipalities;
    const first = rows.nth(1);
    await first.getByText(late.name).waitFor();
    await first.getByText('просрочено 3 задачи из 3 (100\u00a0%)').waitFor();
    await first.getByText('ещё не выполнены 3 просроченные задачи, самая давняя — 1 рабочий день после срока').waitFor();
    await first.getByText('эскалаций: 6').waitFor();
    await first.getByText('высокий риск').waitFor();
    await rows.nth(2).getByText(punctual.name).waitFor();
    await rows.nth(2).getByText('просроченных задач нет: в срок 3 из 3').waitFor();
    await page.getByText('Как считается: учитываются задачи муниципалитета и его школ').waitFor();

    await ranking.scrollIntoViewIfNeeded();
    await screenshot(page, '60-dashboard-lateness-risk');
    await expectNoSeriousA11yViolations(page);
  });
});
