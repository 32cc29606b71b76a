/**
 * WORKER_MAX_CACHED_WORKFLOWS when unset (see Environment in config.ts). A module of its own, without the config's validators,
 * so that the benchmarks' bare worker keeps as many workflows cached as the project's worker without loading them.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 500;
