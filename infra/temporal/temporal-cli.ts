import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { delay, forEachLine, formatDuration, type LogFn, OutputTail } from '../support/process';

/**
 * Pinned to 1.5.1 because it is the newest CLI release whose go.mod has no `replace` directive.
 * From v1.6.0 on, go.mod replaces the nested `cliext` module with a local path that the Go module
 * proxy does not serve, and `go install module@version` refuses modules with replace directives.
 */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export interface ResolveTemporalCliOptions {
  projectRoot: string;
  log?: LogFn;
}

const PROGRESS_INTERVAL_MS = 30_000;
const LOCK_POLL_MS = 2_000;
// A lock file that is still empty after this long belongs to a builder that died mid-write.
const UNREADABLE_LOCK_STALE_MS = 60_000;
const WELL_KNOWN_GO_DIRS = ['/usr/local/go/bin', path.join(os.homedir(), 'go', 'bin')];

/**
 * Finds a Temporal CLI binary, building it with `go install` only as a last resort.
 * Order: $TEMPORAL_CLI, `temporal` on PATH, <projectRoot>/.tools/bin/temporal, then a build.
 */
export async function resolveTemporalCli(opts: ResolveTemporalCliOptions): Promise<string> {
  const log = opts.log ?? (() => undefined);

  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv !== undefined && fromEnv !== '') {
    const candidate = path.resolve(fromEnv);
    if (!(await isExecutableFile(candidate))) {
      throw new Error(
        `TEMPORAL_CLI is set to "${fromEnv}", but ${candidate} does not exist or is not an executable file. ` +
          'Fix the path or unset TEMPORAL_CLI to let the project find or build the CLI.',
      );
    }
    return candidate;
  }

  const onPath = await findExecutable('temporal', searchPath(process.env.PATH));
  if (onPath) {
    return onPath;
  }

  const toolsDir = path.resolve(opts.projectRoot, '.tools');
  const localBinary = path.join(toolsDir, 'bin', 'temporal');
  if (await isExecutableFile(localBinary)) {
    return localBinary;
  }

  return buildWithLock(toolsDir, localBinary, log);
}

async function buildWithLock(toolsDir: string, target: string, log: LogFn): Promise<string> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const lockPath = path.join(toolsDir, 'temporal-cli.build.lock');
  const release = await acquireBuildLock(lockPath, target, log);
  if (release === null) {
    // Another process held the lock and produced the binary while we waited.
    return target;
  }
  try {
    if (await isExecutableFile(target)) {
      return target;
    }
    await goInstall(toolsDir, target, log);
    return target;
  } finally {
    await release();
  }
}

/**
 * Returns a release function once this process owns the lock, or null when another builder
 * finished the binary while we waited for its lock.
 */
async function acquireBuildLock(
  lockPath: string,
  target: string,
  log: LogFn,
): Promise<(() => Promise<void>) | null> {
  const waitStartedAt = Date.now();
  let lastProgressAt = waitStartedAt;
  let announced = false;
  for (;;) {
    const release = await tryCreateLock(lockPath);
    if (release) {
      return release;
    }

    const holder = await readLockHolder(lockPath);
    if (holder === 'stale') {
      log(`Removing stale Temporal CLI build lock ${lockPath}`);
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (holder === 'gone') {
      if (await isExecutableFile(target)) {
        return null;
      }
      continue;
    }

    const now = Date.now();
    if (!announced) {
      announced = true;
      lastProgressAt = now;
      log(`Another process (pid ${holder.pid ?? 'unknown'}) is building the Temporal CLI; waiting for it`);
    } else if (now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
      lastProgressAt = now;
      log(`Still waiting for pid ${holder.pid ?? 'unknown'} to build the Temporal CLI (${formatDuration(now - waitStartedAt)} so far)`);
    }
    await delay(LOCK_POLL_MS);
  }
}

async function tryCreateLock(lockPath: string): Promise<(() => Promise<void>) | undefined> {
  let handle: fs.FileHandle;
  try {
    // 'wx' fails if the file exists, which makes creation the atomic "take the lock" step.
    handle = await fs.open(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return undefined;
    }
    throw error;
  }
  const release = async (): Promise<void> => {
    await fs.rm(lockPath, { force: true });
  };
  try {
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() }));
  } catch (error) {
    await handle.close();
    await release();
    throw error;
  }
  await handle.close();
  return release;
}

async function readLockHolder(lockPath: string): Promise<{ pid: number | undefined } | 'stale' | 'gone'> {
  let content: string;
  let mtimeMs: number;
  try {
    [content, { mtimeMs }] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return 'gone';
    }
    throw error;
  }
  let parsed: { pid?: unknown; host?: unknown } | undefined;
  try {
    parsed = JSON.parse(content) as { pid?: unknown; host?: unknown };
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed.pid !== 'number') {
    // The holder may be between creating the file and writing its pid.
    return Date.now() - mtimeMs > UNREADABLE_LOCK_STALE_MS ? 'stale' : { pid: undefined };
  }
  // A lock from another host (shared file system) cannot be checked; trust it.
  if (parsed.host === os.hostname() && !isProcessAlive(parsed.pid)) {
    return 'stale';
  }
  return { pid: parsed.pid };
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function goInstall(toolsDir: string, target: string, log: LogFn): Promise<void> {
  const envPath = withWellKnownGoDirs(process.env.PATH);
  const goBinary = await findExecutable('go', searchPath(envPath));
  if (!goBinary) {
    throw new Error(
      `The Temporal CLI was not found and building it needs the Go toolchain, but \`go\` is not on PATH ` +
        `nor in ${WELL_KNOWN_GO_DIRS.join(' or ')}. Install Go, or set TEMPORAL_CLI to an existing temporal binary.`,
    );
  }

  // go install copies across file systems (build cache -> GOBIN), so a reader could see a
  // half-written binary. Building into a private folder next to the target and renaming makes
  // the binary appear atomically for processes that check for it without taking the lock.
  const stagingDir = await fs.mkdtemp(path.join(toolsDir, '.temporal-build-'));
  const spec = `${TEMPORAL_CLI_MODULE}@v${TEMPORAL_CLI_VERSION}`;
  const startedAt = Date.now();
  log(`Temporal CLI not found; building ${spec} with ${goBinary} (the first build takes several minutes)`);

  const tail = new OutputTail(60);
  const ticker = setInterval(() => {
    log(`Still building the Temporal CLI (${formatDuration(Date.now() - startedAt)} elapsed)`);
  }, PROGRESS_INTERVAL_MS);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(goBinary, ['install', spec], {
        env: {
          ...process.env,
          PATH: envPath,
          GOBIN: stagingDir,
          // Release binaries are built without cgo as well; this also avoids needing a C toolchain.
          CGO_ENABLED: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const onLine = (line: string): void => {
        tail.push(line);
        log(`[go] ${line}`);
      };
      forEachLine(child.stdout, onLine);
      forEachLine(child.stderr, onLine);
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    if (exitCode !== 0) {
      throw new Error(`\`go install ${spec}\` failed with exit code ${String(exitCode)}:\n${tail.toString()}`);
    }
    await fs.rename(path.join(stagingDir, 'temporal'), target);
    log(`Built Temporal CLI v${TEMPORAL_CLI_VERSION} in ${formatDuration(Date.now() - startedAt)}: ${target}`);
  } finally {
    clearInterval(ticker);
    await fs.rm(stagingDir, { recursive: true, force: true });
  }
}

function withWellKnownGoDirs(envPath: string | undefined): string {
  const entries = searchPath(envPath);
  for (const dir of WELL_KNOWN_GO_DIRS) {
    if (!entries.includes(dir)) {
      entries.push(dir);
    }
  }
  return entries.join(path.delimiter);
}

function searchPath(envPath: string | undefined): string[] {
  return (envPath ?? '').split(path.delimiter).filter((entry) => entry !== '');
}

async function findExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (await isExecutableFile(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

async function isExecutableFile(filePath: string): Promise<boolean> {
  try {
    const stat = await fs.stat(filePath);
    if (!stat.isFile()) {
      return false;
    }
    await fs.access(filePath, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}
