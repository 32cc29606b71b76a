/**
 * The cycle workflows on the real Temporal server, driven by Updates the way the API drives them: the ministry's
 * controls (pause, resume, extend a stage, cancel), review rounds, monitoring periods and the best-practice
 * invitation. A hand-written compressed plan keeps this independent of the shipped templates.
 */
import { DateTime } from 'luxon';
import {
  cancelCycleUpdate,
  CYCLE_WORKFLOW,
  cycleProgressQuery,
  cycleWorkflowId,
  extendStageUpdate,
  pauseCycleUpdate,
  resumeCycleUpdate,
  setStepDeadlineUpdate,
  type CycleInput,
  type CycleProgress,
} from '../../libs/contracts/cycle';
import type { ResolvedCyclePlan, ResolvedStep } from '../../libs/contracts/cycle-template';
import { completeTaskUpdate, type CompletionResult, type TaskSnapshot } from '../../libs/contracts/deadline-task';
import { CycleParticipantRepository, CycleRepository } from '../../libs/persistence';
import { createTestRegion, type TestRegion } from '../support/cycle-region';
import { insertStubTemplate } from '../support/cycle-rows';
import { pollUntil } from '../support/poll';
import { recordHistory } from '../support/record-history';
import { startWorkerStack, type WorkerStack } from '../support/api-stack';
import { uniqueSuffix } from '../support/test-config';
import type { Harness } from '../support/worker-harness';

const ZONE = 'Europe/Moscow';
const suffix = uniqueSuffix();
const taskQueue = `cycle-wf-${suffix}`;
let stack: WorkerStack;
let harness: Harness;

beforeAll(async () => {
  stack = await startWorkerStack(taskQueue);
  harness = stack.harness;
});

afterAll(() => stack?.close());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const local = (secondsFromNow: number) => DateTime.now().setZone(ZONE).plus({ seconds: secondsFromNow }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
const policy = { reminders: [{ secondsBefore: 1 }], escalations: [{ secondsAfter: 1, notify: 'assignee_head' as const }] };

function step(partial: Partial<ResolvedStep> & Pick<ResolvedStep, 'key' | 'stageId' | 'kind' | 'actor'>): ResolvedStep {
  return { stepId: partial.key, title: `Шаг ${partial.key}`, dueLocal: local(600), policy, ...partial };
}

function plan(): ResolvedCyclePlan {
  return {
    templateId: 'wf-test',
    templateVersion: 1,
    title: 'Тестовый цикл',
    timeZone: ZONE,
    academicYear: 2026,
    calendar: 'calendar-days',
    compression: { secondsPerDay: 1, origin: new Date().toISOString() },
    forms: {
      indicators: { title: 'Показатели', fields: [{ id: 'score', title: 'Средний балл', type: 'number' }] },
      practice: { title: 'Практика', fields: [{ id: 'practiceTitle', title: 'Название', type: 'text' }] },
    },
    stages: [
      { id: 'identification', title: 'Идентификация', dependsOn: [], steps: [step({ key: 'list', stageId: 'identification', kind: 'identification', actor: 'ministry' })] },
      {
        id: 'plans',
        title: 'Планы',
        dependsOn: ['identification'],
        steps: [
          step({
            key: 'plan',
            stageId: 'plans',
            kind: 'submission',
            actor: 'municipality',
            submission: { document: 'none' },
            review: { by: 'ministry', maxRounds: 2, deadline: { seconds: 600 } },
          }),
        ],
      },
      {
        id: 'monitoring',
        title: 'Мониторинг',
        dependsOn: ['plans'],
        steps: [
          step({
            key: 'monitoring',
            stageId: 'monitoring',
            kind: 'monitoring',
            actor: 'school',
            reporter: 'school',
            monitoringForm: 'indicators',
            periods: [
              { id: 'p1', title: 'Период 1', opensAt: local(0), dueLocal: local(600) },
              { id: 'p2', title: 'Период 2', opensAt: local(0), dueLocal: local(600) },
            ],
          }),
        ],
      },
      {
        id: 'practices',
        title: 'Практики',
        dependsOn: ['monitoring'],
        steps: [
          step({
            key: 'practice',
            stageId: 'practices',
            kind: 'best_practice',
            actor: 'school',
            bestPractice: { indicator: 'score', top: 1, form: 'practice', review: { by: 'ministry', maxRounds: 1, deadline: { seconds: 600 } } },
          }),
        ],
      },
    ],
  };
}

async function launch(
  region: TestRegion,
  p: ResolvedCyclePlan = plan(),
): Promise<{ cycleId: string; handle: ReturnType<Harness['env']['client']['workflow']['getHandle']> }> {
  const cycleId = `${region.code}-2026`;
  await insertStubTemplate(harness.dataSource, 'wf-test');
  await new CycleRepository(harness.dataSource).insertCycle({
    id: cycleId,
    regionCode: region.code,
    academicYear: 2026,
    templateId: 'wf-test',
    templateVersion: 1,
    workflowId: cycleWorkflowId(cycleId),
    ministryId: region.ministryId,
    status: 'running',
    plan: p,
    launchedBy: region.admin.email,
  });
  const input: CycleInput = { cycleId, regionCode: region.code, academicYear: 2026, plan: p, ministryId: region.ministryId, launchedBy: region.admin.email };
  const handle = await harness.env.client.workflow.start(CYCLE_WORKFLOW, { taskQueue, workflowId: cycleWorkflowId(cycleId), args: [input] });
  return { cycleId, handle };
}

async function openTasks(cycleId: string, action?: string): Promise<TaskSnapshot[]> {
  const rows: { snapshot: TaskSnapshot }[] = await harness.dataSource.query(
    `SELECT snapshot FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1
       AND ($2::text IS NULL OR snapshot->'context'->>'action' = $2) ORDER BY id`,
    [cycleId, action ?? null],
  );
  return rows.map((r) => r.snapshot);
}

async function waitForTasks(cycleId: string, action: string, count: number, timeoutMs = 30_000): Promise<TaskSnapshot[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await openTasks(cycleId, action);
    if (tasks.length >= count) return tasks;
    if (Date.now() > until) throw new Error(`expected ${count} open '${action}' tasks, found ${tasks.length}`);
    await sleep(200);
  }
}

async function complete(task: TaskSnapshot, result: CompletionResult = {}): Promise<void> {
  await harness.env.client.workflow.getHandle(task.workflowId).executeUpdate(completeTaskUpdate, { args: [{ completedBy: 'test@region.test', result }] });
}

async function approveParticipants(region: TestRegion, cycleId: string): Promise<void> {
  const participants = new CycleParticipantRepository(harness.dataSource);
  const chosen = region.municipalities.map((m) => region.schools.find((s) => s.municipalityId === m.id)!);
  await harness.dataSource.transaction((manager) =>
    participants.replaceParticipants(
      cycleId,
      chosen.map((s, i) => ({ schoolId: s.id, municipalityId: s.municipalityId, category: 'low_results', rank: i + 1, reasons: [], included: true, manualReason: null, decidedBy: region.admin.email })),
      manager,
    ),
  );
}

async function report(cycleId: string, task: TaskSnapshot, score: number): Promise<void> {
  const rows: { id: string }[] = await harness.dataSource.query(
    `INSERT INTO submissions (cycle_id, task_id, stage_id, step_key, action, organization_id, subject_organization_id, period_id, version, form, submitted_by)
     VALUES ($1, $2, 'monitoring', 'monitoring', 'report', $3, $3, $4, 1, $5, 'test') RETURNING id`,
    [cycleId, task.taskId, task.assigneeOrganizationId, task.context!.periodId, JSON.stringify({ score })],
  );
  await complete(task, { submissionId: rows[0].id });
}

describe('yearly cycle workflow', () => {
  it('runs identification, paused plans, an extended and returned plan, two monitoring periods and a best practice', async () => {
    const region = await createTestRegion(harness.dataSource, { code: `w${suffix}`.slice(0, 18), timeZone: ZONE, municipalities: 2, schoolsPerMunicipality: 2 });
    const { cycleId, handle } = await launch(region);

    const [list] = await waitForTasks(cycleId, 'approve_list', 1);
    expect(list.assigneeOrganizationId).toBe(region.ministryId);

    // Paused before the list is approved: the plans are not issued until the ministry resumes.
    const paused = await handle.executeUpdate(pauseCycleUpdate, { args: [{ by: region.admin.email, reason: 'Приказ о переносе сроков' }] });
    expect(paused.status).toBe('paused');
    await approveParticipants(region, cycleId);
    await complete(list);
    await sleep(2500);
    expect(await openTasks(cycleId, 'submit')).toHaveLength(0);
    await expect(handle.executeUpdate(pauseCycleUpdate, { args: [{ by: region.admin.email, reason: 'ещё раз' }] })).rejects.toThrow();
    await handle.executeUpdate(resumeCycleUpdate, { args: [{ by: region.admin.email, reason: 'Сроки согласованы' }] });
    const plans = await waitForTasks(cycleId, 'submit', 2);
    expect(plans.map((t) => t.assigneeOrganizationId).sort()).toEqual(region.municipalities.map((m) => m.id).sort());
    const live = await handle.query(cycleProgressQuery);
    expect(live.stages.find((s) => s.id === 'identification')).toMatchObject({ status: 'closed', stepsDone: 1 });
    expect(live.stages.find((s) => s.id === 'plans')).toMatchObject({ status: 'open', stepsTotal: 2, stepsDone: 0 });

    // The ministry extends the plans stage for everyone: the cycle tells the tracks, each track its step, each step
    // its task, and both open tasks move to the new deadline.
    const extendedTo = local(1200);
    await handle.executeUpdate(extendStageUpdate, { args: [{ by: region.admin.email, reason: 'Письмо министерства', stageId: 'plans', localDateTime: extendedTo.slice(0, 16) }] });
    const moved = await pollUntil(
      'both plan tasks extended',
      async () => {
        const tasks = await openTasks(cycleId, 'submit');
        return tasks.length === 2 && tasks.every((t) => t.deadline.localDateTime.slice(0, 16) === extendedTo.slice(0, 16)) ? tasks : undefined;
      },
      30_000,
    );
    for (const t of moved) expect(t.deadlineRevision).toBe(2);
    await expect(
      handle.executeUpdate(extendStageUpdate, { args: [{ by: region.admin.email, reason: 'x', stageId: 'no-such-stage', localDateTime: extendedTo.slice(0, 16) }] }),
    ).rejects.toThrow();

    // Municipality 1's plan is returned once and approved on the second round; municipality 2's at once.
    for (const t of plans) await complete(t, { submissionId: `${t.taskId}-v1` });
    const reviews = await waitForTasks(cycleId, 'review', 2);
    for (const r of reviews) {
      const first = r.context!.subjectOrganizationId === region.municipalities[0].id;
      await complete(r, { decision: first ? 'returned' : 'approved' });
    }
    const [resubmit] = await waitForTasks(cycleId, 'submit', 1);
    expect(resubmit.context).toMatchObject({ round: 2, subjectOrganizationId: region.municipalities[0].id });
    await complete(resubmit, { submissionId: `${resubmit.taskId}-v2` });
    const [secondReview] = await waitForTasks(cycleId, 'review', 1);
    expect(secondReview.context!.round).toBe(2);
    await complete(secondReview, { decision: 'approved' });

    // Two monitoring periods for both participant schools; the first school improves, the second does not.
    const reports = await waitForTasks(cycleId, 'report', 4);
    const improving = region.municipalities.map((m) => region.schools.find((s) => s.municipalityId === m.id)!.id)[0];
    for (const t of reports) {
      const better = t.assigneeOrganizationId === improving;
      await report(cycleId, t, t.context!.periodId === 'p1' ? 50 : better ? 70 : 45);
    }

    // Only the improving school is invited to describe its practice; the ministry approves it.
    const [describe] = await waitForTasks(cycleId, 'describe_practice', 1);
    expect(describe.assigneeOrganizationId).toBe(improving);
    await complete(describe, { submissionId: 'practice' });
    const [practiceReview] = await waitForTasks(cycleId, 'review', 1);
    await complete(practiceReview, { decision: 'approved' });

    const result: CycleProgress = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.stages.map((s) => [s.id, s.status, s.stepsDone])).toEqual([
      ['identification', 'closed', 1],
      ['plans', 'closed', 2],
      ['monitoring', 'closed', 4],
      ['practices', 'closed', 1],
    ]);
    recordHistory('cycle-completed-extended-down-the-tree', handle.workflowId);
    recordHistory('cycle-track-municipality-returned-extended-down-the-tree', `cycle:${cycleId}:org:${region.municipalities[0].id}`);
    recordHistory('cycle-step-plan-returned-extended-down-the-tree', `cycle:${cycleId}:step:plan:${region.municipalities[0].id}`);
    const stored: { status: string; closed_at: Date | null }[] = await harness.dataSource.query(`SELECT status, closed_at FROM cycles WHERE id = $1`, [cycleId]);
    expect(stored[0].status).toBe('completed');
    expect(stored[0].closed_at).not.toBeNull();
    const events: { type: string }[] = await harness.dataSource.query(
      `SELECT type FROM audit_events WHERE subject_type = 'cycle' AND subject_id = $1 ORDER BY seq`,
      [cycleId],
    );
    expect(events.map((e) => e.type)).toEqual([
      'cycle_launched',
      'cycle_paused',
      'participants_approved',
      'cycle_resumed',
      'stage_extended',
      'best_practice_invited',
      'cycle_completed',
    ]);
  });

  it('cancels every open task when the ministry cancels the cycle', async () => {
    const region = await createTestRegion(harness.dataSource, { code: `x${suffix}`.slice(0, 18), timeZone: ZONE, municipalities: 2, schoolsPerMunicipality: 1 });
    const { cycleId, handle } = await launch(region);
    const [list] = await waitForTasks(cycleId, 'approve_list', 1);
    await approveParticipants(region, cycleId);
    await complete(list);
    await waitForTasks(cycleId, 'submit', 2);
    const progress = await handle.executeUpdate(cancelCycleUpdate, { args: [{ by: region.admin.email, reason: 'Программа прекращена приказом' }] });
    expect(progress.status).toBe('cancelled');
    // The cancellation goes down the tree to every open task; the cycle ends once its tracks have.
    const result = await handle.result();
    expect(await openTasks(cycleId)).toHaveLength(0);
    expect(result.status).toBe('cancelled');
    recordHistory('cycle-cancelled-down-the-tree', handle.workflowId);
    recordHistory('cycle-track-cancelled-down-the-tree', `cycle:${cycleId}:org:${region.municipalities[0].id}`);
    await expect(handle.query(cycleProgressQuery)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('leaves no task open when cancelled at the very moment of launch, while its first task is being issued', async () => {
    const region = await createTestRegion(harness.dataSource, { code: `y${suffix}`.slice(0, 18), timeZone: ZONE, municipalities: 1, schoolsPerMunicipality: 1 });
    const { cycleId, handle } = await launch(region);
    // No wait for the identification task: the cancellation races its step and its task starting, and each level
    // tells a child whose start was in flight as soon as it has started.
    await handle.executeUpdate(cancelCycleUpdate, { args: [{ by: region.admin.email, reason: 'Запущен по ошибке' }] });
    expect((await handle.result()).status).toBe('cancelled');
    const tasks: { status: string }[] = await harness.dataSource.query(`SELECT status FROM tasks WHERE snapshot->'context'->>'cycleId' = $1`, [cycleId]);
    expect(tasks.filter((t) => t.status === 'open')).toEqual([]);
  });

  it('opens the ministry’s stages that do not wait for the list at launch, and a step «по специальному графику» once its date is set', async () => {
    const region = await createTestRegion(harness.dataSource, { code: `s${suffix}`.slice(0, 18), timeZone: ZONE, municipalities: 1, schoolsPerMunicipality: 1 });
    const p = plan();
    p.stages.unshift({
      id: 'setup',
      title: 'Организационные меры',
      dependsOn: [],
      steps: [
        step({ key: 'agreement', stageId: 'setup', kind: 'task', actor: 'ministry' }),
        step({ key: 'regulation', stageId: 'setup', kind: 'task', actor: 'institute', deadlineSetLater: 'по специальному графику', dueLocal: local(3600) }),
      ],
    });
    p.stages.push({ id: 'after-list', title: 'После списка', dependsOn: ['identification'], steps: [step({ key: 'order', stageId: 'after-list', kind: 'task', actor: 'ministry' })] });
    const { cycleId, handle } = await launch(region, p);
    const performing = async (key: string) => (await openTasks(cycleId, 'perform')).filter((t) => t.context?.stepKey === key);

    // The list is still to be approved, and the ministry's own set-up is already issued; its order after the list is not.
    const [list] = await waitForTasks(cycleId, 'approve_list', 1);
    for (const until = Date.now() + 30_000; (await performing('agreement')).length === 0; ) {
      if (Date.now() > until) throw new Error('the set-up stage did not open at launch');
      await sleep(200);
    }
    expect(await performing('order')).toHaveLength(0);

    // The regulation waits for its date: none issued, and the cycle shows it as to be set.
    expect(await performing('regulation')).toHaveLength(0);
    const before = await handle.query(cycleProgressQuery);
    expect(before.datesToSet).toEqual([expect.objectContaining({ stepKey: 'regulation', wording: 'по специальному графику' })]);
    expect(before.datesToSet![0].localDateTime).toBeUndefined();
    const due = local(900);
    const set = await handle.executeUpdate(setStepDeadlineUpdate, { args: [{ by: region.admin.email, reason: 'Распоряжение о графике', stepKey: 'regulation', localDateTime: due }] });
    expect(set.datesToSet![0]).toMatchObject({ localDateTime: due, basis: 'Распоряжение о графике' });
    for (const until = Date.now() + 30_000; (await performing('regulation')).length === 0; ) {
      if (Date.now() > until) throw new Error('the regulation was not issued once its date was set');
      await sleep(200);
    }
    const [regulation] = await performing('regulation');
    expect(regulation.deadline.requested.localDateTime).toBe(due);
    // Set once: a second date is refused with the way to change it.
    const again = await handle
      .executeUpdate(setStepDeadlineUpdate, { args: [{ by: region.admin.email, reason: 'Ещё раз', stepKey: 'regulation', localDateTime: local(1200) }] })
      .catch((err: { cause?: Error }) => err.cause?.message);
    expect(again).toMatch(/уже установлен/);

    // Once the list is approved, the ministry's stage after it opens.
    await approveParticipants(region, cycleId);
    await complete(list);
    for (const until = Date.now() + 30_000; (await performing('order')).length === 0; ) {
      if (Date.now() > until) throw new Error('the stage after the list did not open');
      await sleep(200);
    }
    await handle.executeUpdate(cancelCycleUpdate, { args: [{ by: region.admin.email, reason: 'Конец проверки' }] });
    await handle.result();
    recordHistory('cycle-regional-at-launch', handle.workflowId);
  });
});

