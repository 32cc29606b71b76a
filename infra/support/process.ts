import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

export type LogFn = (line: string) => void;

/** Splits a stream into lines so multi-line chunks and partial writes are logged one line at a time. */
export function forEachLine(stream: Readable | null, onLine: (line: string) => void): void {
  if (!stream) {
    return;
  }
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() !== '') {
        onLine(line);
      }
    }
  });
  stream.on('end', () => {
    if (pending.trim() !== '') {
      onLine(pending);
    }
    pending = '';
  });
}

/** Keeps the last lines of a process's output, to explain a failure without flooding the error. */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = 40) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) {
      this.lines.shift();
    }
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export function waitForExit(child: ChildProcess): Promise<void> {
  if (hasExited(child)) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => child.once('exit', () => resolve()));
}

/**
 * Asks politely first so servers can flush state (Temporal's SQLite file, PostgreSQL's WAL),
 * then forces the issue so a wedged process can never hang a test run or the dev script.
 */
export async function terminateChild(
  child: ChildProcess,
  opts: { signal?: NodeJS.Signals; graceMs?: number } = {},
): Promise<void> {
  if (hasExited(child)) {
    return;
  }
  const exited = waitForExit(child);
  child.kill(opts.signal ?? 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), opts.graceMs ?? 10_000);
  });
  const forced = await Promise.race([exited.then(() => false), timedOut]);
  clearTimeout(timer);
  if (forced && !hasExited(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Without this, a crash or `process.exit()` in the parent leaves the server orphaned and holding
 * its port, which then breaks the next run. Only synchronous work is possible in an 'exit'
 * listener, so it just sends the signal. Returns a function that removes the guard.
 */
export function killOnParentExit(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): () => void {
  const onExit = (): void => {
    if (!hasExited(child)) {
      child.kill(signal);
    }
  };
  process.once('exit', onExit);
  return () => {
    process.removeListener('exit', onExit);
  };
}

export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return minutes > 0 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${seconds}s`;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
