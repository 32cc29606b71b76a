/**
 * Hostile input against every route of the API, generated from the route table (see test/support/hostile-routes.ts):
 * a small budget here (UPLIFT_HOSTILE_CASES, default 400 cases over all routes, about 30 s); test/faults/hostile-routes.spec.ts
 * runs 100 000.
 */
import 'reflect-metadata';
import { hostileRoutesSuite } from '../support/hostile-routes';

hostileRoutesSuite({ defaultBudget: 400, label: 'integration' });
