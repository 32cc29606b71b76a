/**
 * Hostile input against every route of the API at the fault suite's budget: at least 100 000 cases
 * (UPLIFT_HOSTILE_CASES overrides; UPLIFT_HOSTILE_SEED replays a run). Needs the integration project's global setup
 * (the shared Temporal dev server and PostgreSQL). See test/support/hostile-routes.ts.
 */
import 'reflect-metadata';
import { hostileRoutesSuite } from '../support/hostile-routes';

// 100 000 cases take about 35 minutes on an idle two-core machine, two hours on a busy one (each a request and a read
// of the stored state); the test's own timeout grows with the budget, and the stack's start gets the default.
hostileRoutesSuite({ defaultBudget: 100_000, label: 'faults' });
