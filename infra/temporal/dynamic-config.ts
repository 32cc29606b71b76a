/**
 * Temporal dynamic config that the dev server (`--dynamic-config-value`) and the cluster (its dynamic config file)
 * both run with, so that the benchmarks and the tests measure the engine as deployments configure it.
 */
export const SHARED_DYNAMIC_CONFIG: Record<string, boolean | number | string> = {
  // Eager activity execution: an activity a workflow task schedules on its own task queue is handed back with the
  // task's completion to the worker that completed it (when it has a slot), sparing the server a matching round
  // trip and the worker a poll. Off by default in server 1.29; every reminder and escalation is such an activity.
  'system.enableActivityEagerExecution': true,
};
