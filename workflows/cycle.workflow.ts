/**
 * The yearly cycle for one region and academic year, run from the plan resolved at launch (so a template edited
 * later does not touch it). Identification first; then one child track per organisation with participant schools
 * (municipalities, schools, and the ministry's and institute's own steps); then the best-practice invitations,
 * which need every school's monitoring. The ministry pauses, resumes, extends a stage or cancels through Updates.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  startChild,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle-activities';
import {
  cancelCycleUpdate,
  CycleRejection,
  cycleControlSignal,
  cycleDirectiveSignal,
  cycleProgressQuery,
  extendStageUpdate,
  pauseCycleUpdate,
  resumeCycleUpdate,
  setStepDeadlineUpdate,
  stepFinishedSignal,
  stepStartedSignal,
  stepPlanOf,
  stepWorkflowId,
  STEP_WORKFLOW,
  trackWorkflowId,
  ORGANIZATION_TRACK_WORKFLOW,
  type CycleControlState,
  type CycleDirective,
  type CycleInput,
  type CycleParticipant,
  type CycleProgress,
  type StageProgress,
  type StepInput,
} from '../libs/contracts/cycle';
import type { ResolvedCyclePlan, ResolvedStep } from '../libs/contracts/cycle-template';
import { localToEpochMs, orderStages } from '../libs/domain/cycle-schedule';
import { cycleStepSplit, knownFromList, regionalTrackSteps, stagesAwaitingList, trackRole } from '../libs/domain/cycle-template/step-tasks';
import { parseLocalDateTime, resolveDeadline } from '../libs/domain/deadline';
import { CYCLE_ACTIVITY_OPTIONS, cycleOperatorAlerts, handledActivityFailure, PROJECTION_OPTIONS, settle } from './activity-failures';
import type { organizationTrackWorkflow } from './organization-track.workflow';
import type { stepWorkflow } from './step.workflow';

const { loadParticipants, selectBestPracticeSchools, extendOpenStageTasks, cancelOpenCycleTasks } =
  proxyActivities<CycleActivities>(CYCLE_ACTIVITY_OPTIONS);
const { recordCycleEvent } = proxyActivities<CycleActivities>(PROJECTION_OPTIONS);

/** Without the approved list the cycle cannot go on: a failed read is tried again hourly for a day before giving up. */
const PARTICIPANTS_RETRY = { every: '1 hour', rounds: 24 } as const;

/**
 * The ministry's and the institute's tracks start at launch, so their stages that do not wait for the list of
 * schools open then; before, every track started after the list.
 */
const REGIONAL_TRACKS_AT_LAUNCH = 'regional-tracks-at-launch';

/**
 * Cancellation and stage extensions go down the workflow tree (cycle → tracks and the cycle's own steps → steps →
 * tasks) as directives. Before, an activity read the open tasks from PostgreSQL and sent each an Update, and a
 * cancelled cycle swept again every few seconds for tasks opened meanwhile; cycles that took their decision that way
 * keep doing so on replay.
 */
const DIRECTIVES_DOWN_THE_TREE = 'directives-down-the-tree';

/** Signals to the tracks skip those that have finished, instead of failing the Update that sent them. */
const FINISHED_TRACKS_NEED_NO_SIGNAL = 'finished-tracks-need-no-signal';

/**
 * The tracks of the approved list start many at a time instead of one after another: each start waited a workflow
 * task round trip of its own, so a region's hundreds of schools took hundreds of round trips before the last one got
 * its first task. Histories from before replay the one-by-one start.
 */
const TRACKS_START_TOGETHER = 'tracks-start-together';

/**
 * How many track starts are in flight at once: enough that one workflow task carries dozens of starts, few enough
 * that its commands (each with the track's plan) stay far below the server's message and transaction limits.
 */
const TRACK_STARTS_IN_FLIGHT = 32;

/** How often a cycle cancelled the old way sweeps tasks that in-flight steps opened after the previous sweep. */
const CANCEL_SWEEP_INTERVAL = '3 seconds';

function reject(message: string): never {
  throw ApplicationFailure.create({ type: CycleRejection.invalidRequest, message, nonRetryable: true });
}

function requireReason(reason: unknown, by: unknown): void {
  if (typeof by !== 'string' || by.trim() === '') reject('Не указано, кто принимает решение');
  if (typeof reason !== 'string' || reason.trim() === '') reject('Укажите основание решения');
  if (reason.length > 1000) reject('Основание длиннее 1000 символов');
}

export async function cycleWorkflow(input: CycleInput): Promise<CycleProgress> {
  const { plan } = input;
  const stages = orderStages(plan.stages);
  const control: CycleControlState = { paused: false, cancelled: false, stageDeadlines: {} };
  const progress: CycleProgress = {
    cycleId: input.cycleId,
    status: 'running',
    templateId: plan.templateId,
    templateVersion: plan.templateVersion,
    participants: 0,
    stages: stages.map(
      (s): StageProgress => ({ id: s.id, title: s.title, status: 'waiting', stepsTotal: 0, stepsStarted: 0, stepsDone: 0 }),
    ),
    version: 0,
  };
  const datesToSet = stages
    .flatMap((s) => s.steps)
    .filter((s) => s.deadlineSetLater !== undefined)
    .map((s) => ({ stageId: s.stageId, stepKey: s.key, title: s.title, wording: s.deadlineSetLater as string, latestLocal: s.dueLocal }));
  if (datesToSet.length > 0) progress.datesToSet = datesToSet;
  const tracks: ChildWorkflowHandle<typeof organizationTrackWorkflow>[] = [];

  const stageOf = (id: string): StageProgress | undefined => progress.stages.find((s) => s.id === id);
  const refreshStageStatuses = (): void => {
    for (const stage of progress.stages) {
      if (stage.status === 'cancelled') continue;
      if (stage.stepsTotal > 0 && stage.stepsDone >= stage.stepsTotal) stage.status = 'closed';
      else if (stage.stepsStarted > 0) stage.status = 'open';
    }
  };

  const alert = cycleOperatorAlerts(input.cycleId);

  /**
   * The event and the progress after it, in one transaction. When that fails for good the cycle goes on (its state
   * lives here, and the next event stores the whole progress again) and the operator is alerted.
   */
  const record = async (type: string, actor: string, data: Record<string, unknown>): Promise<void> => {
    progress.version += 1;
    try {
      await recordCycleEvent({ cycleId: input.cycleId, type, actor, data, progress: JSON.parse(JSON.stringify(progress)) as CycleProgress });
    } catch (err) {
      const failure = handledActivityFailure(err);
      if (!failure) throw err;
      await alert('recordCycleEvent', failure, `Событие цикла «${type}» не записано в журнал; цикл продолжается`);
    }
  };

  const broadcast = async (): Promise<void> => {
    // A track that has finished cannot be signalled ("not found"), which used to fail the ministry's Update once any
    // municipality was done; such a track needs nothing. Histories from before keep the old behaviour on replay.
    if (patched(FINISHED_TRACKS_NEED_NO_SIGNAL)) {
      await Promise.all(tracks.map((t) => t.signal(cycleControlSignal, control).catch(() => undefined)));
    } else {
      await Promise.all(tracks.map((t) => t.signal(cycleControlSignal, control)));
    }
  };

  // The steps the cycle runs itself (those before the list, the best-practice invitations), and the directives they
  // and the tracks were sent, so that a child whose start was in flight is told once started.
  const directives: CycleDirective[] = [];
  const ownSteps = new Map<string, ChildWorkflowHandle<typeof stepWorkflow>>();
  /** Set when the cancellation went down the tree: no sweep of the read model is needed then. */
  let cancelledDownTheTree = false;
  const tell = (child: ChildWorkflowHandle<typeof organizationTrackWorkflow | typeof stepWorkflow>, directive: CycleDirective) =>
    // A track or step that has finished cannot be signalled, and has nothing left to change.
    child.signal(cycleDirectiveSignal, directive).catch(() => undefined);
  const passDown = async (directive: CycleDirective): Promise<void> => {
    directives.push(directive);
    await Promise.all([...tracks, ...ownSteps.values()].map((child) => tell(child, directive)));
  };
  const runOwnStep = async (workflowId: string, stepInput: StepInput): Promise<void> => {
    const told = directives.length;
    const child = await startChild<typeof stepWorkflow>(STEP_WORKFLOW, { workflowId, args: [stepInput] });
    ownSteps.set(workflowId, child);
    try {
      for (const directive of directives.slice(told)) await tell(child, directive);
      await child.result();
    } finally {
      ownSteps.delete(workflowId);
    }
  };

  setHandler(cycleProgressQuery, () => progress);

  setHandler(stepStartedSignal, (started) => {
    const stage = stageOf(started.stageId);
    if (stage) stage.stepsStarted += 1;
    refreshStageStatuses();
  });

  setHandler(stepFinishedSignal, (finished) => {
    const stage = stageOf(finished.stageId);
    if (stage) stage.stepsDone += 1;
    refreshStageStatuses();
  });

  const assertActive = (): void => {
    if (progress.status === 'cancelled') reject('Цикл отменён');
    if (progress.status === 'completed') reject('Цикл уже завершён');
  };

  setHandler(
    pauseCycleUpdate,
    async (request) => {
      control.paused = true;
      progress.status = 'paused';
      progress.pausedAt = new Date().toISOString();
      await broadcast();
      await record('cycle_paused', request.by, { reason: request.reason });
      return progress;
    },
    {
      validator: (request) => {
        assertActive();
        requireReason(request?.reason, request?.by);
        if (progress.status === 'paused') reject('Цикл уже приостановлен');
      },
    },
  );

  setHandler(
    resumeCycleUpdate,
    async (request) => {
      control.paused = false;
      progress.status = 'running';
      progress.pausedAt = undefined;
      await broadcast();
      await record('cycle_resumed', request.by, { reason: request.reason });
      return progress;
    },
    {
      validator: (request) => {
        assertActive();
        requireReason(request?.reason, request?.by);
        if (progress.status !== 'paused') reject('Цикл не приостановлен');
      },
    },
  );

  setHandler(
    extendStageUpdate,
    async (request) => {
      control.stageDeadlines[request.stageId] = request.localDateTime;
      const stage = stageOf(request.stageId);
      if (stage) stage.extendedTo = request.localDateTime;
      await broadcast();
      if (patched(DIRECTIVES_DOWN_THE_TREE)) {
        const { stageId, localDateTime, reason, by } = request;
        await passDown({ kind: 'extend_stage', stageId, localDateTime, reason, by });
        await record('stage_extended', by, { stageId, localDateTime, reason });
        return progress;
      }
      const extended = await settle(
        () =>
          extendOpenStageTasks({
            cycleId: input.cycleId,
            stageId: request.stageId,
            localDateTime: request.localDateTime,
            reason: request.reason,
            by: request.by,
          }),
        {
          fallback: 0,
          alert: (failure) =>
            alert('extendOpenStageTasks', failure, `Открытые задачи этапа «${request.stageId}» не продлены; новые задачи этапа получат новый срок`),
        },
      );
      await record('stage_extended', request.by, {
        stageId: request.stageId,
        localDateTime: request.localDateTime,
        reason: request.reason,
        openTasksExtended: extended,
      });
      return progress;
    },
    {
      validator: (request) => {
        assertActive();
        requireReason(request?.reason, request?.by);
        const stage = stageOf(request.stageId);
        if (!stage) reject(`Этап «${String(request.stageId)}» не найден в плане цикла`);
        if (stage.status === 'closed') reject(`Этап «${stage.title}» уже завершён`);
        let due: number;
        try {
          due = parseLocalDateTime(request.localDateTime, plan.timeZone).toMillis();
          // A date the production calendar does not cover would fail every task's extension later, for good.
          resolveDeadline({ localDateTime: request.localDateTime, timeZone: plan.timeZone, calendar: plan.calendar, decreeNonWorkingDays: plan.decreeNonWorkingDays });
        } catch {
          reject(`Неверный срок: ${String(request.localDateTime)}; ожидается ГГГГ-ММ-ДДTЧЧ:ММ в пределах производственного календаря`);
        }
        if (due <= Date.now()) reject('Новый срок этапа уже прошёл');
      },
    },
  );

  setHandler(
    setStepDeadlineUpdate,
    async (request) => {
      const entry = progress.datesToSet!.find((d) => d.stepKey === request.stepKey)!;
      const localDateTime = parseLocalDateTime(request.localDateTime, plan.timeZone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
      Object.assign(entry, { localDateTime, basis: request.reason, setBy: request.by });
      control.stepDeadlines = { ...control.stepDeadlines, [request.stepKey]: localDateTime };
      await broadcast();
      await record('step_deadline_set', request.by, { stepKey: request.stepKey, localDateTime, reason: request.reason });
      return progress;
    },
    {
      validator: (request) => {
        assertActive();
        requireReason(request?.reason, request?.by);
        const entry = progress.datesToSet?.find((d) => d.stepKey === request.stepKey);
        if (!entry) reject(`В плане цикла нет шага «${String(request.stepKey)}», срок которого устанавливается позже`);
        if (entry.localDateTime) {
          reject(`Срок шага «${entry.title}» уже установлен: ${entry.localDateTime.slice(0, 16)}; изменить его можно продлением этапа или срока задачи`);
        }
        let due: number;
        try {
          due = parseLocalDateTime(request.localDateTime, plan.timeZone).toMillis();
          resolveDeadline({ localDateTime: request.localDateTime, timeZone: plan.timeZone, calendar: plan.calendar, decreeNonWorkingDays: plan.decreeNonWorkingDays });
        } catch {
          reject(`Неверный срок: ${String(request.localDateTime)}; ожидается ГГГГ-ММ-ДДTЧЧ:ММ в пределах производственного календаря`);
        }
        if (due <= Date.now()) reject('Устанавливаемый срок уже прошёл');
        // A compressed drill's last date is seconds away and passes while it runs: only real calendars are bounded.
        if (!plan.compression && due > parseLocalDateTime(entry.latestLocal, plan.timeZone).toMillis()) {
          reject(`Срок шага «${entry.title}» не может быть позже последнего срока дорожной карты (${entry.latestLocal.slice(0, 16)})`);
        }
      },
    },
  );

  setHandler(
    cancelCycleUpdate,
    async (request) => {
      control.cancelled = true;
      progress.status = 'cancelled';
      progress.cancelledAt = new Date().toISOString();
      for (const stage of progress.stages) if (stage.status !== 'closed') stage.status = 'cancelled';
      await broadcast();
      if (patched(DIRECTIVES_DOWN_THE_TREE)) {
        cancelledDownTheTree = true;
        await passDown({ kind: 'cancel', reason: request.reason, by: request.by });
        await record('cycle_cancelled', request.by, { reason: request.reason });
        return progress;
      }
      const cancelled = await settle(() => cancelOpenCycleTasks({ cycleId: input.cycleId, reason: request.reason, by: request.by }), {
        fallback: 0,
        alert: (failure) => alert('cancelOpenCycleTasks', failure, 'Открытые задачи цикла не отменены сразу; цикл повторит отмену, пока работают его шаги'),
      });
      await record('cycle_cancelled', request.by, { reason: request.reason, openTasksCancelled: cancelled });
      return progress;
    },
    {
      validator: (request) => {
        assertActive();
        requireReason(request?.reason, request?.by);
      },
    },
  );

  await record('cycle_launched', input.launchedBy, {
    templateId: plan.templateId,
    templateVersion: plan.templateVersion,
    academicYear: input.academicYear,
    compression: plan.compression,
  });

  // 1. Identification: the ministry approves the list of participant schools. The regional steps of the same stage
  // (the institute's analysis of results, say) run beside it: they come before the list, not after.
  const { beforeList, tracked: allSteps } = cycleStepSplit(stages);
  const keysFor = (predicate: (s: ResolvedStep) => boolean): string[] => allSteps.filter(predicate).map((s) => s.key);
  const countInstances = (step: ResolvedStep, organizations: number): void => {
    const stage = stageOf(step.stageId);
    if (stage) stage.stepsTotal += organizations * (step.kind === 'monitoring' ? (step.periods?.length ?? 0) : 1);
  };
  type TrackSpec = { organizationId: string; municipalityId?: string; stepKeys: string[]; stagesAwaitingList?: string[] };
  const regionalTracks = (): TrackSpec[] => {
    const specs: TrackSpec[] = [];
    const regional = regionalTrackSteps(allSteps, input.instituteId !== undefined);
    const ministryKeys = regional.ministry.map((s) => s.key);
    const instituteKeys = regional.institute.map((s) => s.key);
    if (ministryKeys.length > 0) specs.push({ organizationId: input.ministryId, stepKeys: ministryKeys });
    if (instituteKeys.length > 0 && input.instituteId !== undefined) specs.push({ organizationId: input.instituteId, stepKeys: instituteKeys });
    for (const step of allSteps) if (!knownFromList(trackRole(step))) countInstances(step, 1);
    return specs;
  };
  let startingTogether = false;
  const startTrack = async (spec: TrackSpec): Promise<void> => {
    if (spec.stepKeys.length === 0 || control.cancelled) return;
    const told = directives.length;
    const controlSent = startingTogether ? JSON.stringify(control) : undefined;
    const track = await startChild<typeof organizationTrackWorkflow>(ORGANIZATION_TRACK_WORKFLOW, {
      workflowId: trackWorkflowId(input.cycleId, spec.organizationId),
      args: [
        {
          cycleId: input.cycleId,
          organizationId: spec.organizationId,
          municipalityId: spec.municipalityId,
          ministryId: input.ministryId,
          instituteId: input.instituteId,
          plan: trackPlan(plan, spec.stepKeys),
          stepKeys: spec.stepKeys,
          control,
          ...(spec.stagesAwaitingList ? { stagesAwaitingList: spec.stagesAwaitingList } : {}),
        },
      ],
    });
    tracks.push(track);
    // Decided while the track was starting: its input carried the control state from before. With many starts in
    // flight a pause can fall in that window too, so the state itself is compared (only for histories that start
    // tracks together: the one-by-one start keeps its old commands on replay).
    const missed = directives.slice(told);
    const controlChanged = controlSent !== undefined && JSON.stringify(control) !== controlSent;
    if (missed.length > 0 || controlChanged) {
      await track.signal(cycleControlSignal, control).catch(() => undefined);
      for (const directive of missed) await tell(track, directive);
    }
  };

  await condition(() => !control.paused || control.cancelled);
  const regionalAtLaunch = patched(REGIONAL_TRACKS_AT_LAUNCH);
  if (regionalAtLaunch) {
    // The ministry's and the institute's own stages that do not wait for the list open now.
    const awaiting = [...stagesAwaitingList(plan.stages)];
    for (const spec of regionalTracks()) await startTrack({ ...spec, stagesAwaitingList: awaiting });
    refreshStageStatuses();
  }
  const beforeListRuns = control.cancelled
    ? []
    : beforeList.map(async (step) => {
        const organizationId = step.actor === 'institute' ? (input.instituteId ?? input.ministryId) : input.ministryId;
        const stage = stageOf(step.stageId);
        if (stage) {
          stage.stepsTotal += 1;
          stage.stepsStarted += 1;
        }
        refreshStageStatuses();
        if (step.deadlineSetLater !== undefined) {
          await condition(() => control.stepDeadlines?.[step.key] !== undefined || control.cancelled);
          if (control.cancelled) return;
        }
        await runOwnStep(stepWorkflowId(input.cycleId, step.key, organizationId), {
          cycleId: input.cycleId,
          plan: stepPlanOf(plan),
          step,
          organizationId,
          ministryId: input.ministryId,
          instituteId: input.instituteId,
          ...(control.stepDeadlines?.[step.key] ? { dueLocal: control.stepDeadlines[step.key] } : {}),
        });
        if (stage) stage.stepsDone += 1;
        refreshStageStatuses();
      });
  // The tracks wait for the approved list only; the regional steps beside it are awaited before the cycle closes
  // (a failure there surfaces then, not as an unhandled rejection now).
  for (const run of beforeListRuns) run.catch(() => undefined);
  await Promise.all(beforeListRuns.filter((_, i) => beforeList[i].kind === 'identification'));

  let participants: CycleParticipant[] = [];
  if (!control.cancelled) {
    participants = await settle(() => loadParticipants({ cycleId: input.cycleId }), {
      fallback: [],
      alert: (failure, final, round) =>
        alert(
          'loadParticipants',
          failure,
          final
            ? 'Утверждённый список школ не прочитан: цикл продолжается без школ-участниц'
            : `Утверждённый список школ не прочитан (попытка ${round} из ${PARTICIPANTS_RETRY.rounds}); следующая через час`,
        ),
      retry: { ...PARTICIPANTS_RETRY, stop: () => control.cancelled },
    });
    progress.participants = participants.length;
    await record('participants_approved', 'system', { schools: participants.map((p) => p.schoolId) });
  }
  if (regionalAtLaunch && !control.cancelled) {
    control.listApproved = true;
    await broadcast();
  }

  // 2. One track per municipality and participant school (and, in cycles launched before the regional tracks
  // started at launch, the ministry's and the institute's).
  const municipalities = [...new Set(participants.map((p) => p.municipalityId))].sort();
  const trackSpecs: TrackSpec[] = [];
  // A municipality's track runs its partner schools' steps too: the partners are known from its agreements.
  const municipalityKeys = keysFor((s) => trackRole(s) === 'municipality' || trackRole(s) === 'partner_school');
  const schoolKeys = keysFor((s) => trackRole(s) === 'school');
  if (participants.length > 0) {
    if (!regionalAtLaunch) trackSpecs.push(...regionalTracks());
    for (const municipalityId of municipalities) trackSpecs.push({ organizationId: municipalityId, stepKeys: municipalityKeys });
    for (const p of participants) trackSpecs.push({ organizationId: p.schoolId, municipalityId: p.municipalityId, stepKeys: schoolKeys });
    for (const step of allSteps) {
      const role = trackRole(step);
      if (role === 'municipality') countInstances(step, municipalities.length);
      else if (role === 'school') countInstances(step, participants.length);
    }
  }
  refreshStageStatuses();
  if (patched(TRACKS_START_TOGETHER)) {
    startingTogether = true;
    await inFlightAtMost(TRACK_STARTS_IN_FLIGHT, trackSpecs, startTrack);
  } else {
    for (const spec of trackSpecs) await startTrack(spec);
  }
  let allTracksDone = false;
  let trackFailure: unknown;
  void Promise.all(tracks.map((t) => t.result())).then(
    () => {
      allTracksDone = true;
    },
    (err: unknown) => {
      trackFailure = err;
      allTracksDone = true;
    },
  );
  await condition(() => allTracksDone || control.cancelled);
  if (trackFailure !== undefined) throw trackFailure;
  if (!control.cancelled) await Promise.all(beforeListRuns);

  // 3. Best practices: the schools whose monitoring improved most and most steadily describe their practice.
  const bestPracticeSteps = stages.flatMap((s) => s.steps).filter((s) => s.kind === 'best_practice');
  for (const step of bestPracticeSteps) {
    if (control.cancelled) break;
    if (step.opensAt) {
      const wait = localToEpochMs(step.opensAt, plan.timeZone) - Date.now();
      if (wait > 0) await Promise.race([sleep(wait), condition(() => control.cancelled)]);
    }
    await condition(() => !control.paused || control.cancelled);
    if (control.cancelled || !step.bestPractice) break;
    const invited = await settle(
      () => selectBestPracticeSchools({ cycleId: input.cycleId, indicator: step.bestPractice!.indicator, top: step.bestPractice!.top }),
      {
        fallback: [],
        alert: (failure) => alert('selectBestPracticeSchools', failure, `Школы для шага «${step.key}» не выбраны: приглашения не отправлены`),
      },
    );
    const stage = stageOf(step.stageId);
    if (stage) {
      stage.stepsTotal += invited.length;
      stage.stepsStarted += invited.length;
    }
    await record('best_practice_invited', 'system', { stepKey: step.key, schools: invited });
    refreshStageStatuses();
    await Promise.all(
      invited.map(async (school) => {
        await runOwnStep(stepWorkflowId(input.cycleId, step.key, school.schoolId), {
          cycleId: input.cycleId,
          plan: stepPlanOf(plan),
          step,
          organizationId: school.schoolId,
          municipalityId: school.municipalityId,
          ministryId: input.ministryId,
          instituteId: input.instituteId,
          dueLocal: control.stageDeadlines[step.stageId],
        });
        if (stage) stage.stepsDone += 1;
        refreshStageStatuses();
      }),
    );
  }

  if (control.cancelled && cancelledDownTheTree) {
    // Every track and step was told, including those starting at that moment; they end once their tasks have.
    await condition(() => allTracksDone);
  } else if (control.cancelled) {
    // Steps in flight may open a task after the sweep that the cancellation ran; sweep until every track is done.
    while (!allTracksDone) {
      await condition(() => allTracksDone, CANCEL_SWEEP_INTERVAL);
      if (!allTracksDone) {
        await settle(() => cancelOpenCycleTasks({ cycleId: input.cycleId, reason: 'Цикл отменён', by: 'system' }), {
          fallback: 0,
          alert: (failure) => alert('cancelOpenCycleTasks', failure, 'Открытые задачи отменённого цикла не отменены; повтор при следующем обходе'),
        });
      }
    }
  } else {
    progress.status = 'completed';
    progress.completedAt = new Date().toISOString();
    for (const stage of progress.stages) if (stage.status !== 'cancelled') stage.status = 'closed';
    await record('cycle_completed', 'system', {});
  }
  await condition(allHandlersFinished);
  return progress;
}

/** Runs `run` over `items` with at most `limit` of them in flight, in the items' order. */
async function inFlightAtMost<T>(limit: number, items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await run(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * A track's copy of the plan: its own steps only, without the forms (steps name their form; the API holds the
 * definitions). Each child's input is stored in the cycle's history, so this keeps a large region's history small.
 */
function trackPlan(plan: ResolvedCyclePlan, stepKeys: string[]): ResolvedCyclePlan {
  const keys = new Set(stepKeys);
  return { ...plan, forms: {}, stages: plan.stages.map((stage) => ({ ...stage, steps: stage.steps.filter((s) => keys.has(s.key)) })) };
}
