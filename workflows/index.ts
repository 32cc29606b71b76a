// The worker's workflow bundle entry: every workflow, and nothing that is not sandbox-safe.
export { deadlineTaskWorkflow } from './deadline-task.workflow';
