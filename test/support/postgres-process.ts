import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** A persistent embedded PostgreSQL cluster run by test/support/run-postgres.ts, stoppable from outside. */
export interface PostgresProcess {
  url: string;
  child: ChildProcess;
  /** PostgreSQL's fast shutdown; the cluster's data stays for the next start. */
  stop(): Promise<void>;
}

export function startPostgresProcess(dataDir: string, port: number, database: string, timeoutMs = 120_000): Promise<PostgresProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(root, 'test/support/run-postgres.ts'), dataDir, String(port), database], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`PostgreSQL did not start within ${timeoutMs} ms:\n${output.slice(-4000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      const ready = /READY (\S+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ url: ready[1], child, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`PostgreSQL process exited early (${code}):\n${output.slice(-4000)}`));
    });
  });
}
