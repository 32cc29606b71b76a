import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { workflowBundle } from './worker-harness';

const root = path.resolve(__dirname, '../..');

export interface WorkerProcessOptions {
  taskQueue: string;
  temporalAddress: string;
  databaseUrl: string;
  smtpUrl: string;
  /** Extra environment for the child (e.g. AUDIT_CHECKPOINT_INTERVAL). */
  env?: Record<string, string>;
  /** Node's own flags for the child (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /**
   * A file of bundled workflow code (see `writeWorkflowBundle`): the child is then test/support/run-worker.ts, which
   * starts in seconds; without it, the project's own worker entry (apps/worker/main.ts), which bundles on every start.
   */
  workflowBundlePath?: string;
}

/** Writes the project's workflow bundle (built once per test process) to a file a worker process can load. */
export async function writeWorkflowBundle(): Promise<string> {
  const { code } = await workflowBundle();
  const file = path.join(os.tmpdir(), `uplift-workflow-bundle-${process.pid}.js`);
  await fs.writeFile(file, code);
  process.once('exit', () => rmSync(file, { force: true }));
  return file;
}

/** The project's real worker (apps/worker/main.ts, as `npm start` runs it) in a child process a test can SIGKILL. */
export interface WorkerProcess {
  child: ChildProcess;
  /** When the worker logged that it polls its task queue. */
  readyAt: number;
  /** The last lines the child wrote, for failure messages. */
  output(): string;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
}

/** Spawns the worker and resolves once it polls; rejects (with its output) when it exits first or takes over `timeoutMs`. */
export function startWorkerProcess(options: WorkerProcessOptions, timeoutMs = 120_000): Promise<WorkerProcess> {
  const entry = options.workflowBundlePath ? 'test/support/run-worker.ts' : 'apps/worker/main.ts';
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', 'ts-node/register/transpile-only', path.join(root, entry)], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      SMTP_URL: options.smtpUrl,
      MAIL_MESSAGE_ID_DOMAIN: 'uplift.test',
      PUBLIC_URL: 'http://uplift.test',
      AUDIT_CHECKPOINT_INTERVAL: '0',
      ...(options.workflowBundlePath ? { UPLIFT_WORKFLOW_BUNDLE: options.workflowBundlePath } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill();
      reject(new Error(`worker did not poll within ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes('polling task queue')) {
        clearTimeout(timer);
        resolve({ child, readyAt: Date.now(), output: () => output, kill });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early (${code ?? signal}):\n${output.slice(-4000)}`));
    });
  });
}
