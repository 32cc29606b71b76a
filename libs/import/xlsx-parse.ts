/**
 * Runs exceljs on a workbook in a worker thread with a capped heap and a time limit, one workbook at a time.
 *
 * Why a worker: exceljs keeps every cell in memory (about 600 bytes a cell: 20,000 rows × 50 columns took 575 MB of
 * heap in a measurement), and a parse cannot be interrupted. xlsx-limits.ts bounds the rows and cells before this
 * runs, so a file within the bounds needs a few hundred megabytes at most; the worker's cap turns anything that
 * still needs more into a refused file instead of an API process that runs out of memory for everyone. One at a
 * time, because two such parses at once would need twice the memory, and imports are rare (a ministry uploads a
 * few files a year); a second upload waits for the first.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WorkbookRows } from './xlsx-rows';

export const XLSX_PARSE_LIMITS = {
  /** The worker's old-generation heap: above what the cell bound (XLSX_LIMITS.cells) needs. */
  heapMb: 768,
  /** 20,000 rows × 30 columns parse in a few seconds on one core; a minute allows for a busy machine. */
  timeoutMs: 60_000,
} as const;

export type ParsedWorkbook = WorkbookRows | { outOfMemory: true } | { timedOut: true };

// Compiled, this module and the worker are .js files side by side; under ts-jest or ts-node they are .ts files,
// which the worker thread can load only through ts-node.
const WORKER_FILE = join(__dirname, `xlsx-worker${extname(__filename)}`);
const WORKER_EXEC_ARGV = extname(__filename) === '.ts' ? ['--require', 'ts-node/register/transpile-only'] : [];

let queue: Promise<unknown> = Promise.resolve();

export function parseWorkbookInWorker(content: Buffer): Promise<ParsedWorkbook> {
  const run = (): Promise<ParsedWorkbook> => runWorker(content);
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

function runWorker(content: Buffer): Promise<ParsedWorkbook> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(WORKER_FILE, {
      workerData: { content: new Uint8Array(content) },
      execArgv: WORKER_EXEC_ARGV,
      resourceLimits: { maxOldGenerationSizeMb: XLSX_PARSE_LIMITS.heapMb, maxYoungGenerationSizeMb: 64 },
    });
    const finish = (result: ParsedWorkbook): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ timedOut: true }), XLSX_PARSE_LIMITS.timeoutMs);
    worker.once('message', (result: WorkbookRows) => finish(result));
    worker.once('error', (error: Error & { code?: string }) =>
      finish(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { outOfMemory: true } : { unreadable: true }),
    );
    worker.once('exit', () => finish({ unreadable: true }));
  });
}
