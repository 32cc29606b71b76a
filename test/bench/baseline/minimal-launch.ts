/**
 * The launch benchmark's baseline run: `count` minimal workflows started by a bare Temporal client (no codec, 32
 * starts in flight) against a bare worker process, on the same Temporal server as our path, until every one has set
 * its timer.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { inParallel, rssMiB } from '../bench-stack';

const root = path.resolve(__dirname, '../../..');
const IN_FLIGHT = 32;

export interface MinimalLaunchFigures {
  count: number;
  seconds: number;
  workerRssMiB: number;
}

export async function runMinimalLaunch(temporalAddress: string, count: number, runId: string): Promise<MinimalLaunchFigures> {
  const taskQueue = `baseline-${runId}`;
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'test/bench/baseline/minimal-worker.ts')], {
    cwd: root,
    env: { ...process.env, TEMPORAL_ADDRESS: temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let timers = 0;
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
    for (const m of chunk.toString().matchAll(/timers (\d+)/g)) timers = Math.max(timers, Number(m[1]));
    for (const l of listeners) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = (predicate: () => boolean, what: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`baseline: ${what} not within ${timeoutMs} ms:\n${output.slice(-3000)}`));
      }, timeoutMs);
      listeners.add(check);
      child.once('exit', () => reject(new Error(`baseline worker exited:\n${output.slice(-3000)}`)));
      check();
    });
  const connection = await Connection.connect({ address: temporalAddress });
  try {
    await until(() => output.includes('polling task queue'), 'worker polling', 300_000);
    const client = new Client({ connection });
    const started = Date.now();
    await inParallel(
      Array.from({ length: count }, (_, i) => i),
      IN_FLIGHT,
      (i) => client.workflow.start('minimalWorkflow', { taskQueue, workflowId: `${taskQueue}-${i}` }),
    );
    await until(() => timers >= count, `${count} timers`, 3_600_000);
    const seconds = (Date.now() - started) / 1000;
    return { count, seconds, workerRssMiB: rssMiB(child.pid) };
  } finally {
    await connection.close();
    child.kill('SIGKILL');
    await exited;
  }
}
