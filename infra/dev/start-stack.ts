/**
 * `npm start`: the whole stack on embedded defaults, in one terminal.
 * Each component is started here unless its variable points at an external one:
 * TEMPORAL_ADDRESS (Temporal), DATABASE_URL (PostgreSQL), SMTP_URL (mail).
 * Then the worker and the API run as child processes, and Ctrl+C stops everything in reverse order.
 *
 * `--cluster` (`npm run start:cluster`): a Temporal cluster on PostgreSQL (infra/temporal/cluster) instead of the dev
 * server on SQLite, and two worker and two API processes (PORT and API_SECOND_PORT, default PORT + 1) sharing it, as
 * a deployment with more than one machine runs them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_REGISTRATIONS } from '../../libs/contracts/deadline-task';
import { startMailCatcher } from '../mail/mail-catcher';
import { startEmbeddedPostgres } from '../postgres/embedded-postgres';
import { assertPortFree } from '../support/ports';
import { delay, forEachLine, hasExited, killOnParentExit, terminateChild } from '../support/process';
import { projectRoot } from '../support/project-root';
import { clusterSettingsFromEnv } from '../temporal/cluster/cluster-settings';
import { startTemporalCluster } from '../temporal/cluster/temporal-cluster';
import { registerSearchAttributes, startTemporalDevServer } from '../temporal/dev-server';
import { resolveTemporalCli } from '../temporal/temporal-cli';

const env = process.env;
const port = (name: string, fallback: number): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0 || parsed > 65535) throw new Error(`${name} must be a port number, got '${value}'`);
  return parsed;
};

const clusterMode = process.argv.includes('--cluster');
const apiPort = port('PORT', 3000);

const PORTS = {
  api: apiPort,
  // Cluster mode only: the second API process.
  apiSecond: port('API_SECOND_PORT', apiPort + 1),
  temporal: port('TEMPORAL_PORT', 7233),
  temporalUi: port('TEMPORAL_UI_PORT', 8233),
  // 5432 belongs to the machine's own PostgreSQL.
  postgres: port('POSTGRES_PORT', 5433),
  smtp: port('MAIL_SMTP_PORT', 1025),
  inbox: port('MAIL_WEB_PORT', 1080),
};

const log = (line: string) => process.stdout.write(`[stack] ${line}\n`);

async function main(): Promise<void> {
  const root = projectRoot();
  const data = path.join(root, '.data');
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const children: ChildProcess[] = [];
  let stopping = false;

  const shutdown = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      log('stopping…');
      await Promise.all(children.map((child) => terminateChild(child, { graceMs: 15_000 })));
      for (const { name, stop } of stops.reverse()) {
        await stop().catch((err: unknown) => log(`${name} did not stop cleanly: ${String(err)}`));
      }
      log('stopped');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    await assertPortFree(PORTS.api, 'the API', 'PORT');
    if (clusterMode) await assertPortFree(PORTS.apiSecond, 'the second API process', 'API_SECOND_PORT');
    const publicUrl = env.PUBLIC_URL ?? `http://localhost:${PORTS.api}`;
    const [temporal, database, mail] = await Promise.all([
      (async () => {
        if (env.TEMPORAL_ADDRESS) {
          await registerSearchAttributes(env.TEMPORAL_ADDRESS, env.TEMPORAL_NAMESPACE ?? 'default', SEARCH_ATTRIBUTE_REGISTRATIONS);
          log(`using external Temporal at ${env.TEMPORAL_ADDRESS}`);
          return { address: env.TEMPORAL_ADDRESS, uiUrl: undefined as string | undefined };
        }
        if (clusterMode) {
          // The cluster has no Web UI of its own (the dev server embeds one); its state is in .data/temporal-cluster.
          const cluster = await startTemporalCluster({
            projectRoot: root,
            dataDir: path.join(data, 'temporal-cluster'),
            ...clusterSettingsFromEnv(env),
            searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
            log,
          });
          stops.push({ name: 'Temporal cluster', stop: cluster.stop });
          void cluster.server.exited.then((how) => {
            if (stopping) return;
            log(`the Temporal server exited (${how}); stopping the stack`);
            void shutdown(1);
          });
          return { address: cluster.address, uiUrl: undefined as string | undefined };
        }
        const cliPath = await resolveTemporalCli({ projectRoot: root, log });
        const server = await startTemporalDevServer({
          cliPath,
          port: PORTS.temporal,
          uiPort: PORTS.temporalUi,
          // Payloads are stored encrypted; the UI shows them decrypted to a logged-in ministry administrator.
          uiCodecEndpoint: `${publicUrl}/api/temporal-codec`,
          // A file, not memory: a restart of `npm start` keeps running workflows and their timers.
          dbFile: path.join(data, 'temporal', 'temporal.db'),
          searchAttributes: SEARCH_ATTRIBUTE_REGISTRATIONS,
          log,
        });
        stops.push({ name: 'Temporal', stop: server.stop });
        return server;
      })(),
      (async (): Promise<{ url: string; dataDir?: string; relocatedBecause?: string }> => {
        if (env.DATABASE_URL) {
          log('using external PostgreSQL from DATABASE_URL');
          return { url: env.DATABASE_URL };
        }
        const pg = await startEmbeddedPostgres({
          dataDir: path.join(data, 'postgres'),
          port: PORTS.postgres,
          persistent: true,
          database: 'uplift',
          log,
        });
        stops.push({ name: 'PostgreSQL', stop: pg.stop });
        return pg;
      })(),
      (async () => {
        if (env.SMTP_URL) {
          log('using the SMTP relay from SMTP_URL');
          return { smtpUrl: env.SMTP_URL, inboxUrl: undefined as string | undefined };
        }
        const catcher = await startMailCatcher({ smtpPort: PORTS.smtp, webPort: PORTS.inbox, log });
        stops.push({ name: 'mail catcher', stop: catcher.stop });
        return catcher;
      })(),
    ]);

    const appEnv: NodeJS.ProcessEnv = {
      ...env,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: temporal.address,
      SMTP_URL: mail.smtpUrl,
      PUBLIC_URL: publicUrl,
      PORT: String(PORTS.api),
      SEED_DEMO: env.SEED_DEMO ?? 'true',
      // The development JWT secret and demo password (libs/config): a local stack, never an installation.
      UPLIFT_DEV: env.UPLIFT_DEV ?? '1',
      // A demonstration can run a whole cycle in minutes (POST /api/cycles with `compression`).
      ALLOW_COMPRESSED_CALENDAR: env.ALLOW_COMPRESSED_CALENDAR ?? 'true',
      // The Web UI calls the codec endpoint from its own origin (on a moved TEMPORAL_UI_PORT too).
      TEMPORAL_UI_ORIGINS: env.TEMPORAL_UI_ORIGINS ?? `http://localhost:${PORTS.temporalUi},http://127.0.0.1:${PORTS.temporalUi}`,
    };
    const runApp = (name: string, entry: string, extraEnv: NodeJS.ProcessEnv = {}): ChildProcess => {
      const child = spawn(process.execPath, [path.join(root, 'dist', entry)], {
        env: { ...appEnv, ...extraEnv },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      killOnParentExit(child);
      forEachLine(child.stdout, (line) => process.stdout.write(`[${name}] ${line}\n`));
      forEachLine(child.stderr, (line) => process.stderr.write(`[${name}] ${line}\n`));
      child.once('exit', (code, signal) => {
        if (stopping) return;
        log(`${name} exited (${signal ?? `code ${code}`}); stopping the stack`);
        void shutdown(1);
      });
      children.push(child);
      return child;
    };
    // The worker first: it migrates the database under a lock the API then finds released. In cluster mode two of
    // each: the workers poll the same task queue, so Temporal hands each task to one of them; the API processes
    // are stateless, behind whatever balances a deployment's traffic (here: two ports).
    const apis: { child: ChildProcess; port: number }[] = [];
    if (clusterMode) {
      runApp('worker-1', 'apps/worker/main.js');
      runApp('worker-2', 'apps/worker/main.js');
      apis.push({ child: runApp('api-1', 'apps/api/main.js'), port: PORTS.api });
      apis.push({ child: runApp('api-2', 'apps/api/main.js', { PORT: String(PORTS.apiSecond) }), port: PORTS.apiSecond });
    } else {
      runApp('worker', 'apps/worker/main.js');
      apis.push({ child: runApp('api', 'apps/api/main.js'), port: PORTS.api });
    }

    for (const api of apis) {
      const healthUrl = `http://127.0.0.1:${api.port}/api/health`;
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (hasExited(api.child)) throw new Error('the API exited during start-up; see its output above');
        const status = await fetch(healthUrl).then((r) => r.status).catch(() => 0);
        if (status === 200) break;
        if (Date.now() > deadline) throw new Error(`the API did not report healthy at ${healthUrl} within 120 s (last status ${status})`);
        await delay(500);
      }
    }

    // Served by the API process when built (`npm start` builds it first); WEB_DIST_DIR moves it (libs/config).
    const webDist = env.WEB_DIST_DIR ? path.resolve(env.WEB_DIST_DIR) : path.join(root, 'apps', 'web', 'dist');
    const webAppBuilt = existsSync(path.join(webDist, 'index.html'));
    const lines = [
      '',
      'Uplift is running:',
      `  Web app          ${webAppBuilt ? `${publicUrl}/` : '(not built: npm run build:web)'}`,
      `  API              ${publicUrl}/api`,
      ...(clusterMode
        ? [`  Second API       http://localhost:${PORTS.apiSecond}/api   (the same app and web app; 2 workers poll the queue)`]
        : []),
      `  OpenAPI (docs)   ${publicUrl}/api/docs   (JSON: ${publicUrl}/api/openapi.json)`,
      `  Health           ${publicUrl}/api/health`,
      // By the app's host name: the UI's codec calls carry the app's session cookie only within the same site.
      `  Temporal Web UI  ${(publicUrl.includes('//localhost:') ? temporal.uiUrl?.replace('//127.0.0.1:', '//localhost:') : temporal.uiUrl) ?? (clusterMode ? '(none: the cluster has no Web UI)' : '(external cluster)')}`,
      `  Temporal gRPC    ${temporal.address}${clusterMode ? '   (cluster on PostgreSQL, .data/temporal-cluster)' : ''}`,
      `  Mail inbox       ${mail.inboxUrl ?? '(external SMTP relay)'}`,
      `  PostgreSQL       ${database.url.replace(/\/\/([^:]+):[^@]+@/, '//$1:***@')}`,
      `  PostgreSQL data  ${database.dataDir ?? '(external database)'}`,
      // Data outside .data/ is a surprise worth its reason, right where the folder is shown.
      ...(database.relocatedBecause ? [`                   (${database.relocatedBecause})`] : []),
      'Press Ctrl+C to stop everything.',
      '',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (err) {
    log(`start failed: ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}

void main();
