/**
 * One organisation's part of a yearly cycle (a municipality, a school, the ministry's or the institute's own steps):
 * its steps stage by stage, each as a child step workflow. A stage starts for this organisation once its earlier
 * stages are done here, so one late municipality does not hold back the others. The cycle's pause, cancellation and
 * stage extensions arrive as a control signal and apply from the next step on; the cancellation and extensions also
 * arrive as directives that this track passes on to its running steps.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  condition,
  getExternalWorkflowHandle,
  patched,
  startChild,
  type ChildWorkflowHandle,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { CycleActivities } from '../activities/cycle-activities';
import {
  cycleControlSignal,
  cycleDirectiveSignal,
  stepFinishedSignal,
  stepStartedSignal,
  stepPlanOf,
  stepWorkflowId,
  STEP_WORKFLOW,
  type CycleControlState,
  type CycleDirective,
  type OrganizationTrackInput,
  type StepInput,
  type StepResult,
} from '../libs/contracts/cycle';
import type { ResolvedStage, ResolvedStep } from '../libs/contracts/cycle-template';
import { localToEpochMs, orderStages } from '../libs/domain/cycle-schedule';
import { AGREEMENT_READ_OPTIONS, cycleOperatorAlerts, settle } from './activity-failures';
import type { stepWorkflow } from './step.workflow';

const { listAgreements } = proxyActivities<CycleActivities>(AGREEMENT_READ_OPTIONS);

/**
 * Stages open by their `dependsOn`, not one after another in the template's order: a stage with no dependencies
 * opens when the track starts, beside the others.
 */
const STAGES_BY_DEPENDENCIES = 'stages-by-dependencies';

export interface TrackResult {
  organizationId: string;
  steps: number;
  cancelled: boolean;
}

export async function organizationTrackWorkflow(input: OrganizationTrackInput): Promise<TrackResult> {
  let control: CycleControlState = input.control;
  setHandler(cycleControlSignal, (state) => {
    control = state;
  });

  // The cycle's cancellation and stage extensions, passed on to the steps running here (each step tells its tasks);
  // a step whose start was in flight is told once it has started.
  const directives: CycleDirective[] = [];
  const runningSteps = new Map<string, ChildWorkflowHandle<typeof stepWorkflow>>();
  const tell = (child: ChildWorkflowHandle<typeof stepWorkflow>, directive: CycleDirective): Promise<void> =>
    child.signal(cycleDirectiveSignal, directive).catch(() => undefined);
  setHandler(cycleDirectiveSignal, async (directive) => {
    directives.push(directive);
    await Promise.all([...runningSteps.values()].map((child) => tell(child, directive)));
  });

  const { plan } = input;
  const parent = workflowInfo().parent;
  const cycle = parent ? getExternalWorkflowHandle(parent.workflowId) : undefined;
  const mine = new Set(input.stepKeys);
  const alert = cycleOperatorAlerts(input.cycleId);
  let finished = 0;

  /** Waits for the step's opening time and for the cycle not to be paused; false when the cycle is cancelled. */
  const readyToStart = async (step: ResolvedStep, opensAt: string | undefined): Promise<boolean> => {
    // A date the roadmap left to be set later: the step waits for the ministry to set it.
    if (step.deadlineSetLater !== undefined) await condition(() => control.stepDeadlines?.[step.key] !== undefined || control.cancelled);
    if (opensAt) {
      const wait = localToEpochMs(opensAt, plan.timeZone) - Date.now();
      if (wait > 0) await Promise.race([sleep(wait), condition(() => control.cancelled)]);
    }
    await condition(() => !control.paused || control.cancelled);
    return !control.cancelled;
  };

  const runStep = async (
    step: ResolvedStep,
    organizationId: string,
    periodId?: string,
    opensAt?: string,
    municipalityId = input.municipalityId,
  ): Promise<void> => {
    if (!(await readyToStart(step, opensAt ?? step.opensAt))) return;
    const stepInput: StepInput = {
      cycleId: input.cycleId,
      plan: stepPlanOf(plan),
      step,
      organizationId,
      municipalityId,
      ministryId: input.ministryId,
      instituteId: input.instituteId,
      periodId,
      dueLocal: control.stageDeadlines[step.stageId] ?? control.stepDeadlines?.[step.key],
    };
    let child: ChildWorkflowHandle<typeof stepWorkflow>;
    const told = directives.length;
    const childId = stepWorkflowId(input.cycleId, step.key, organizationId, periodId);
    try {
      child = await startChild<typeof stepWorkflow>(STEP_WORKFLOW, { workflowId: childId, args: [stepInput] });
    } catch (err) {
      // A partner school shared by two municipalities: the other municipality's track already runs its step.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return;
      throw err;
    }
    runningSteps.set(childId, child);
    let result: StepResult;
    try {
      for (const directive of directives.slice(told)) await tell(child, directive);
      await cycle?.signal(stepStartedSignal, { stageId: step.stageId, stepKey: step.key, organizationId, periodId });
      result = await child.result();
    } finally {
      runningSteps.delete(childId);
    }
    finished += 1;
    await cycle?.signal(stepFinishedSignal, {
      stageId: step.stageId,
      stepKey: step.key,
      organizationId,
      periodId,
      outcome: result.outcome,
    });
  };

  const runStage = async (stage: ResolvedStage): Promise<void> => {
    const steps = stage.steps.filter((s) => mine.has(s.key));
    if (steps.length === 0 || control.cancelled) return;
    await Promise.all(
      steps.map(async (step) => {
        if (step.kind === 'monitoring') {
          // Periods open one after another; a late report does not hold back the next period's task.
          await Promise.all((step.periods ?? []).map((period) => runStep(step, input.organizationId, period.id, period.opensAt)));
        } else if (step.actor === 'partner_school') {
          // Partner schools are known only once the municipality's agreements exist.
          const agreements = await settle(() => listAgreements({ cycleId: input.cycleId, municipalityId: input.organizationId }), {
            fallback: [],
            alert: (failure, final, round) =>
              alert(
                'listAgreements',
                failure,
                final
                  ? `Соглашения муниципалитета ${input.organizationId} не прочитаны: шаг «${step.key}» школ-партнёров не начат`
                  : `Соглашения муниципалитета ${input.organizationId} не прочитаны (попытка ${round} из 24); следующая через час`,
              ),
            retry: { every: '1 hour', rounds: 24, stop: () => control.cancelled },
          });
          // Each partner school answers to its own municipality, which may not be the one that proposed the pair.
          const partners = new Map(agreements.map((a) => [a.partnerSchoolId, a.partnerMunicipalityId]));
          await Promise.all([...partners].map(([partnerId, municipalityId]) => runStep(step, partnerId, undefined, undefined, municipalityId)));
        } else {
          await runStep(step, input.organizationId);
        }
      }),
    );
  };

  if (patched(STAGES_BY_DEPENDENCIES)) {
    // A stage opens here once the stages it depends on are done here; a stage with no steps here is done at once.
    const awaitingList = new Set(input.stagesAwaitingList ?? []);
    const stageDone = new Map<string, Promise<void>>();
    for (const stage of orderStages(plan.stages)) {
      const before = stage.dependsOn.map((id) => stageDone.get(id));
      stageDone.set(
        stage.id,
        (async () => {
          await Promise.all(before);
          if (awaitingList.has(stage.id)) await condition(() => control.listApproved === true || control.cancelled);
          await runStage(stage);
        })(),
      );
    }
    await Promise.all(stageDone.values());
  } else {
    for (const stage of orderStages(plan.stages)) {
      if (control.cancelled) break;
      await runStage(stage);
    }
  }
  return { organizationId: input.organizationId, steps: finished, cancelled: control.cancelled };
}
