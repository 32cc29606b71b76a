/**
 * `npm run bench`: how fast the real stack takes on a region's worth of deadline tasks, and what it costs.
 *
 * Starts its own Temporal dev server (in memory) and embedded PostgreSQL on bench ports, runs one worker
 * in-process, then:
 *  1. schedule arithmetic: resolveDeadline + buildNotificationSchedule per task (pure CPU);
 *  2. creation: BENCH_TASKS workflows started with BENCH_CONCURRENCY in flight, each awaited until its
 *     creation is projected to PostgreSQL (what POST /api/tasks waits for);
 *  3. memory: the worker process's RSS and heap with all tasks open (sleeping on their reminder timers).
 * Targets (a region has up to ~1,500 schools and ~60 municipalities, so one stage opens ~1,500 tasks at once,
 * and the whole stack shares this 2-core machine with the benchmark's client):
 *  - creation throughput ≥ 10 tasks/s: a stage for the largest region opens in under 2½ minutes;
 *  - p95 creation latency ≤ 5 s with 32 creations in flight (what a bulk launch sees, not a single click);
 *  - the worker's RSS ≤ 1 GiB with all BENCH_TASKS open (the workflow cache is bounded, see WORKER_MAX_CACHED_WORKFLOWS).
 */
import { performance } from 'node:perf_hooks';
import {
  DEADLINE_TASK_WORKFLOW,
  deadlineTaskWorkflowId,
  DEFAULT_NOTIFICATION_POLICY,
  taskReadyUpdate,
  type DeadlineTaskInput,
} from '../../libs/contracts/deadline-task';
import { buildNotificationSchedule, resolveDeadline } from '../../libs/domain/deadline';
import { seedDemoRegion } from '../../libs/persistence';
import { log, mib, runBench, startBenchStack } from './bench-stack';

const TASKS = Number(process.env.BENCH_TASKS ?? 1500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const TARGETS = { throughputPerSecond: 10, p95Ms: 5000, rssMiB: 1024 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function benchSchedule(): void {
  const n = 20_000;
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const deadline = resolveDeadline({
      localDateTime: `2026-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T18:00`,
      timeZone: i % 2 ? 'Europe/Moscow' : 'Asia/Yekaterinburg',
      calendar: 'working-days',
    });
    buildNotificationSchedule(deadline, DEFAULT_NOTIFICATION_POLICY, 1, new Date('2025-12-01T00:00:00Z'));
  }
  const ms = performance.now() - started;
  log(`schedule: ${n} deadlines with 5-step schedules in ${ms.toFixed(0)} ms (${((ms * 1000) / n).toFixed(1)} µs each)`);
}

async function bench(): Promise<(string | false)[]> {
  benchSchedule();
  const { dataSource, client, taskQueue, close } = await startBenchStack('tasks', { temporal: 37233, postgres: 35433 });
  await seedDemoRegion(dataSource);

  const schools = ['demo-school-severny-1', 'demo-school-severny-2', 'demo-school-yuzhny-1'];
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const createOne = async (i: number) => {
    const input: DeadlineTaskInput = {
      taskId: `bench-${i}`,
      title: `Отчёт о мониторинге, школа ${i}`,
      assigneeOrganizationId: schools[i % schools.length],
      supervisorOrganizationId: 'demo-ministry',
      deadline: { localDateTime: '2027-06-25T18:00', timeZone: 'Asia/Yekaterinburg', calendar: 'working-days' },
      policy: DEFAULT_NOTIFICATION_POLICY,
      createdBy: 'programme@demo-region.example',
    };
    const t0 = performance.now();
    const handle = await client.workflow.start(DEADLINE_TASK_WORKFLOW, {
      taskQueue,
      workflowId: deadlineTaskWorkflowId(input.taskId),
      args: [input],
    });
    await handle.executeUpdate(taskReadyUpdate);
    latencies.push(performance.now() - t0);
  };
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < TASKS) await createOne(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM tasks WHERE id LIKE 'bench-%'`);
  if (global.gc) global.gc();
  const memory = process.memoryUsage();
  latencies.sort((a, b) => a - b);

  const throughput = TASKS / seconds;
  const p95 = percentile(latencies, 95);
  log(`creation: ${TASKS} tasks (${CONCURRENCY} in flight) in ${seconds.toFixed(1)} s = ${throughput.toFixed(1)} tasks/s; ` +
      `latency p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${latencies[latencies.length - 1].toFixed(0)} ms`);
  log(`projected rows: ${count}`);
  log(`memory with ${TASKS} open tasks: rss ${mib(memory.rss)} MiB, heap used ${mib(memory.heapUsed)} MiB`);

  await close();

  return [
    count !== TASKS && `only ${count} of ${TASKS} tasks were projected`,
    throughput < TARGETS.throughputPerSecond && `throughput ${throughput.toFixed(1)}/s is below ${TARGETS.throughputPerSecond}/s`,
    p95 > TARGETS.p95Ms && `p95 ${p95.toFixed(0)} ms is above ${TARGETS.p95Ms} ms`,
    mib(memory.rss) > TARGETS.rssMiB && `rss ${mib(memory.rss)} MiB is above ${TARGETS.rssMiB} MiB`,
  ];
}

runBench(bench);
