/**
 * Which step instances a cycle issues at once when it starts, for the dashboard's «Запуск цикла» card: what the
 * cycle must hand out before the launch is over, as opposed to what waits for someone's work or a later date.
 *
 * Two waves, each issued over seconds or minutes by the workflows:
 *  - 'launch' (at `launchedAt`): the identification steps and the ministry's and institute's steps beside them
 *    (cycle.workflow's «before the list»), and the regional tracks' stages that do not wait for the list;
 *  - 'participants' (at `listApprovedAt`): one track per municipality with participant schools and per school, each
 *    opening the stages none of whose earlier stages has steps for it, and the regional stages the list unblocked.
 * Within an opening stage a step is issued at once unless its date is still to be set or it opens later than the
 * wave's start (those come later and are not the launch); partner schools are known only from agreements, which no
 * opening stage has yet.
 *
 * Which steps run where is the workflows' own rule (`cycleStepSplit`, `regionalTrackSteps`, `stagesAwaitingList` in
 * step-tasks.ts, which cycle.workflow.ts calls too); `openingStages` below summarises what organization-track.workflow.ts
 * opens at its start. It is only read, so a difference shows as a card that does not reach 100 %, never as a wrong
 * task.
 */
import type { CycleParticipant } from '../../../libs/contracts/cycle';
import type { ActorRole, ResolvedCyclePlan, ResolvedStage, ResolvedStep } from '../../../libs/contracts/cycle-template';
import { localToEpochMs } from '../../../libs/domain/cycle-schedule';
import { cycleStepSplit, regionalTrackSteps, stagesAwaitingList, trackRole } from '../../../libs/domain/cycle-template/step-tasks';

export type LaunchPhase = 'launch' | 'participants';

/** One step (and monitoring period) of the wave with the organisations it is issued to. */
export interface WaveInstance {
  stageId: string;
  stepKey: string;
  periodId?: string;
  organizationIds: string[];
}

export interface LaunchWave {
  phase: LaunchPhase;
  startedAtMs: number;
  instances: WaveInstance[];
}

export interface WaveParties {
  ministryId: string;
  instituteId?: string;
}

/** The key the tasks table is matched by: the step and the period (empty outside monitoring). */
export function instanceKey(stepKey: string, periodId?: string | null): string {
  return `${stepKey}|${periodId ?? ''}`;
}

/**
 * The latest wave: 'participants' once the list is approved (`participants` given, with `listApprovedAtMs`), else
 * 'launch'.
 */
export function launchWave(
  plan: ResolvedCyclePlan,
  parties: WaveParties,
  moments: { launchedAtMs: number; listApprovedAtMs?: number },
  participants?: CycleParticipant[],
): LaunchWave {
  const stageById = new Map(plan.stages.map((s) => [s.id, s]));
  const awaiting = stagesAwaitingList(plan.stages);
  const { beforeList, tracked } = cycleStepSplit(plan.stages);
  const ofRole = (...roles: ActorRole[]) => tracked.filter((s) => roles.includes(trackRole(s)));
  const regionalSteps = regionalTrackSteps(tracked, parties.instituteId !== undefined);
  const regional: { organizationId: string; steps: ResolvedStep[] }[] = [
    { organizationId: parties.ministryId, steps: regionalSteps.ministry },
    ...(parties.instituteId !== undefined ? [{ organizationId: parties.instituteId, steps: regionalSteps.institute }] : []),
  ];

  const byKey = new Map<string, WaveInstance>();
  const add = (step: ResolvedStep, organizationId: string, periodId?: string): void => {
    const key = instanceKey(step.key, periodId);
    const instance = byKey.get(key) ?? { stageId: step.stageId, stepKey: step.key, ...(periodId ? { periodId } : {}), organizationIds: [] };
    byKey.set(key, instance);
    if (!instance.organizationIds.includes(organizationId)) instance.organizationIds.push(organizationId);
  };
  const opensBy = (local: string | undefined, atMs: number): boolean => local === undefined || localToEpochMs(local, plan.timeZone) <= atMs;
  /** Issues the step's instances for the organisation that would go out at once, by the wave's start. */
  const issueAtOnce = (step: ResolvedStep, organizationId: string, atMs: number): void => {
    if (step.deadlineSetLater !== undefined || trackRole(step) === 'partner_school') return;
    if (step.kind === 'monitoring') {
      for (const period of step.periods ?? []) if (opensBy(period.opensAt, atMs)) add(step, organizationId, period.id);
    } else if (opensBy(step.opensAt, atMs)) {
      add(step, organizationId);
    }
  };

  const listApproved = participants !== undefined && moments.listApprovedAtMs !== undefined;
  if (!listApproved) {
    const at = moments.launchedAtMs;
    for (const step of beforeList) {
      // cycle.workflow starts these at once, without waiting for an opening date.
      if (step.deadlineSetLater !== undefined) continue;
      add(step, step.actor === 'institute' ? (parties.instituteId ?? parties.ministryId) : parties.ministryId);
    }
    for (const track of regional) {
      for (const stage of openingStages(track.steps, stageById, awaiting, false)) {
        for (const step of track.steps.filter((s) => s.stageId === stage.id)) issueAtOnce(step, track.organizationId, at);
      }
    }
    return { phase: 'launch', startedAtMs: at, instances: [...byKey.values()] };
  }

  const at = moments.listApprovedAtMs!;
  for (const track of regional) {
    const before = new Set(openingStages(track.steps, stageById, awaiting, false).map((s) => s.id));
    for (const stage of openingStages(track.steps, stageById, awaiting, true)) {
      if (before.has(stage.id)) continue;
      for (const step of track.steps.filter((s) => s.stageId === stage.id)) issueAtOnce(step, track.organizationId, at);
    }
  }
  // Every municipality's track has the same steps, and so has every school's: their opening steps are found once.
  const openingSteps = (roleSteps: ResolvedStep[]): ResolvedStep[] => {
    const opening = new Set(openingStages(roleSteps, stageById, awaiting, true).map((s) => s.id));
    return roleSteps.filter((s) => opening.has(s.stageId));
  };
  const municipalSteps = openingSteps(ofRole('municipality', 'partner_school'));
  const schoolSteps = openingSteps(ofRole('school'));
  for (const municipalityId of [...new Set(participants.map((p) => p.municipalityId))].sort()) {
    for (const step of municipalSteps) issueAtOnce(step, municipalityId, at);
  }
  for (const p of participants) for (const step of schoolSteps) issueAtOnce(step, p.schoolId, at);
  return { phase: 'participants', startedAtMs: at, instances: [...byKey.values()] };
}

/**
 * The stages a track opens as soon as it starts: a stage opens once the stages it depends on are done in this track,
 * and a stage with none of the track's steps is done at once; before the list is approved, a stage waiting for it
 * does not open (organization-track.workflow.ts).
 */
function openingStages(
  trackSteps: ResolvedStep[],
  stageById: Map<string, ResolvedStage>,
  awaiting: Set<string>,
  listApproved: boolean,
): ResolvedStage[] {
  const withSteps = new Set(trackSteps.map((s) => s.stageId));
  const blocked = (stageId: string, seen = new Set<string>()): boolean => {
    const stage = stageById.get(stageId);
    if (!stage || seen.has(stageId)) return false;
    seen.add(stageId);
    return stage.dependsOn.some((d) => withSteps.has(d) || (!listApproved && awaiting.has(d)) || blocked(d, seen));
  };
  return [...stageById.values()].filter(
    (stage) => withSteps.has(stage.id) && (listApproved || !awaiting.has(stage.id)) && !blocked(stage.id),
  );
}
