/**
 * Launching the programme as the ministries do, through the real API: for every region the administrator asks to
 * launch the default roadmap (POST /api/cycles, 202), the reviewer confirms it (four eyes), the launch wave is issued;
 * the identification results are imported and the administrator approves the list (a tenth of the schools, or every
 * school in the stress case), and the participants' wave is issued. A wave is over when the cycle's own launch card
 * (GET /api/cycles/:id → launch) says every step instance of it has its first task out, which it reads from the
 * tasks PostgreSQL holds: projected, with the schedule of reminders the task's workflow sleeps on.
 *
 * Shared by the launch, API and memory benchmarks, which all need the programme running.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- API answers are JSON picked apart here */
import { buildIdentificationFiles } from '../support/fixtures/identification-files';
import { confirmedBy } from '../support/four-eyes';
import { ApiClient } from '../support/http';
import { REGION_PASSWORD } from '../support/cycle-region';
import { inParallel, log, sleep, type RealStack } from './bench-stack';
import { countRegions, writeNation, type BenchRegion } from './nation';

export const ACADEMIC_YEAR = 2026;
/** One compressed day is an hour: the first deadlines are days of real time away, so nothing falls due while measured. */
const SECONDS_PER_DAY = 3600;
/** Requests in flight at once while launching and approving: a few ministries at work together. */
const CONCURRENCY = Number(process.env.BENCH_LAUNCH_CONCURRENCY ?? 4);
const RESULT_YEARS = [2023, 2024, 2025];

export interface RegionSession {
  region: BenchRegion;
  admin: ApiClient;
  reviewer: ApiClient;
  cycleId?: string;
}

export interface WaveFigures {
  /** From the first request to the last task of the wave out, as the launch cards say. */
  seconds: number;
  steps: number;
  organizations: number;
}

export interface ProgrammeFigures {
  regions: number;
  participants: number;
  launch: WaveFigures;
  participantsWave: WaveFigures;
  /** Workflow executions the two waves started in Temporal (cycles, tracks, steps, tasks). */
  workflows: number;
  openTasks: number;
  /** Open tasks whose projected snapshot carries a schedule of reminders and escalations. */
  scheduledTasks: number;
  sessions: RegionSession[];
}

/** Stores the regions, then logs their ministries in. Untimed: the directory exists before any launch. */
export async function prepareRegions(stack: RealStack, regions: BenchRegion[]): Promise<RegionSession[]> {
  const started = Date.now();
  const written = await writeNation(stack.dataSource, regions);
  const counts = countRegions(regions);
  log(`[${stack.name}] directory: ${counts.regions} regions, ${counts.municipalities} municipalities, ${counts.schools} schools, ` +
      `${written.people} people in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const baseUrl = stack.api!.baseUrl;
  return inParallel(regions, CONCURRENCY, async (region) => ({
    region,
    admin: await new ApiClient(baseUrl).as(region.admin.email, REGION_PASSWORD),
    reviewer: await new ApiClient(baseUrl).as(region.reviewer.email, REGION_PASSWORD),
  }));
}

/** Waits until every session's cycle shows `phase` complete; answers when its last task went out. */
async function waitForWave(sessions: RegionSession[], phase: 'launch' | 'participants', startedAt: number, timeoutMs: number): Promise<WaveFigures> {
  const pending = new Set(sessions);
  let lastIssued = startedAt;
  let steps = 0;
  let organizations = 0;
  const until = Date.now() + timeoutMs;
  while (pending.size > 0) {
    for (const s of [...pending]) {
      const answer = await s.admin.get(`/api/cycles/${encodeURIComponent(s.cycleId!)}`);
      if (answer.status !== 200) throw new Error(`GET cycle ${s.cycleId}: ${answer.status} ${answer.text.slice(0, 300)}`);
      const launch = answer.body.launch as any;
      if (launch?.phase === phase && launch.complete) {
        pending.delete(s);
        steps += launch.stepsExpected;
        organizations += launch.organizationsExpected;
        lastIssued = Math.max(lastIssued, launch.lastIssuedAt ? Date.parse(launch.lastIssuedAt) : Date.now());
      }
    }
    if (pending.size === 0) break;
    if (Date.now() > until) throw new Error(`${phase} wave not issued within ${timeoutMs} ms in ${[...pending].map((s) => s.cycleId).join(', ')}`);
    // Each answer asks the cycle's workflow a Query: poll the pending ones less often the more there are, so the
    // watching does not load the worker it measures (the time comes from the cards' lastIssuedAt, not from here).
    await sleep(Math.max(500, pending.size * 50));
  }
  return { seconds: (lastIssued - startedAt) / 1000, steps, organizations };
}

export async function launchProgramme(
  stack: RealStack,
  sessions: RegionSession[],
  options: { stress?: boolean; timeoutMs?: number } = {},
): Promise<ProgrammeFigures> {
  const timeoutMs = options.timeoutMs ?? 3_600_000;
  // The launch: asked by the administrator, confirmed by the reviewer, for every region.
  const launchStarted = Date.now();
  await inParallel(sessions, CONCURRENCY, async (s) => {
    const answer = await confirmedBy(
      s.reviewer,
      s.admin.post('/api/cycles', {
        templateId: 'default',
        academicYear: ACADEMIC_YEAR,
        adoptRegionTimeZone: true,
        compression: { secondsPerDay: SECONDS_PER_DAY },
      }),
    );
    if (answer.status !== 200) throw new Error(`launch in ${s.region.code}: ${answer.status} ${answer.text.slice(0, 500)}`);
    s.cycleId = answer.body.id;
  });
  const launch = await waitForWave(sessions, 'launch', launchStarted, timeoutMs);
  log(`[${stack.name}] launch wave: ${launch.steps} step instances to ${launch.organizations} organisations in ${launch.seconds.toFixed(1)} s`);

  // Identification files (untimed: the officials' work between the waves), then the list approved.
  await inParallel(sessions, CONCURRENCY, async (s) => {
    const participants = new Set(s.region.participantIds);
    const low = s.region.schools.filter((x) => participants.has(x.id)).slice(0, Math.ceil(s.region.schools.length / 10));
    const files = await buildIdentificationFiles({
      schools: s.region.schools.map((x) => ({ code: x.code, name: x.name, municipality: x.municipalityId })),
      years: RESULT_YEARS,
      lowSchools: low.map((x) => x.code),
      seed: Number.parseInt(s.region.code.slice(1), 10),
    });
    const response = await fetch(`${s.admin.baseUrl}/api/cycles/${encodeURIComponent(s.cycleId!)}/identification/files/results`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.admin.token}`, 'content-type': 'text/csv', 'x-file-name': encodeURIComponent('Результаты.csv') },
      body: files.resultsCsv,
    });
    if (response.status !== 200) throw new Error(`results of ${s.region.code}: ${response.status} ${(await response.text()).slice(0, 500)}`);
  });

  const approveStarted = Date.now();
  await inParallel(sessions, CONCURRENCY, async (s) => {
    const ranking = await s.admin.get(`/api/cycles/${encodeURIComponent(s.cycleId!)}/identification/ranking`);
    if (ranking.status !== 200) throw new Error(`ranking of ${s.region.code}: ${ranking.status} ${ranking.text.slice(0, 300)}`);
    const proposed = new Set((ranking.body.items as any[]).filter((i) => i.category !== null && i.schoolId).map((i) => i.schoolId as string));
    const wanted = new Set(s.region.participantIds);
    // The ranking proposes the region's bottom decile; the programme's list is the region's participants exactly.
    const body = {
      add: s.region.participantIds.filter((id) => !proposed.has(id)).map((schoolId) => ({ schoolId, reason: 'Включена по решению министерства' })),
      remove: [...proposed].filter((id) => !wanted.has(id)).map((schoolId) => ({ schoolId, reason: 'Исключена по решению министерства' })),
      comment: options.stress ? 'Все школы региона' : 'Список утверждён',
    };
    const answer = await s.admin.post(`/api/cycles/${encodeURIComponent(s.cycleId!)}/identification/approve`, body);
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`approval in ${s.region.code}: ${answer.status} ${answer.text.slice(0, 500)}`);
  });
  const participantsWave = await waitForWave(sessions, 'participants', approveStarted, timeoutMs);
  log(`[${stack.name}] participants' wave: ${participantsWave.steps} step instances to ${participantsWave.organizations} organisations in ${participantsWave.seconds.toFixed(1)} s`);

  const cycleIds = sessions.map((s) => s.cycleId!);
  const [{ open, scheduled }] = await stack.dataSource.query(
    `SELECT count(*)::int AS open, count(*) FILTER (WHERE jsonb_array_length(snapshot->'schedule') > 0)::int AS scheduled
       FROM tasks WHERE status = 'open' AND snapshot->'context'->>'cycleId' = ANY($1)`,
    [cycleIds],
  );
  return {
    regions: sessions.length,
    participants: sessions.reduce((n, s) => n + s.region.participantIds.length, 0),
    launch,
    participantsWave,
    workflows: await countWorkflows(stack, `TaskQueue = '${stack.taskQueue}'`),
    openTasks: open,
    scheduledTasks: scheduled,
    sessions,
  };
}

/**
 * Workflow executions matching `query`, once visibility (eventually consistent) has stopped changing: three equal
 * answers 500 ms apart.
 */
export async function countWorkflows(stack: RealStack, query: string): Promise<number> {
  let last = -1;
  let same = 0;
  for (;;) {
    const { count } = await stack.client.workflow.count(query);
    same = count === last ? same + 1 : 0;
    last = count;
    if (same >= 2) return count;
    await sleep(500);
  }
}
