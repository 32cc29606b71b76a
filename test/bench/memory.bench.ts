/**
 * `npm run bench:memory` (issue 11, benchmark 5): resident memory of the project's worker process with every workflow
 * of the programme running (launched through the real path, test/bench/programme.ts), and of its API process under
 * HTTP load (inboxes and the ministry's dashboard, autocannon), each read from /proc as the processes run; at 1, 20
 * and 85 regions (programme scale), so the growth shows whether memory is bounded by configuration (the worker's
 * workflow cache, WORKER_MAX_CACHED_WORKFLOWS, 500 by default) rather than by the number of workflows.
 * Both run as the Kubernetes base deploys them (infra/k8s/base): with its NODE_OPTIONS (the V8 heap cap) and
 * measured against its memory request (worker 1 GiB, API 512 MiB: the targets) and limit (where the pod would be
 * killed); BENCH_MEMORY_HEAP_CAP=0 runs them uncapped, as `npm start` does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../../infra/support/project-root';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../../libs/config';
import { benchSizes, BENCH_PORTS, inParallel, log, runBench, sampleRss, sleep, startRealStack } from './bench-stack';
import { load, rotate, type LoadRequest } from './http-load';
import { generateNation, NATION } from './nation';
import { launchProgramme, prepareRegions } from './programme';
import { BenchReport } from './results';
import { ApiClient } from '../support/http';
import { REGION_PASSWORD } from '../support/cycle-region';

const SIZES = [1, 20, 85] as const;
const IDLE_SECONDS = Number(process.env.BENCH_MEMORY_IDLE_SECONDS ?? 10);
const LOAD_SECONDS = Number(process.env.BENCH_MEMORY_LOAD_SECONDS ?? (process.env.BENCH_SCALE === 'smoke' ? 5 : 20));
const HEAP_CAP = process.env.BENCH_MEMORY_HEAP_CAP !== '0';

/** What the Kubernetes base gives a process: its NODE_OPTIONS and its container's memory request and limit. */
function deployed(manifest: string): { nodeOptions: string | undefined; requestMiB: number; limitMiB: number } {
  const doc = parse(readFileSync(path.join(projectRoot(), 'infra/k8s/base', manifest), 'utf8'));
  const container = doc.spec.template.spec.containers[0];
  const mib = (quantity: string): number => {
    const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
    if (!match) throw new Error(`${manifest}: memory quantity ${quantity} is not in Mi or Gi`);
    return Number(match[1]) * (match[2] === 'Gi' ? 1024 : 1);
  };
  return {
    nodeOptions: (container.env as { name: string; value?: string }[]).find((e) => e.name === 'NODE_OPTIONS')?.value,
    requestMiB: mib(container.resources.requests.memory),
    limitMiB: mib(container.resources.limits.memory),
  };
}
const WORKER = deployed('worker-deployment.yaml');
const API = deployed('api-deployment.yaml');
const TARGETS = { workerMiB: WORKER.requestMiB, apiMiB: API.requestMiB };
const heapCap = (d: typeof WORKER): Record<string, string> => (HEAP_CAP && d.nodeOptions ? { NODE_OPTIONS: d.nodeOptions } : {});
const MAX_CACHED = Number(process.env.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS);

async function bench(): Promise<string[]> {
  const sizes = benchSizes(SIZES);
  const report = new BenchReport('memory', 'resident memory of the worker with the programme running and of the API under load', {
    sizes: sizes.map((n) => `${n} regions`),
    workerMaxCachedWorkflows: MAX_CACHED,
    heapCap: HEAP_CAP ? { worker: WORKER.nodeOptions ?? 'none', api: API.nodeOptions ?? 'none' } : 'none (BENCH_MEMORY_HEAP_CAP=0)',
    containerLimitsMiB: { worker: WORKER.limitMiB, api: API.limitMiB },
    idleSeconds: IDLE_SECONDS,
    loadSeconds: LOAD_SECONDS,
  });
  for (const regionsCount of sizes) {
    const stack = await startRealStack(`memory-${regionsCount}`, {
      basePort: BENCH_PORTS.memory,
      api: true,
      workerEnv: { WORKER_MAX_CACHED_WORKFLOWS: String(MAX_CACHED), ...heapCap(WORKER) },
      apiEnv: heapCap(API),
    });
    try {
      const regions = generateNation(NATION).regions.slice(0, regionsCount);
      const sessions = await prepareRegions(stack, regions);
      const workerDuringLaunch = sampleRss(stack.worker.child.pid);
      const apiDuringLaunch = sampleRss(stack.api!.child.pid);
      const programme = await launchProgramme(stack, sessions);
      const launchPeak = { worker: workerDuringLaunch.stop().peakMiB, api: apiDuringLaunch.stop().peakMiB };

      // Every workflow running, nothing happening: what the worker holds at rest.
      const idle = sampleRss(stack.worker.child.pid);
      await sleep(IDLE_SECONDS * 1000);
      const workerIdle = idle.stop();

      // The API under load on its heaviest reads.
      const baseUrl = stack.api!.baseUrl;
      const coordinators = regions.flatMap((r) => r.municipalities.slice(0, 3).map((m) => ({ email: m.coordinator.email, cycleId: sessions.find((s) => s.region === r)!.cycleId! }))).slice(0, 40);
      const tokens = await inParallel(coordinators, 4, async (c) => ({ ...c, token: (await new ApiClient(baseUrl).as(c.email, REGION_PASSWORD)).token! }));
      const next = rotate<LoadRequest>([
        ...tokens.map((c): LoadRequest => ({ method: 'GET', path: `/api/tasks?cycleId=${encodeURIComponent(c.cycleId)}&status=open&order=asc&limit=50`, token: c.token })),
        ...sessions.map((s): LoadRequest => ({ method: 'GET', path: `/api/cycles/${encodeURIComponent(s.cycleId!)}`, token: s.admin.token })),
        ...sessions.map((s): LoadRequest => ({ method: 'GET', path: `/api/cycles/${encodeURIComponent(s.cycleId!)}/lateness-risk`, token: s.admin.token })),
      ]);
      const apiUnderLoad = sampleRss(stack.api!.child.pid);
      const workerUnderLoad = sampleRss(stack.worker.child.pid);
      const figures = await load(baseUrl, next, { connections: 10, durationSeconds: LOAD_SECONDS });
      const api = apiUnderLoad.stop();
      const worker = workerUnderLoad.stop();
      log(`[memory] ${regionsCount} regions: ${programme.workflows} workflows; worker idle ${workerIdle.lastMiB} MiB (peak ${Math.max(workerIdle.peakMiB, launchPeak.worker, worker.peakMiB)}); ` +
          `API under load peak ${api.peakMiB} MiB at ${figures.requestsPerSecond.toFixed(0)} req/s`);
      const workerPeak = Math.max(launchPeak.worker, workerIdle.peakMiB, worker.peakMiB);
      report.addSize({
        size: `${regionsCount} region${regionsCount === 1 ? '' : 's'}`,
        items: programme.workflows,
        seconds: programme.launch.seconds + programme.participantsWave.seconds,
        figures: {
          workflows: programme.workflows,
          openTasks: programme.openTasks,
          workerIdleMiB: workerIdle.lastMiB,
          workerPeakMiB: workerPeak,
          apiPeakDuringLaunchMiB: launchPeak.api,
          apiPeakUnderLoadMiB: api.peakMiB,
          apiLoadRequestsPerSecond: figures.requestsPerSecond,
          apiLoadErrors: figures.errors + figures.timeouts + figures.non2xx,
        },
      });
      report.target(`${regionsCount} regions: worker peak RSS`, workerPeak, `≤ ${TARGETS.workerMiB} MiB`, workerPeak <= TARGETS.workerMiB);
      report.target(`${regionsCount} regions: API peak RSS`, Math.max(api.peakMiB, launchPeak.api), `≤ ${TARGETS.apiMiB} MiB`, Math.max(api.peakMiB, launchPeak.api) <= TARGETS.apiMiB);
      // Over the request is a miss; over the limit, the pod would have been killed.
      report.target(`${regionsCount} regions: worker peak RSS within its container limit`, workerPeak, `≤ ${WORKER.limitMiB} MiB`, workerPeak <= WORKER.limitMiB);
      report.target(`${regionsCount} regions: API peak RSS within its container limit`, Math.max(api.peakMiB, launchPeak.api), `≤ ${API.limitMiB} MiB`, Math.max(api.peakMiB, launchPeak.api) <= API.limitMiB);
    } finally {
      await stack.close();
    }
  }
  const first = report.result.sizes[0];
  for (const s of report.result.sizes) {
    report.ratio(`${s.size}: worker idle RSS ÷ smallest size's`, Number(s.figures.workerIdleMiB) / Number(first.figures.workerIdleMiB));
  }
  return report.finish();
}

runBench(bench);
