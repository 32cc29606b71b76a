/**
 * What every benchmark reports, the same way: a console table, and `bench/results/<name>.json` with its parameters,
 * the machine it ran on, every figure, the ratio of our path to its bare baseline (measured side by side in the same
 * run, on the same servers: absolute times on a shared machine drift, ratios hold), per-size growth, and the verdict
 * against its targets.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../infra/support/project-root';
import { clusterSettingsFromEnv } from '../../infra/temporal/cluster/cluster-settings';
import { TEMPORAL_SERVER_VERSION } from '../../infra/temporal/cluster/temporal-server';
import { TEMPORAL_CLI_VERSION } from '../../infra/temporal/temporal-cli';

/**
 * Which Temporal the benches run on (BENCH_TEMPORAL): 'dev-server' (default), the pinned CLI's dev server, one process
 * on SQLite in memory; or 'cluster', the server built from its module (infra/temporal/cluster) on its own PostgreSQL.
 * Both are server 1.29.1, so the two sets of figures differ by persistence and process layout only.
 */
export type BenchTemporalKind = 'dev-server' | 'cluster';

export function benchTemporalKind(env: NodeJS.ProcessEnv = process.env): BenchTemporalKind {
  const value = env.BENCH_TEMPORAL ?? '';
  if (value === '' || value === 'dev-server' || value === 'dev') return 'dev-server';
  if (value === 'cluster') return 'cluster';
  throw new Error(`BENCH_TEMPORAL must be 'dev-server' or 'cluster', got '${value}'`);
}

/** The history shards of a bench's cluster: the cluster's own default (TEMPORAL_HISTORY_SHARDS is not read). */
export const BENCH_CLUSTER_HISTORY_SHARDS = clusterSettingsFromEnv({}).numHistoryShards!;

/** What a result records of the Temporal it ran on: in its parameters and in its table's title. */
export function benchTemporal(kind: BenchTemporalKind = benchTemporalKind()): Record<string, string | number> & { kind: BenchTemporalKind; description: string } {
  return kind === 'cluster'
    ? {
        kind,
        description: `Temporal server ${TEMPORAL_SERVER_VERSION}, one node with all services, on PostgreSQL (embedded, fsync off), ${BENCH_CLUSTER_HISTORY_SHARDS} history shards`,
        server: TEMPORAL_SERVER_VERSION,
        persistence: 'PostgreSQL (embedded, fsync off)',
        numHistoryShards: BENCH_CLUSTER_HISTORY_SHARDS,
      }
    : {
        kind,
        description: `Temporal CLI ${TEMPORAL_CLI_VERSION} dev server (server ${TEMPORAL_SERVER_VERSION}), one process on SQLite in memory`,
        server: TEMPORAL_SERVER_VERSION,
        persistence: 'SQLite in memory',
      };
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15-minute load averages when the run began and ended: a loaded machine explains slow figures. */
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** One size of a benchmark: the work it did and what it cost. */
export interface SizeRow {
  /** What the size is, e.g. «5 regions». */
  size: string;
  /** Items of work (workflows, messages, requests, entries), for per-item cost. */
  items: number;
  /** Our path. */
  seconds: number;
  /** The bare baseline on the same servers in the same run, when the benchmark has one per size. */
  baselineSeconds?: number;
  /** Any other figure of this size (rates, latencies, memory, counts). */
  figures: Record<string, number | string | boolean | null>;
}

export interface Target {
  name: string;
  /** The figure as measured, for the table. */
  value: number | string;
  /** The target as written in the issue, e.g. «≤ 1.5». */
  target: string;
  met: boolean;
}

export interface BenchResult {
  name: string;
  description: string;
  params: Record<string, unknown>;
  machine: MachineInfo;
  startedAt: string;
  finishedAt?: string;
  sizes: SizeRow[];
  /** Our cost ÷ the baseline's, per size and overall (the issue's «ratio»). */
  ratios: Record<string, number>;
  /** Per-item cost at each size relative to the smallest: 1.0 is flat. */
  growth?: { size: string; perItemMs: number; relativeToSmallest: number }[];
  targets: Target[];
  notes: string[];
}

export const round = (value: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export class BenchReport {
  readonly result: BenchResult;

  constructor(name: string, description: string, params: Record<string, unknown>) {
    this.result = { name, description, params: { ...params, temporal: benchTemporal() }, machine: machineInfo(), startedAt: new Date().toISOString(), sizes: [], ratios: {}, targets: [], notes: [] };
  }

  addSize(row: SizeRow): void {
    this.result.sizes.push(row);
    const ratio = row.baselineSeconds ? round(row.seconds / row.baselineSeconds) : undefined;
    if (ratio !== undefined) this.result.ratios[row.size] = ratio;
    const figures = Object.entries(row.figures)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? round(v) : String(v)}`)
      .join(' ');
    process.stdout.write(
      `[${this.result.name}] ${row.size}: ${row.items} items in ${round(row.seconds)} s` +
        (row.baselineSeconds !== undefined ? ` (baseline ${round(row.baselineSeconds)} s, ratio ${ratio})` : '') +
        ` ${figures}\n`,
    );
  }

  ratio(name: string, value: number): void {
    this.result.ratios[name] = round(value);
  }

  target(name: string, value: number | string, target: string, met: boolean): void {
    this.result.targets.push({ name, value: typeof value === 'number' ? round(value, 3) : value, target, met });
  }

  note(line: string): void {
    this.result.notes.push(line);
    process.stdout.write(`[${this.result.name}] ${line}\n`);
  }

  /**
   * Per-item cost by size against the smallest; `flatWithin` (0.25 = ±25 %) becomes a target when given. `of` picks the
   * rows of one kind when a benchmark reports several per size.
   */
  growth(flatWithin?: number, of: (row: SizeRow) => boolean = () => true): void {
    const rows = this.result.sizes.filter((s) => s.items > 0 && of(s));
    if (rows.length === 0) return;
    const first = (rows[0].seconds * 1000) / rows[0].items;
    this.result.growth = [...(this.result.growth ?? []), ...rows.map((s) => {
      const perItemMs = (s.seconds * 1000) / s.items;
      return { size: s.size, perItemMs: round(perItemMs, 3), relativeToSmallest: round(perItemMs / first) };
    })];
    if (flatWithin !== undefined && rows.length > 1) {
      const worst = this.result.growth.filter((g) => rows.some((r) => r.size === g.size)).reduce((w, g) => (Math.abs(g.relativeToSmallest - 1) > Math.abs(w - 1) ? g.relativeToSmallest : w), 1);
      this.target('per-item cost, largest deviation from the smallest size', worst, `within ±${flatWithin * 100} %`, Math.abs(worst - 1) <= flatWithin);
    }
  }

  /** Prints the table, writes the JSON, and answers the missed targets. */
  finish(): string[] {
    this.result.finishedAt = new Date().toISOString();
    this.result.machine.loadAverageAtEnd = os.loadavg().map((l) => Math.round(l * 100) / 100);
    const file = resultFile(this.result.name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(this.result, null, 2)}\n`);
    process.stdout.write(`\n${formatReport(this.result)}\nwritten to ${path.relative(projectRoot(), file)}\n`);
    return this.result.targets.filter((t) => !t.met).map((t) => `${t.name}: ${t.value} (target ${t.target})`);
  }
}

/** bench/results/<name>.json on the dev server, <name>-cluster.json on the cluster: neither overwrites the other. */
export function resultFile(name: string, kind: BenchTemporalKind = benchTemporalKind()): string {
  return path.join(projectRoot(), 'bench', 'results', `${name}${kind === 'cluster' ? '-cluster' : ''}.json`);
}

/** The benchmark as a plain-text table: sizes with cost and growth, then the targets. */
export function formatReport(result: BenchResult): string {
  const growth = new Map((result.growth ?? []).map((g) => [g.size, g]));
  const rows = result.sizes.map((s) => [
    s.size,
    String(s.items),
    round(s.seconds).toString(),
    s.items ? round(s.items / s.seconds, 1).toString() : '',
    s.items ? round((s.seconds * 1000) / s.items, 2).toString() : '',
    s.baselineSeconds !== undefined ? round(s.baselineSeconds).toString() : '',
    result.ratios[s.size] !== undefined ? String(result.ratios[s.size]) : '',
    growth.get(s.size) ? `${growth.get(s.size)!.relativeToSmallest}×` : '',
  ]);
  const table = renderTable(['size', 'items', 'seconds', 'items/s', 'ms/item', 'baseline s', 'ratio', 'per-item vs smallest'], rows);
  const targets = renderTable(
    ['target', 'measured', 'wanted', ''],
    result.targets.map((t) => [t.name, String(t.value), t.target, t.met ? 'met' : 'MISSED']),
  );
  const m = result.machine;
  const temporal = (result.params.temporal as { description?: string } | undefined)?.description;
  return [
    `== ${result.name}: ${result.description}${temporal ? ` — on ${temporal}` : ''}`,
    `machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, node ${m.node}, load ${m.loadAverageAtStart.join('/')} → ${(m.loadAverageAtEnd ?? []).join('/')}`,
    table,
    ...(result.targets.length ? [targets] : []),
  ].join('\n');
}

export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join(' | ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}
