import fs from 'node:fs';
import path from 'node:path';

/** What one fault scenario measured; written as JSON under test-output/faults/ and printed as a markdown table. */
export interface FaultFigures {
  /** File name and the table's first column, e.g. `worker-sigkill-1000`. */
  scenario: string;
  /** The fault in words, for the table. */
  fault: string;
  faultsInjected: number;
  emailsExpected: number;
  /** Distinct Message-IDs received. */
  delivered: number;
  lost: number;
  /** Receipts beyond the first of a Message-ID. */
  duplicated: number;
  /** Per fault: from the fault's end (kill, restart) to the first sign of the system working again. */
  recoverSeconds: number[];
  /** Anything else the scenario counted (submissions stored, 503 answers seen, …). */
  extra?: Record<string, number | string>;
  startedAt: string;
  durationSeconds: number;
}

const root = path.resolve(__dirname, '../..');
export const FAULT_OUTPUT_DIR = path.join(root, 'test-output', 'faults');

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function recoverText(seconds: number[]): string {
  if (seconds.length === 0) return '—';
  const sorted = [...seconds].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return seconds.length === 1 ? `${round(sorted[0])} s` : `median ${round(median)} s, max ${round(sorted[sorted.length - 1])} s`;
}

const HEADER = '| scenario | fault | faults injected | e-mails expected | delivered | lost | duplicated | time to recover | other |\n|---|---|---|---|---|---|---|---|---|';

export function figuresRow(f: FaultFigures): string {
  const extra = Object.entries(f.extra ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('; ');
  return `| ${f.scenario} | ${f.fault} | ${f.faultsInjected} | ${f.emailsExpected} | ${f.delivered} | ${f.lost} | ${f.duplicated} | ${recoverText(f.recoverSeconds)} | ${extra || '—'} |`;
}

/** Writes the scenario's JSON and prints the table of every scenario measured so far (this run and earlier ones). */
export function recordFaultFigures(figures: FaultFigures): string {
  fs.mkdirSync(FAULT_OUTPUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(FAULT_OUTPUT_DIR, `${figures.scenario}.json`), `${JSON.stringify(figures, null, 2)}\n`);
  const all = fs
    .readdirSync(FAULT_OUTPUT_DIR)
    .filter((name) => name.endsWith('.json') && name !== 'table.json')
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(FAULT_OUTPUT_DIR, name), 'utf8')) as FaultFigures);
  const table = [HEADER, ...all.map(figuresRow)].join('\n');
  fs.writeFileSync(path.join(FAULT_OUTPUT_DIR, 'table.md'), `${table}\n`);
  process.stdout.write(`\nFault figures (test-output/faults/):\n${table}\n\n`);
  return table;
}
