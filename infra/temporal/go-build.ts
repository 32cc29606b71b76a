/**
 * Builds Go binaries from the module proxy into <projectRoot>/.tools/bin, for the Temporal CLI and for the Temporal
 * server of the cluster mode alike: one `go install` per module version under a lock file (so parallel test runs
 * and `npm start` build once), staged in a private folder and renamed into place (so a reader that does not take
 * the lock never sees a half-written binary).
 */
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { delay, forEachLine, formatDuration, type LogFn, OutputTail } from '../support/process';

export interface GoBinary {
  /** The package path `go install` builds, e.g. go.temporal.io/server/cmd/server. */
  packagePath: string;
  /** Where the binary goes, under <projectRoot>/.tools/bin. */
  target: string;
}

export interface GoBuildSpec {
  toolsDir: string;
  /** What the log lines and errors call the build ("Temporal CLI"). */
  displayName: string;
  /** File name of the lock in toolsDir: one per set of binaries built together. */
  lockName: string;
  /** Prefix of the staging folder in toolsDir. */
  stagingPrefix: string;
  /** All packages of one module at one version: `go install` takes them in one command. */
  binaries: readonly GoBinary[];
  /** The module version, with its `v`. */
  version: string;
  /** Hint for the error raised when Go is missing ("set TEMPORAL_CLI to an existing temporal binary"). */
  withoutGoHint: string;
  log: LogFn;
}

const PROGRESS_INTERVAL_MS = 30_000;
const LOCK_POLL_MS = 2_000;
// A lock file that is still empty after this long belongs to a builder that died mid-write.
const UNREADABLE_LOCK_STALE_MS = 60_000;
export const WELL_KNOWN_GO_DIRS = ['/usr/local/go/bin', path.join(os.homedir(), 'go', 'bin')];

/** Returns once every binary of the spec exists, building them all under the spec's lock if any is missing. */
export async function buildGoBinariesWithLock(spec: GoBuildSpec): Promise<void> {
  const allPresent = async () => (await Promise.all(spec.binaries.map((b) => isExecutableFile(b.target)))).every(Boolean);
  for (const binary of spec.binaries) {
    await fs.mkdir(path.dirname(binary.target), { recursive: true });
  }
  const lockPath = path.join(spec.toolsDir, spec.lockName);
  const release = await acquireBuildLock(lockPath, allPresent, spec.displayName, spec.log);
  if (release === null) {
    // Another process held the lock and produced the binaries while we waited.
    return;
  }
  try {
    if (await allPresent()) {
      return;
    }
    await goInstall(spec);
  } finally {
    await release();
  }
}

/**
 * Returns a release function once this process owns the lock, or null when another builder
 * finished the binaries while we waited for its lock.
 */
async function acquireBuildLock(
  lockPath: string,
  built: () => Promise<boolean>,
  displayName: string,
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
      log(`Removing stale ${displayName} build lock ${lockPath}`);
      await fs.rm(lockPath, { force: true });
      continue;
    }
    if (holder === 'gone') {
      if (await built()) {
        return null;
      }
      continue;
    }

    const now = Date.now();
    if (!announced) {
      announced = true;
      lastProgressAt = now;
      log(`Another process (pid ${holder.pid ?? 'unknown'}) is building the ${displayName}; waiting for it`);
    } else if (now - lastProgressAt >= PROGRESS_INTERVAL_MS) {
      lastProgressAt = now;
      log(`Still waiting for pid ${holder.pid ?? 'unknown'} to build the ${displayName} (${formatDuration(now - waitStartedAt)} so far)`);
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

/** The `go` binary on PATH or in the usual install folders, and the PATH to run it with. */
export async function findGo(withoutGoHint: string): Promise<{ goBinary: string; envPath: string }> {
  const envPath = withWellKnownGoDirs(process.env.PATH);
  const goBinary = await findExecutable('go', searchPath(envPath));
  if (!goBinary) {
    throw new Error(
      `Building needs the Go toolchain, but \`go\` is not on PATH nor in ${WELL_KNOWN_GO_DIRS.join(' or ')}. ` +
        `Install Go, or ${withoutGoHint}.`,
    );
  }
  return { goBinary, envPath };
}

async function goInstall(spec: GoBuildSpec): Promise<void> {
  const { log } = spec;
  const { goBinary, envPath } = await findGo(spec.withoutGoHint);

  // go install copies across file systems (build cache -> GOBIN), so a reader could see a
  // half-written binary. Building into a private folder next to the target and renaming makes
  // the binary appear atomically for processes that check for it without taking the lock.
  const stagingDir = await fs.mkdtemp(path.join(spec.toolsDir, spec.stagingPrefix));
  const packageSpecs = spec.binaries.map((b) => `${b.packagePath}@${spec.version}`);
  const startedAt = Date.now();
  log(`${spec.displayName} not found; building ${packageSpecs.join(' ')} with ${goBinary} (the first build takes several minutes)`);

  const tail = new OutputTail(60);
  const ticker = setInterval(() => {
    log(`Still building the ${spec.displayName} (${formatDuration(Date.now() - startedAt)} elapsed)`);
  }, PROGRESS_INTERVAL_MS);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(goBinary, ['install', ...packageSpecs], {
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
      throw new Error(`\`go install ${packageSpecs.join(' ')}\` failed with exit code ${String(exitCode)}:\n${tail.toString()}`);
    }
    // `go install` names each binary after its package's last path element.
    for (const binary of spec.binaries) {
      await fs.rename(path.join(stagingDir, path.basename(binary.packagePath)), binary.target);
    }
    log(
      `Built ${spec.displayName} ${spec.version} in ${formatDuration(Date.now() - startedAt)}: ` +
        spec.binaries.map((b) => b.target).join(', '),
    );
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

export function searchPath(envPath: string | undefined): string[] {
  return (envPath ?? '').split(path.delimiter).filter((entry) => entry !== '');
}

export async function findExecutable(name: string, dirs: readonly string[]): Promise<string | undefined> {
  for (const dir of dirs) {
    const candidate = path.resolve(dir, name);
    if (await isExecutableFile(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

export async function isExecutableFile(filePath: string): Promise<boolean> {
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
