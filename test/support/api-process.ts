import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

export interface ApiProcessOptions {
  port: number;
  taskQueue: string;
  temporalAddress: string;
  databaseUrl: string;
  smtpUrl: string;
  /** Extra environment for the child (e.g. METRICS_PORT). */
  env?: Record<string, string>;
  /** Node's own flags for the child (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
}

/** The project's real API (apps/api/main.ts) in a child process a test can SIGKILL mid-request. */
export interface ApiProcess {
  child: ChildProcess;
  baseUrl: string;
  readyAt: number;
  output(): string;
  kill(): Promise<void>;
}

export function startApiProcess(options: ApiProcessOptions, timeoutMs = 180_000): Promise<ApiProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '-r', 'ts-node/register/transpile-only', path.join(root, 'apps/api/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_TASK_QUEUE: options.taskQueue,
      SMTP_URL: options.smtpUrl,
      PORT: String(options.port),
      HOST: '127.0.0.1',
      PUBLIC_URL: 'http://uplift.test',
      MAIL_MESSAGE_ID_DOMAIN: 'uplift.test',
      ALLOW_COMPRESSED_CALENDAR: 'true',
      // The demo users log in with the tests' password (test/support/test-config.ts).
      SEED_DEMO: 'true',
      DEMO_PASSWORD: 'uplift-demo',
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
      reject(new Error(`API did not listen within ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes('listening on http')) {
        clearTimeout(timer);
        resolve({ child, baseUrl: `http://127.0.0.1:${options.port}`, readyAt: Date.now(), output: () => output, kill });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`API exited early (${code ?? signal}):\n${output.slice(-4000)}`));
    });
  });
}
