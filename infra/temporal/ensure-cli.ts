// `npm run temporal:cli`: finds or builds the pinned Temporal CLI and prints its path.
import { projectRoot } from '../support/project-root';
import { resolveTemporalCli } from './temporal-cli';

resolveTemporalCli({ projectRoot: projectRoot(), log: (line) => process.stderr.write(`${line}\n`) })
  .then((cliPath) => process.stdout.write(`${cliPath}\n`))
  .catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
