import { spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import {
  delay,
  forEachLine,
  formatDuration,
  hasExited,
  killOnParentExit,
  type LogFn,
  OutputTail,
  terminateChild,
} from '../support/process';

export interface SupervisedServerOptions {
  /** How the server is named in logs and errors: 'Temporal dev server (/path/temporal)'. */
  name: string;
  /** Prefix of the server's forwarded output lines. */
  logPrefix: string;
  command: string;
  args: string[];
  address: string;
  /** Resolves once the frontend serves what the caller needs (RPCs, a namespace); throws until then. */
  probe(connection: Connection): Promise<void>;
  startTimeoutMs: number;
  pollMs: number;
  /** How long a SIGTERM may take before SIGKILL. */
  stopGraceMs: number;
  log: LogFn;
}

export interface SupervisedServer {
  pid: number | undefined;
  /** Settles when the process ends, asked to or not, with its exit code or signal. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/**
 * Runs a Temporal server process (the CLI's dev server or the server built from its module) and resolves once its
 * probe succeeds; an early exit, or no answer within the timeout, stops it and throws with the output's tail.
 */
export async function startSupervisedServer(opts: SupervisedServerOptions): Promise<SupervisedServer> {
  const startedAt = Date.now();
  const child = spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const removeExitGuard = killOnParentExit(child);
  const exited = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${String(code)}`)));
  const tail = new OutputTail();
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  // Shutting down makes the server's internal workers log a burst of connection warnings; they are expected, so
  // output is only kept (for error messages) once stop() has been called.
  let stopRequested = false;
  const forward = (line: string): void => {
    tail.push(line);
    if (!stopRequested) opts.log(`${opts.logPrefix} ${line}`);
  };
  forEachLine(child.stdout, forward);
  forEachLine(child.stderr, forward);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopRequested = true;
    stopping ??= terminateChild(child, { signal: 'SIGTERM', graceMs: opts.stopGraceMs }).finally(removeExitGuard);
    return stopping;
  };

  const deadline = startedAt + opts.startTimeoutMs;
  let lastError: unknown;
  for (;;) {
    if (spawnError || hasExited(child)) {
      await stop();
      const reason = spawnError
        ? `could not be spawned (${spawnError.message})`
        : `exited early with code ${String(child.exitCode)}${child.signalCode ? ` (signal ${child.signalCode})` : ''}`;
      throw new Error(`${opts.name} ${reason}. Output:\n${tail.toString()}`);
    }
    try {
      const connection = await Connection.connect({ address: opts.address, connectTimeout: 2_000 });
      try {
        await opts.probe(connection);
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${opts.name} did not become ready on ${opts.address} within ${formatDuration(Date.now() - startedAt)}: ` +
          `${describeError(lastError)}. Output:\n${tail.toString()}`,
      );
    }
    await delay(opts.pollMs);
  }
  return { pid: child.pid, exited, stop };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
