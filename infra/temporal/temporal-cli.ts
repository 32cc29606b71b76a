import path from 'node:path';
import type { LogFn } from '../support/process';
import { buildGoBinariesWithLock, findExecutable, isExecutableFile, searchPath } from './go-build';

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

  await buildGoBinariesWithLock({
    toolsDir,
    displayName: 'Temporal CLI',
    lockName: 'temporal-cli.build.lock',
    stagingPrefix: '.temporal-build-',
    binaries: [{ packagePath: TEMPORAL_CLI_MODULE, target: localBinary }],
    version: `v${TEMPORAL_CLI_VERSION}`,
    withoutGoHint: 'set TEMPORAL_CLI to an existing temporal binary',
    log,
  });
  return localBinary;
}
