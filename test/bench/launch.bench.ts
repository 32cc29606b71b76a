/**
 * `npm run bench:launch` (issue 11, benchmark 1): every region's yearly cycle launched at programme scale, through
 * the real API and worker, until every first-stage task is open, projected in PostgreSQL and its reminders scheduled
 * (test/bench/programme.ts); then, on the same Temporal server in the same run, the bare baseline: as many minimal
 * workflows (start, one timer) started by a bare client against a bare worker process.
 *
 * Sizes: 1, 5, 20 and 85 regions of the seeded nation (85 is programme scale: ~4,000 schools in the programme), and
 * the stress case (every school of the first region in the programme), each on a fresh stack.
 * Reports workflows per second for both, the ratio (our time ÷ the baseline's for the same number of workflows), and
 * per-item cost by size. Targets: ratio ≤ 1.5; per-item cost within ±25 % from the smallest size to programme scale;
 * every open task scheduled.
 */
import { generateNation, NATION } from './nation';
import { runMinimalLaunch } from './baseline/minimal-launch';
import { benchSizes, BENCH_PORTS, log, rssMiB, runBench, startRealStack } from './bench-stack';
import { launchProgramme, prepareRegions } from './programme';
import { BenchReport } from './results';

const SIZES = [1, 5, 20, 85] as const;
const TARGETS = { ratio: 1.5, flatWithin: 0.25 };

async function bench(): Promise<string[]> {
  const sizes = benchSizes(SIZES);
  const stress = process.env.BENCH_STRESS === '1' || (process.env.BENCH_SCALE !== 'smoke' && process.env.BENCH_STRESS !== '0');
  const report = new BenchReport('launch', 'every region’s cycle launched until every first-stage task is open, vs bare minimal workflows', {
    nation: NATION,
    sizes: sizes.map((n) => `${n} regions`),
    stress: stress ? '1 region, every school in the programme' : 'not run',
    template: 'default, compressed to an hour a day',
  });
  const cases = [
    ...sizes.map((n) => ({ label: `${n} region${n === 1 ? '' : 's'}`, regions: n, stress: false })),
    ...(stress ? [{ label: '1 region, stress', regions: 1, stress: true }] : []),
  ];
  let failures: string[] = [];
  let worst = 0;
  for (const c of cases) {
    const nation = generateNation({ ...NATION, programmeShare: c.stress ? 1 : NATION.programmeShare });
    const stack = await startRealStack(`launch-${c.regions}${c.stress ? 's' : ''}`, { basePort: BENCH_PORTS.launch, api: true });
    try {
      const sessions = await prepareRegions(stack, nation.regions.slice(0, c.regions));
      const ours = await launchProgramme(stack, sessions, { stress: c.stress });
      const workerRss = rssMiB(stack.worker.child.pid);
      const seconds = ours.launch.seconds + ours.participantsWave.seconds;
      log(`[launch] ${c.label}: ${ours.workflows} workflows, ${ours.openTasks} open tasks (${ours.scheduledTasks} scheduled) in ${seconds.toFixed(1)} s`);
      const baseline = await runMinimalLaunch(stack.temporalAddress, ours.workflows, `${c.regions}${c.stress ? 's' : ''}`);
      const row = {
        size: c.label,
        items: ours.workflows,
        seconds,
        baselineSeconds: baseline.seconds,
        figures: {
          schoolsInProgramme: ours.participants,
          launchWaveSeconds: ours.launch.seconds,
          participantsWaveSeconds: ours.participantsWave.seconds,
          workflowsPerSecond: ours.workflows / seconds,
          baselineWorkflowsPerSecond: ours.workflows / baseline.seconds,
          openTasks: ours.openTasks,
          scheduledTasks: ours.scheduledTasks,
          organizationsReached: ours.launch.organizations + ours.participantsWave.organizations,
          workerRssMiB: workerRss,
          baselineWorkerRssMiB: baseline.workerRssMiB,
        },
      };
      if (c.stress) {
        // The stress case is reported beside the sizes, not in their growth.
        report.result.notes.push(`stress: ${JSON.stringify(row)}`);
        report.note(`stress (every school of the region): ${ours.workflows} workflows in ${seconds.toFixed(1)} s, ratio ${(seconds / baseline.seconds).toFixed(2)}`);
      } else {
        report.addSize(row);
        worst = Math.max(worst, seconds / baseline.seconds);
      }
      if (ours.scheduledTasks !== ours.openTasks) failures.push(`${c.label}: ${ours.openTasks - ours.scheduledTasks} open tasks without a schedule`);
    } finally {
      await stack.close();
    }
  }
  const largest = report.result.sizes[report.result.sizes.length - 1];
  report.target(`ratio at ${largest.size}`, largest.seconds / largest.baselineSeconds!, `≤ ${TARGETS.ratio}`, largest.seconds / largest.baselineSeconds! <= TARGETS.ratio);
  report.target('worst ratio over the sizes', worst, `≤ ${TARGETS.ratio}`, worst <= TARGETS.ratio);
  report.growth(TARGETS.flatWithin);
  failures = [...failures, ...report.finish()];
  return failures;
}

runBench(bench);
