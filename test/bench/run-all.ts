/**
 * `npm run bench` runs every benchmark, one after another (each starts its own servers on its own ports), each in its
 * own Node process so that one's memory does not weigh on the next; `npm run bench:smoke` (BENCH_SCALE=smoke) runs
 * each at its smallest size only, the older single-figure benches with small loads. BENCH_ONLY=launch,api picks some.
 * A bench that misses a target or fails exits 1; the others still run, and the summary lists them all.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../infra/support/project-root';
import { renderTable, resultFile, type BenchResult } from './results';

interface BenchEntry {
  name: string;
  file: string;
  /** Node's --expose-gc, for benches that measure memory after a collection. */
  gc?: boolean;
  /** The smoke run's load for the older benches, which have no sizes of their own. */
  smokeEnv?: Record<string, string>;
}

const BENCHES: BenchEntry[] = [
  { name: 'launch', file: 'launch.bench.ts' },
  { name: 'deadline-burst', file: 'deadline-burst.bench.ts' },
  { name: 'api', file: 'api.bench.ts' },
  { name: 'audit', file: 'audit.bench.ts', gc: true },
  { name: 'memory', file: 'memory.bench.ts' },
  { name: 'tasks', file: 'deadline-tasks.bench.ts', gc: true, smokeEnv: { BENCH_TASKS: '100' } },
  { name: 'cycle', file: 'cycle-launch.bench.ts', gc: true, smokeEnv: { BENCH_MUNICIPALITIES: '5', BENCH_SCHOOLS_PER_MUNICIPALITY: '10', BENCH_PARTICIPANTS: '10' } },
  {
    name: 'web-first-screen',
    file: 'web-first-screen.bench.ts',
    smokeEnv: { BENCH_WEB_RUNS: '1', BENCH_WEB_TASKS: '2000', BENCH_WEB_COORDINATOR_TASKS: '200', BENCH_MUNICIPALITIES: '5', BENCH_SCHOOLS_PER_MUNICIPALITY: '10' },
  },
];

function main(): number {
  const root = projectRoot();
  const smoke = process.env.BENCH_SCALE === 'smoke';
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);
  const chosen = BENCHES.filter((b) => !only || only.includes(b.name));
  const outcomes: { name: string; status: string; seconds: number }[] = [];
  for (const bench of chosen) {
    process.stdout.write(`\n######## ${bench.name}${smoke ? ' (smoke)' : ''}\n`);
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [...(bench.gc ? ['--expose-gc'] : []), '-r', 'ts-node/register/transpile-only', path.join(root, 'test', 'bench', bench.file)],
      { cwd: root, stdio: 'inherit', env: { ...process.env, ...(smoke ? bench.smokeEnv : {}) } },
    );
    const status = run.status === 0 ? 'targets met' : run.status === 1 ? 'FAILED (a target missed or an error)' : `exit ${run.status ?? run.signal}`;
    outcomes.push({ name: bench.name, status, seconds: (Date.now() - started) / 1000 });
  }
  process.stdout.write(`\n######## summary${smoke ? ' (smoke: smallest sizes only, not figures to quote)' : ''}\n`);
  process.stdout.write(`${renderTable(['bench', 'outcome', 'took'], outcomes.map((o) => [o.name, o.status, `${o.seconds.toFixed(0)} s`]))}\n\n`);
  // The ratios and missed targets of the suite's benches, from what they wrote.
  const rows: string[][] = [];
  for (const bench of chosen) {
    const file = resultFile(bench.name);
    if (!fs.existsSync(file)) continue;
    const result = JSON.parse(fs.readFileSync(file, 'utf8')) as BenchResult;
    // Older benches write their own shape (web-first-screen): only the suite's target lists are read.
    if (!Array.isArray(result.targets)) continue;
    for (const t of result.targets) rows.push([bench.name, t.name, String(t.value), t.target, t.met ? 'met' : 'MISSED']);
  }
  if (rows.length) process.stdout.write(`${renderTable(['bench', 'target', 'measured', 'wanted', ''], rows)}\n`);
  return outcomes.every((o) => o.status === 'targets met') ? 0 : 1;
}

process.exit(main());
