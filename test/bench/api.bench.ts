/**
 * `npm run bench:api` (issue 11, benchmark 3): the API under HTTP load (autocannon) with programme-scale data in the
 * database: every region's cycle launched through the real path (test/bench/programme.ts), so the inbox, the
 * dashboards and the tasks completed are real rows and running workflows. Against the API process's own
 * GET /api/health as the baseline, measured before and after the others in the same run:
 *  - inbox: municipal coordinators' GET /api/tasks, authenticated, filtered (their cycle, open), sorted by deadline,
 *    paged (20 a page, first and second page), the coordinators rotating;
 *  - dashboard: the ministry's GET /api/cycles/:id (progress and launch card, a Temporal Query), its lateness-risk
 *    ranking and the cycle list, the regions rotating;
 *  - completion: POST /api/tasks/:id/complete, a Temporal Update per request, each on its own task (created through
 *    POST /api/tasks beforehand, untimed).
 * Figures: requests per second, p50/p90/p99 latency, errors (connection errors, timeouts, non-2xx: must be 0), each
 * route's p99 and rate against health's, and the API's resident memory under load. Target: inbox p99 ≤ 3 × health p99.
 */
import { DateTime } from 'luxon';
import { BENCH_PORTS, inParallel, log, runBench, sampleRss, startRealStack } from './bench-stack';
import { load, rotate, type LoadFigures, type LoadRequest } from './http-load';
import { generateNation, NATION } from './nation';
import { launchProgramme, prepareRegions } from './programme';
import { BenchReport } from './results';
import { ApiClient } from '../support/http';
import { REGION_PASSWORD } from '../support/cycle-region';

const SMOKE = process.env.BENCH_SCALE === 'smoke';
const REGIONS = SMOKE ? 1 : Number(process.env.BENCH_API_REGIONS ?? NATION.regions);
const DURATION = Number(process.env.BENCH_API_SECONDS ?? (SMOKE ? 5 : 20));
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 10);
const COMPLETIONS = Number(process.env.BENCH_API_COMPLETIONS ?? (SMOKE ? 100 : 1000));
const TARGETS = { inboxP99OverHealth: 3 };

async function bench(): Promise<string[]> {
  const report = new BenchReport('api', 'inbox, dashboard and completion under HTTP load vs GET /api/health of the same process', {
    regions: REGIONS,
    durationSeconds: DURATION,
    connections: CONNECTIONS,
    completions: COMPLETIONS,
    loadGenerator: 'autocannon 9',
  });
  const stack = await startRealStack(`api-${REGIONS}`, { basePort: BENCH_PORTS.api, api: true });
  try {
    const regions = generateNation(NATION).regions.slice(0, REGIONS);
    const sessions = await prepareRegions(stack, regions);
    const programme = await launchProgramme(stack, sessions);
    log(`[api] programme: ${programme.workflows} workflows, ${programme.openTasks} open tasks in ${programme.regions} regions`);
    const baseUrl = stack.api!.baseUrl;

    // Coordinators of municipalities with schools in the programme: their inboxes hold the cycle's tasks.
    const participantMunicipalities = new Set(regions.flatMap((r) => r.schools.filter((s) => r.participantIds.includes(s.id)).map((s) => s.municipalityId)));
    const coordinators = regions
      .flatMap((r) => r.municipalities.filter((m) => participantMunicipalities.has(m.id)).map((m) => ({ email: m.coordinator.email, cycleId: sessions.find((s) => s.region === r)!.cycleId! })))
      .slice(0, 40);
    const coordinatorClients = await inParallel(coordinators, 4, async (c) => ({ ...c, token: (await new ApiClient(baseUrl).as(c.email, REGION_PASSWORD)).token! }));
    const inbox = rotate(
      coordinatorClients.flatMap((c) =>
        [0, 20].map((offset): LoadRequest => ({
          method: 'GET',
          path: `/api/tasks?cycleId=${encodeURIComponent(c.cycleId)}&status=open&order=asc&limit=20&offset=${offset}`,
          token: c.token,
        })),
      ),
    );
    const dashboard = rotate(
      sessions.flatMap((s): LoadRequest[] => [
        { method: 'GET', path: `/api/cycles/${encodeURIComponent(s.cycleId!)}`, token: s.admin.token },
        { method: 'GET', path: `/api/cycles/${encodeURIComponent(s.cycleId!)}/lateness-risk`, token: s.admin.token },
        { method: 'GET', path: '/api/cycles', token: s.admin.token },
      ]),
    );
    const health = (): LoadRequest => ({ method: 'GET', path: '/api/health' });

    // Tasks to complete, one per completion request: set by the ministry for its institute, completed by the
    // institute's curator (an organisation may not supervise its own task).
    const curators = new Map(await inParallel(sessions, 4, async (s) => [s, (await new ApiClient(baseUrl).as(s.region.curator.email, REGION_PASSWORD)).token!] as const));
    const due = DateTime.now().plus({ days: 20 }).toFormat("yyyy-MM-dd'T'18:00");
    // A few more than the requests: autocannon may build a connection's next request before it stops.
    const toComplete = await inParallel(Array.from({ length: COMPLETIONS + CONNECTIONS }, (_, i) => i), 8, async (i) => {
      const s = sessions[i % sessions.length];
      const created = await s.admin.post('/api/tasks', {
        title: `Сведения для нагрузочного прогона № ${i + 1}`,
        assigneeOrganizationId: s.region.instituteId,
        supervisorOrganizationId: s.region.ministryId,
        dueAt: due,
      });
      if (created.status !== 201) throw new Error(`task ${i}: ${created.status} ${created.text.slice(0, 300)}`);
      return { id: created.body.id as string, token: curators.get(s)! };
    });
    const completion = rotate(toComplete.map((t): LoadRequest => ({ method: 'POST', path: `/api/tasks/${encodeURIComponent(t.id)}/complete`, token: t.token, body: { comment: 'Выполнено' } })));

    const runs: { name: string; figures: LoadFigures; rssPeakMiB: number }[] = [];
    const measure = async (name: string, next: () => LoadRequest, options: { durationSeconds?: number; amount?: number }) => {
      const rss = sampleRss(stack.api!.child.pid);
      const figures = await load(baseUrl, next, { connections: CONNECTIONS, ...options });
      const { peakMiB } = rss.stop();
      runs.push({ name, figures, rssPeakMiB: peakMiB });
      log(`[api] ${name}: ${figures.requests} requests, ${figures.requestsPerSecond.toFixed(0)}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
          `errors ${figures.errors + figures.timeouts + figures.non2xx}, API RSS peak ${peakMiB} MiB`);
      return figures;
    };
    const healthBefore = await measure('health (before)', health, { durationSeconds: DURATION });
    const inboxFigures = await measure('inbox', inbox, { durationSeconds: DURATION });
    const dashboardFigures = await measure('dashboard', dashboard, { durationSeconds: DURATION });
    const completionFigures = await measure('completion', completion, { amount: COMPLETIONS });
    const healthAfter = await measure('health (after)', health, { durationSeconds: DURATION });

    const healthP99 = (healthBefore.p99Ms + healthAfter.p99Ms) / 2;
    const healthRate = (healthBefore.requestsPerSecond + healthAfter.requestsPerSecond) / 2;
    for (const run of runs) {
      const f = run.figures;
      report.addSize({
        size: run.name,
        items: f.requests,
        seconds: f.requests / f.requestsPerSecond,
        figures: {
          requestsPerSecond: f.requestsPerSecond,
          p50Ms: f.p50Ms,
          p90Ms: f.p90Ms,
          p99Ms: f.p99Ms,
          maxMs: f.maxMs,
          errors: f.errors,
          timeouts: f.timeouts,
          non2xx: f.non2xx,
          p99OverHealthP99: f.p99Ms / healthP99,
          healthRateOverRate: healthRate / f.requestsPerSecond,
          apiRssPeakMiB: run.rssPeakMiB,
        },
      });
    }
    for (const [name, f] of [['inbox', inboxFigures], ['dashboard', dashboardFigures], ['completion', completionFigures]] as const) {
      report.ratio(`${name} p99 ÷ health p99`, f.p99Ms / healthP99);
      report.ratio(`health rate ÷ ${name} rate`, healthRate / f.requestsPerSecond);
    }
    report.target('inbox p99 ÷ health p99', inboxFigures.p99Ms / healthP99, `≤ ${TARGETS.inboxP99OverHealth}`, inboxFigures.p99Ms / healthP99 <= TARGETS.inboxP99OverHealth);
    const failed = runs.reduce((n, r) => n + r.figures.errors + r.figures.timeouts + r.figures.non2xx, 0);
    report.target('errors under load (all routes)', failed, '0', failed === 0);
    const [{ completed }] = await stack.dataSource.query(
      `SELECT count(*)::int AS completed FROM tasks WHERE id = ANY($1) AND status = 'completed'`,
      [toComplete.map((t) => t.id)],
    );
    const answered = completionFigures.statusCodes['200'] ?? 0;
    report.target('tasks completed, against completions answered 200', completed, `${answered} (of ${COMPLETIONS} requests)`, completed === answered && answered === COMPLETIONS);
    report.result.params.programme = { workflows: programme.workflows, openTasks: programme.openTasks, participants: programme.participants };
  } finally {
    await stack.close();
  }
  return report.finish();
}

runBench(bench);
