// The worker's workflow bundle entry: every workflow, and nothing that is not sandbox-safe.
export { deadlineTaskWorkflow } from './deadline-task.workflow';
export { cycleWorkflow } from './cycle.workflow';
export { organizationTrackWorkflow } from './organization-track.workflow';
export { stepWorkflow } from './step.workflow';
export { cycleActionMailWorkflow } from './cycle-action-mail.workflow';
