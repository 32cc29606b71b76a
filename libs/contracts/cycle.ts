/**
 * The yearly cycle's contract: workflow names and IDs, inputs, the progress query and the ministry's controls.
 * Sandbox-safe: plain types and Temporal message definitions only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ResolvedCyclePlan, ResolvedStep } from './cycle-template';

export const CYCLE_WORKFLOW = 'cycleWorkflow';
export const ORGANIZATION_TRACK_WORKFLOW = 'organizationTrackWorkflow';
export const STEP_WORKFLOW = 'stepWorkflow';

/** A cycle is one region and one academic year: 'demo-2026'. */
export function cycleKey(regionCode: string, academicYear: number): string {
  return `${regionCode}-${academicYear}`;
}

export function cycleWorkflowId(cycleId: string): string {
  return `cycle:${cycleId}`;
}

export function trackWorkflowId(cycleId: string, organizationId: string): string {
  return `cycle:${cycleId}:org:${organizationId}`;
}

export function stepWorkflowId(cycleId: string, stepKey: string, organizationId: string, periodId?: string): string {
  return `cycle:${cycleId}:step:${stepKey}:${organizationId}${periodId ? `:${periodId}` : ''}`;
}

/** Task keys are business keys too: the same step for the same organisation and round is one task. */
export function cycleTaskId(
  cycleId: string,
  stepKey: string,
  organizationId: string,
  action: string,
  extra: { periodId?: string; round?: number; party?: string } = {},
): string {
  const parts = [cycleId, stepKey, organizationId];
  if (extra.periodId) parts.push(extra.periodId);
  if (extra.round !== undefined) parts.push(`r${extra.round}`);
  parts.push(action);
  if (extra.party) parts.push(extra.party);
  return parts.join('.');
}

export type CycleStatus = 'running' | 'paused' | 'completed' | 'cancelled';
export type StageStatus = 'waiting' | 'open' | 'closed' | 'cancelled';

export interface CycleParticipant {
  schoolId: string;
  municipalityId: string;
}

export interface CycleInput {
  cycleId: string;
  regionCode: string;
  academicYear: number;
  plan: ResolvedCyclePlan;
  ministryId: string;
  instituteId?: string;
  launchedBy: string;
}

export interface StageProgress {
  id: string;
  title: string;
  status: StageStatus;
  /** Local date-time the ministry extended the stage to, if it did. */
  extendedTo?: string;
  stepsTotal: number;
  /** Step instances issued so far (their first task is out). */
  stepsStarted: number;
  stepsDone: number;
}

export interface CycleProgress {
  cycleId: string;
  status: CycleStatus;
  templateId: string;
  templateVersion: number;
  participants: number;
  stages: StageProgress[];
  /** Steps whose date the roadmap left to be set later, and the date once the ministry has set it. */
  datesToSet?: StepDateToSet[];
  pausedAt?: string;
  cancelledAt?: string;
  completedAt?: string;
  version: number;
}

export interface StepDateToSet {
  stageId: string;
  stepKey: string;
  title: string;
  /** The roadmap's words: «по специальному графику». */
  wording: string;
  /** The latest date it may be set to. */
  latestLocal: string;
  /** Absent until set: «срок будет установлен». */
  localDateTime?: string;
  basis?: string;
  setBy?: string;
}

export interface CycleControlRequest {
  by: string;
  reason: string;
}

export interface ExtendStageRequest extends CycleControlRequest {
  stageId: string;
  /** New local deadline 'YYYY-MM-DDTHH:mm' for every open and future task of the stage. */
  localDateTime: string;
}

export interface SetStepDeadlineRequest extends CycleControlRequest {
  stepKey: string;
  /** Local 'YYYY-MM-DDTHH:mm[:ss]' in the plan's zone. */
  localDateTime: string;
}

export const setStepDeadlineUpdate = defineUpdate<CycleProgress, [SetStepDeadlineRequest]>('setStepDeadline');
export const pauseCycleUpdate = defineUpdate<CycleProgress, [CycleControlRequest]>('pauseCycle');
export const resumeCycleUpdate = defineUpdate<CycleProgress, [CycleControlRequest]>('resumeCycle');
export const extendStageUpdate = defineUpdate<CycleProgress, [ExtendStageRequest]>('extendStage');
export const cancelCycleUpdate = defineUpdate<CycleProgress, [CycleControlRequest]>('cancelCycle');
export const cycleProgressQuery = defineQuery<CycleProgress>('cycleProgress');

/** The cycle tells its children about pauses and stage extensions; children take them at their next step. */
export interface CycleControlState {
  paused: boolean;
  cancelled: boolean;
  /** stageId → local deadline that overrides the plan's. */
  stageDeadlines: Record<string, string>;
  /** stepKey → the local deadline the ministry set for a step whose date the roadmap left to be set later. */
  stepDeadlines?: Record<string, string>;
  /** Set once the list of participant schools is approved: tracks started at launch then open the stages after it. */
  listApproved?: boolean;
}
export const cycleControlSignal = defineSignal<[CycleControlState]>('cycleControl');

/**
 * The ministry's decisions that reach open tasks: the cycle tells its tracks and its own steps, a track its running
 * steps, a step its running tasks. Each level remembers what it was told, so a child whose start was in flight at
 * that moment is told as soon as it has started.
 */
export type CycleDirective =
  | { kind: 'cancel'; reason: string; by: string }
  | { kind: 'extend_stage'; stageId: string; localDateTime: string; reason: string; by: string };
export const cycleDirectiveSignal = defineSignal<[CycleDirective]>('cycleDirective');

/** Each organisation track reports its finished steps to the cycle, which keeps the stage progress. */
export interface StepFinished {
  stageId: string;
  stepKey: string;
  organizationId: string;
  periodId?: string;
  outcome: StepOutcome;
}
export const stepFinishedSignal = defineSignal<[StepFinished]>('stepFinished');

/** Sent when a track issues a step, so that the stage shows as open while its tasks are out. */
export type StepStarted = Omit<StepFinished, 'outcome'>;
export const stepStartedSignal = defineSignal<[StepStarted]>('stepStarted');

export const CycleRejection = {
  invalidRequest: 'InvalidCycleRequest',
  notRunning: 'CycleNotRunning',
} as const;

/** One organisation's part of the cycle: its steps in stage order. */
export interface OrganizationTrackInput {
  cycleId: string;
  organizationId: string;
  /** The organisation's municipality (a school's parent), for supervision and subjects. */
  municipalityId?: string;
  ministryId: string;
  instituteId?: string;
  plan: ResolvedCyclePlan;
  stepKeys: string[];
  control: CycleControlState;
  /**
   * Stages that open only once `control.listApproved` (the ministry's and institute's tracks start at launch, before
   * the list); absent for tracks started after it.
   */
  stagesAwaitingList?: string[];
}

/** The part of the plan a step needs to date its tasks; each step child's input carries only this. */
export type StepPlan = Pick<ResolvedCyclePlan, 'timeZone' | 'calendar' | 'compression' | 'decreeNonWorkingDays'>;

export function stepPlanOf(plan: StepPlan): StepPlan {
  return { timeZone: plan.timeZone, calendar: plan.calendar, compression: plan.compression, decreeNonWorkingDays: plan.decreeNonWorkingDays };
}

export interface StepInput {
  cycleId: string;
  plan: StepPlan;
  step: ResolvedStep;
  organizationId: string;
  municipalityId?: string;
  ministryId: string;
  instituteId?: string;
  periodId?: string;
  /** Overrides the step's deadline (a stage extended for everyone). */
  dueLocal?: string;
}

export type StepOutcome = 'done' | 'approved' | 'rejected' | 'cancelled';

export interface StepResult {
  outcome: StepOutcome;
  rounds: number;
  submissionId?: string;
}
