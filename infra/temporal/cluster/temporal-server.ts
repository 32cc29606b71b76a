/**
 * The Temporal server itself and its SQL schema tool, built from the server's Go module at the version the pinned
 * CLI embeds (its dev server is this server on SQLite), so the cluster mode runs the same server code as `npm start`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LogFn } from '../../support/process';
import { buildGoBinariesWithLock, findGo } from '../go-build';

/** The server version that Temporal CLI 1.5.1 (infra/temporal/temporal-cli.ts) embeds. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  /** go.temporal.io/server/cmd/server, installed as .tools/bin/temporal-server (beside the CLI's `temporal`). */
  server: string;
  /** go.temporal.io/server/cmd/tools/sql, installed as .tools/bin/temporal-sql-tool. */
  sqlTool: string;
}

const execFileAsync = promisify(execFile);
const WITHOUT_GO = 'build them elsewhere with `go install` and copy them into .tools/bin';

/** Finds the two binaries in <projectRoot>/.tools/bin, building both in one `go install` (minutes) when either is missing. */
export async function resolveTemporalServer(opts: { projectRoot: string; log?: LogFn }): Promise<TemporalServerBinaries> {
  const toolsDir = path.resolve(opts.projectRoot, '.tools');
  const binaries: TemporalServerBinaries = {
    server: path.join(toolsDir, 'bin', 'temporal-server'),
    sqlTool: path.join(toolsDir, 'bin', 'temporal-sql-tool'),
  };
  await buildGoBinariesWithLock({
    toolsDir,
    displayName: 'Temporal server',
    lockName: 'temporal-server.build.lock',
    stagingPrefix: '.temporal-server-build-',
    binaries: [
      { packagePath: `${TEMPORAL_SERVER_MODULE}/cmd/server`, target: binaries.server },
      { packagePath: `${TEMPORAL_SERVER_MODULE}/cmd/tools/sql`, target: binaries.sqlTool },
    ],
    version: `v${TEMPORAL_SERVER_VERSION}`,
    withoutGoHint: WITHOUT_GO,
    log: opts.log ?? (() => undefined),
  });
  return binaries;
}

export interface PostgresSchemaDirs {
  /** schema/postgresql/v12/temporal/versioned: the persistence store's migrations. */
  temporal: string;
  /** schema/postgresql/v12/visibility/versioned: the visibility store's migrations. */
  visibility: string;
}

/**
 * The versioned schema folders ship in the server module rather than in either binary: `go mod download -json`
 * fetches the module (a no-op once the build has) and says where it lies in the module cache.
 */
export async function postgresSchemaDirs(): Promise<PostgresSchemaDirs> {
  const { goBinary, envPath } = await findGo(WITHOUT_GO);
  const { stdout } = await execFileAsync(goBinary, ['mod', 'download', '-json', `${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
    env: { ...process.env, PATH: envPath },
    // Outside any Go module, so no go.mod of the caller's folder gets in the way.
    cwd: '/',
  });
  const info = JSON.parse(stdout) as { Dir?: string; Error?: string };
  if (!info.Dir) {
    throw new Error(`go mod download ${TEMPORAL_SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION} gave no folder: ${info.Error ?? stdout}`);
  }
  const base = path.join(info.Dir, 'schema', 'postgresql', 'v12');
  return { temporal: path.join(base, 'temporal', 'versioned'), visibility: path.join(base, 'visibility', 'versioned') };
}
