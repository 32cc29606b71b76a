/**
 * `npm run bench:cycle`: the yearly cycle for the largest region, on the real stack.
 *
 * The largest region has ~60 municipalities and ~1,500 schools, a tenth of them in the programme. The bench builds
 * that directory, launches the default template (its calendar stretched so that nothing falls due while it runs),
 * approves 150 participant schools spread over all municipalities, and measures:
 *  - how long until every municipality and every participant school has its first task (the tracks have started);
 *  - the cycle workflow's history (events and bytes): it must stay far from Temporal's limits (50,000 events,
 *    50 MB) whatever the region's size, which is why tracks get only their own steps;
 *  - the worker's RSS with all of it open.
 * Targets: all first tasks issued within 120 s; cycle history ≤ 5,000 events and ≤ 2 MB; RSS ≤ 1 GiB.
 */
import { performance } from 'node:perf_hooks';
import { temporal as proto } from '@temporalio/proto';
import { CYCLE_WORKFLOW, cycleWorkflowId, type CycleInput } from '../../libs/contracts/cycle';
import { completeTaskUpdate, type TaskSnapshot } from '../../libs/contracts/deadline-task';
import { compressPlan, resolveCyclePlan } from '../../libs/domain/cycle-template';
import { CycleParticipantRepository, CycleRepository } from '../../libs/persistence';
import { loadBuiltinTemplates } from '../../libs/templates';
import { createTestRegion } from '../support/cycle-region';
import { insertStubTemplate } from '../support/cycle-rows';
import { log, mib, runBench, startBenchStack } from './bench-stack';

const MUNICIPALITIES = Number(process.env.BENCH_MUNICIPALITIES ?? 60);
const SCHOOLS_PER_MUNICIPALITY = Number(process.env.BENCH_SCHOOLS_PER_MUNICIPALITY ?? 25);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 150);
const TARGETS = { firstTasksSeconds: 120, historyEvents: 5000, historyMiB: 2, rssMiB: 1024 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bench(): Promise<(string | false)[]> {
  const { dataSource, client, taskQueue, close } = await startBenchStack('cycle', { temporal: 37234, postgres: 35434 });

  let t0 = performance.now();
  const region = await createTestRegion(dataSource, {
    code: 'bench',
    timeZone: 'Europe/Moscow',
    municipalities: MUNICIPALITIES,
    schoolsPerMunicipality: SCHOOLS_PER_MUNICIPALITY,
  });
  log(`directory: ${MUNICIPALITIES} municipalities, ${region.schools.length} schools in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const template = loadBuiltinTemplates().find((t) => t.id === 'default')!;
  // An hour per day: the first deadlines are weeks of real time away, so the bench measures issuing, not sending.
  const plan = compressPlan(resolveCyclePlan(template, { academicYear: 2026 }), { secondsPerDay: 3600, origin: new Date() });
  const cycleId = 'bench-2026';
  await insertStubTemplate(dataSource, 'default');
  const cycles = new CycleRepository(dataSource);
  await cycles.insertCycle({
    id: cycleId,
    regionCode: region.code,
    academicYear: 2026,
    templateId: 'default',
    templateVersion: 1,
    workflowId: cycleWorkflowId(cycleId),
    ministryId: region.ministryId,
    status: 'running',
    plan,
    launchedBy: region.admin.email,
  });
  const input: CycleInput = { cycleId, regionCode: region.code, academicYear: 2026, plan, ministryId: region.ministryId, instituteId: region.instituteId, launchedBy: region.admin.email };
  const handle = await client.workflow.start(CYCLE_WORKFLOW, { taskQueue, workflowId: cycleWorkflowId(cycleId), args: [input] });

  const openTasks = async (action?: string): Promise<TaskSnapshot[]> =>
    (
      await dataSource.query(
        `SELECT snapshot FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1 AND ($2::text IS NULL OR snapshot->'context'->>'action' = $2)`,
        [cycleId, action ?? null],
      )
    ).map((r: { snapshot: TaskSnapshot }) => r.snapshot);

  let list: TaskSnapshot | undefined;
  while (!list) {
    [list] = await openTasks('approve_list');
    if (!list) await sleep(200);
  }
  // Every municipality gets participants: a tenth of the region, spread evenly.
  const step = Math.max(1, Math.floor(region.schools.length / PARTICIPANTS));
  const chosen = region.schools.filter((_, i) => i % step === 0).slice(0, PARTICIPANTS);
  await dataSource.transaction((manager) =>
    new CycleParticipantRepository(dataSource).replaceParticipants(
      cycleId,
      chosen.map((s, i) => ({ schoolId: s.id, municipalityId: s.municipalityId, category: 'low_results', rank: i + 1, reasons: [], included: true, manualReason: null, decidedBy: region.admin.email })),
      manager,
    ),
  );
  const expectedAssignees = new Set([...chosen.map((s) => s.id), ...chosen.map((s) => s.municipalityId)]);
  t0 = performance.now();
  await client.workflow.getHandle(list.workflowId).executeUpdate(completeTaskUpdate, { args: [{ completedBy: region.admin.email, result: {} }] });

  let issued = 0;
  let seconds = 0;
  for (;;) {
    const assignees = new Set((await openTasks()).map((t) => t.assigneeOrganizationId));
    issued = [...expectedAssignees].filter((id) => assignees.has(id)).length;
    seconds = (performance.now() - t0) / 1000;
    if (issued === expectedAssignees.size || seconds > TARGETS.firstTasksSeconds * 3) break;
    await sleep(500);
  }
  const [{ count: openCount }] = await dataSource.query(
    `SELECT count(*)::int AS count FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = $1`,
    [cycleId],
  );
  log(`first tasks: ${issued} of ${expectedAssignees.size} organisations (${chosen.length} schools, ${new Set(chosen.map((s) => s.municipalityId)).size} municipalities) in ${seconds.toFixed(1)} s; ${openCount} tasks open`);

  await sleep(2000);
  const history = await handle.fetchHistory();
  const events = history.events?.length ?? 0;
  // Temporal's size limit applies to the stored (protobuf) history, not to its JSON rendering.
  const bytes = proto.api.history.v1.History.encode(history).finish().byteLength;
  if (global.gc) global.gc();
  const rss = mib(process.memoryUsage().rss);
  log(`cycle history: ${events} events, ${mib(bytes)} MiB; worker RSS ${rss} MiB`);

  await handle.terminate('bench finished');
  await close();

  return [
    issued < expectedAssignees.size && `only ${issued} of ${expectedAssignees.size} organisations got their first task`,
    seconds > TARGETS.firstTasksSeconds && `first tasks took ${seconds.toFixed(1)} s (target ${TARGETS.firstTasksSeconds} s)`,
    events > TARGETS.historyEvents && `cycle history has ${events} events (target ${TARGETS.historyEvents})`,
    mib(bytes) > TARGETS.historyMiB && `cycle history is ${mib(bytes)} MiB (target ${TARGETS.historyMiB} MiB)`,
    rss > TARGETS.rssMiB && `rss ${rss} MiB is above ${TARGETS.rssMiB} MiB`,
  ];
}

runBench(bench);
