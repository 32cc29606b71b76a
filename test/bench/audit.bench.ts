/**
 * `npm run bench:audit` (issue 11, benchmark 4): the auditors' two heavy reads, against a plain COPY of the same rows
 * from the same database in the same run.
 *  - Export: one region's whole cycle history as the API builds it (libs/audit buildAuditExport, then the JSON and
 *    the CSV documents); baseline `COPY (SELECT … FROM audit_events WHERE cycle_id = …) TO STDOUT`.
 *  - Verify: the whole hash chain recomputed as `npm run audit:verify` does (verifyAuditLog); baseline
 *    `COPY (SELECT <the chained columns> FROM audit_events ORDER BY chain_seq) TO STDOUT`.
 * Both COPYs go through pg-copy-streams into this process and are only counted, so the baseline is what reading the
 * rows costs at all.
 *
 * The chain is a seeded, deterministic log of a nation's cycles: tasks' events (created, reminders, escalations,
 * completion, reviews) spread over the 85 regions by their size, hashed exactly as AuditLogRepository.append hashes
 * (libs/audit chainHash) and stored with multi-row inserts. It grows through the sizes 10,000, 100,000 and 1,000,000
 * entries in one database; the exported region's share grows with it. Time and the memory each operation added to
 * this process (peak RSS over its RSS before) are reported. Target: each ≤ 2 × its COPY.
 */
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { to as copyTo } from 'pg-copy-streams';
import { buildAuditExport, chainHash, normalizeJson, toCsv, toJson, verifyAuditLog } from '../../libs/audit';
import { AuditLogRepository } from '../../libs/persistence';
import { benchSizes, BENCH_PORTS, log, rssMiB, runBench, sampleRss, startBenchDatabase } from './bench-stack';
import { generateNation, NATION, seededRandom, type BenchRegion } from './nation';
import { BenchReport } from './results';

const SIZES = [10_000, 100_000, 1_000_000] as const;
const TARGETS = { ratio: 2 };
const BATCH = 5_000;
const CHAIN_COLUMNS = 'chain_seq, prev_hash, hash, subject_type, subject_id, seq, type, actor, occurred_at, data, cycle_id, organization_ids';

interface ChainState {
  seq: number;
  prevHash: string | null;
  random: () => number;
  taskNumber: number;
}

const cycleOf = (region: BenchRegion) => `${region.code}-2026`;

/** A task's events as the task workflow and the reviews write them, with the data each carries. */
function taskEvents(region: BenchRegion, random: () => number, taskNumber: number, at: number) {
  const school = region.schools[Math.floor(random() * region.schools.length)];
  const taskId = `${cycleOf(region)}.plan-${taskNumber}.${school.id}`;
  const orgs = [school.id, school.municipalityId].sort();
  const due = new Date(at + 30 * 86_400_000).toISOString();
  const events: { type: string; actor: string; data: Record<string, unknown> }[] = [
    { type: 'created', actor: region.admin.email, data: { title: 'Представить план мероприятий', dueAt: due, assigneeOrganizationId: school.id } },
    { type: 'reminder_sent', actor: 'system', data: { step: 'reminder-1', recipients: [school.director.email] } },
    { type: 'reminder_sent', actor: 'system', data: { step: 'reminder-2', recipients: [school.director.email] } },
  ];
  if (random() < 0.2) events.push({ type: 'escalation_sent', actor: 'system', data: { step: 'escalation-1', recipients: [`head.${school.municipalityId}@nation.test`] } });
  events.push({ type: 'submission_made', actor: school.director.email, data: { version: 1, documentId: `doc-${taskNumber}` } });
  events.push({ type: random() < 0.15 ? 'review_returned' : 'review_approved', actor: region.reviewer.email, data: { version: 1, comment: 'Рассмотрено' } });
  events.push({ type: 'completed', actor: school.director.email, data: { completedLate: random() < 0.1 } });
  return { taskId, orgs, events };
}

/** Appends `count` chained entries, regions drawn by their size, in multi-row inserts. */
async function growChain(servers: { dataSource: DataSource }, regions: BenchRegion[], state: ChainState, count: number): Promise<void> {
  const weights = regions.map((r) => r.schools.length);
  const total = weights.reduce((a, b) => a + b, 0);
  const pickRegion = () => {
    let roll = state.random() * total;
    for (let i = 0; i < regions.length; i++) {
      roll -= weights[i];
      if (roll < 0) return regions[i];
    }
    return regions[regions.length - 1];
  };
  const base = Date.parse('2026-09-01T06:00:00Z');
  let rows: unknown[][] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    const columns = Array.from({ length: 12 }, (_, c) => rows.map((r) => r[c]));
    await servers.dataSource.query(
      `INSERT INTO audit_events (chain_seq, prev_hash, hash, subject_type, subject_id, seq, type, actor, occurred_at, data, cycle_id, organization_ids)
       SELECT e.chain_seq, e.prev_hash, e.hash, e.subject_type, e.subject_id, e.seq, e.type, e.actor, e.occurred_at, e.data, e.cycle_id,
              ARRAY(SELECT jsonb_array_elements_text(e.organization_ids))
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::timestamptz[],
                     $10::jsonb[], $11::text[], $12::jsonb[])
           AS e(chain_seq, prev_hash, hash, subject_type, subject_id, seq, type, actor, occurred_at, data, cycle_id, organization_ids)`,
      columns,
    );
    rows = [];
  };
  for (let written = 0; written < count; ) {
    const region = pickRegion();
    state.taskNumber += 1;
    const at = base + state.seq * 1000;
    const task = taskEvents(region, state.random, state.taskNumber, at);
    for (let i = 0; i < task.events.length && written < count; i++, written++) {
      state.seq += 1;
      const e = task.events[i];
      const content = {
        chainSeq: String(state.seq),
        subjectType: 'task',
        subjectId: task.taskId,
        seq: i + 1,
        type: e.type,
        actor: e.actor,
        occurredAt: new Date(at + i * 60_000),
        data: normalizeJson(e.data),
        cycleId: cycleOf(region),
        organizationIds: task.orgs,
      };
      const hash = chainHash(state.prevHash, content);
      rows.push([
        content.chainSeq,
        state.prevHash,
        hash,
        content.subjectType,
        content.subjectId,
        content.seq,
        content.type,
        content.actor,
        content.occurredAt.toISOString(),
        JSON.stringify(content.data),
        content.cycleId,
        JSON.stringify(content.organizationIds),
      ]);
      state.prevHash = hash;
      if (rows.length >= BATCH) await flush();
    }
  }
  await flush();
}

/** COPY … TO STDOUT through pg-copy-streams, counting bytes: what reading these rows costs at all. */
async function copyOut(servers: { dataSource: DataSource }, sql: string): Promise<number> {
  const driver = servers.dataSource.driver as unknown as { master: { connect(): Promise<PoolClient> } };
  const client = await driver.master.connect();
  let bytes = 0;
  try {
    await pipeline(
      client.query(copyTo(sql)),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done();
        },
      }),
    );
  } finally {
    client.release();
  }
  return bytes;
}

/**
 * Time and added memory (peak RSS of this process over its RSS before) of one operation: the median of `runs`
 * (three below a million entries, so that the first run's compilation and cold caches do not decide the ratio).
 */
async function measured<T>(runs: number, work: () => Promise<T>): Promise<{ value: T; seconds: number; addedMiB: number }> {
  const results: { value: T; seconds: number; addedMiB: number }[] = [];
  for (let i = 0; i < runs; i++) {
    if (global.gc) global.gc();
    const before = rssMiB(process.pid);
    const rss = sampleRss(process.pid, 50);
    const started = performance.now();
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    const { peakMiB } = rss.stop();
    results.push({ value, seconds, addedMiB: Math.max(0, peakMiB - before) });
  }
  results.sort((a, b) => a.seconds - b.seconds);
  return results[Math.floor(results.length / 2)];
}

async function bench(): Promise<string[]> {
  const sizes = benchSizes(SIZES);
  const regions = generateNation(NATION).regions;
  const exported = regions[0];
  const report = new BenchReport('audit', "one region's cycle history exported, and the whole hash chain verified, vs a plain COPY of the same rows", {
    sizes: sizes.map((n) => `${n} entries`),
    exportedCycle: cycleOf(exported),
    nation: NATION,
  });
  const servers = await startBenchDatabase('audit', BENCH_PORTS.audit + 1);
  const problems: string[] = [];
  try {
    const state: ChainState = { seq: 0, prevHash: null, random: seededRandom(NATION.seed), taskNumber: 0 };
    for (const size of sizes) {
      const started = performance.now();
      await growChain(servers, regions, state, size - state.seq);
      await servers.dataSource.query('VACUUM ANALYZE audit_events');
      log(`[audit] chain grown to ${size} entries in ${((performance.now() - started) / 1000).toFixed(1)} s`);

      const runs = size < 1_000_000 ? 3 : 1;
      const cycleId = cycleOf(exported);
      const [{ n: regionEntries }] = await servers.dataSource.query(`SELECT count(*)::int AS n FROM audit_events WHERE cycle_id = $1`, [cycleId]);
      const exportJson = await measured(runs, async () => JSON.stringify(toJson(await buildAuditExport({ dataSource: servers.dataSource }, { kind: 'cycle', id: cycleId }))).length);
      const exportCsv = await measured(runs, async () => toCsv(await buildAuditExport({ dataSource: servers.dataSource }, { kind: 'cycle', id: cycleId })).length);
      const exportCopy = await measured(runs, () => copyOut(servers, `COPY (SELECT ${CHAIN_COLUMNS} FROM audit_events WHERE cycle_id = '${cycleId}' ORDER BY chain_seq) TO STDOUT`));
      const verify = await measured(runs, () => verifyAuditLog(new AuditLogRepository(servers.dataSource), undefined));
      const verifyCopy = await measured(runs, () => copyOut(servers, `COPY (SELECT ${CHAIN_COLUMNS} FROM audit_events ORDER BY chain_seq) TO STDOUT`));
      if (!verify.value.ok || verify.value.checked !== size) problems.push(`${size} entries: verification said ok=${verify.value.ok}, checked ${verify.value.checked}`);

      report.addSize({
        size: `${size} entries: verify`,
        items: size,
        seconds: verify.seconds,
        baselineSeconds: verifyCopy.seconds,
        figures: { addedMiB: verify.addedMiB, copyAddedMiB: verifyCopy.addedMiB, copyBytes: verifyCopy.value, entriesPerSecond: size / verify.seconds },
      });
      report.addSize({
        size: `${size} entries: export JSON`,
        items: regionEntries,
        seconds: exportJson.seconds,
        baselineSeconds: exportCopy.seconds,
        figures: { addedMiB: exportJson.addedMiB, copyAddedMiB: exportCopy.addedMiB, documentChars: exportJson.value, copyBytes: exportCopy.value },
      });
      report.addSize({
        size: `${size} entries: export CSV`,
        items: regionEntries,
        seconds: exportCsv.seconds,
        baselineSeconds: exportCopy.seconds,
        figures: { addedMiB: exportCsv.addedMiB, documentChars: exportCsv.value },
      });
      for (const [name, ours, copy] of [
        ['verify', verify.seconds, verifyCopy.seconds],
        ['export JSON', exportJson.seconds, exportCopy.seconds],
        ['export CSV', exportCsv.seconds, exportCopy.seconds],
      ] as const) {
        report.target(`${size} entries: ${name} ÷ COPY`, ours / copy, `≤ ${TARGETS.ratio}`, ours / copy <= TARGETS.ratio);
      }
    }
    report.growth(undefined, (row) => row.size.endsWith('verify'));
    report.growth(undefined, (row) => row.size.endsWith('export JSON'));
  } finally {
    await servers.dataSource.destroy();
    await servers.pg.stop();
  }
  return [...problems, ...report.finish()];
}

runBench(bench);
