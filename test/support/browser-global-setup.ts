/**
 * The browser project's global setup: builds the web app when apps/web/dist is missing or older than its sources
 * (the API serves that folder), then starts the shared components unless the integration project already has.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import globalSetup from './global-setup';

const root = path.resolve(__dirname, '../..');
const webRoot = path.join(root, 'apps/web');
const builtIndex = path.join(webRoot, 'dist/index.html');
const sharedDomain = path.join(root, 'libs/domain');

const log = (line: string) => process.stderr.write(`[test-stack] ${line}\n`);

/** The newest modification time among the web app's build inputs (its sources and libs/domain), in ms. */
function newestSourceMtime(): number {
  let newest = 0;
  const visit = (entry: string) => {
    const stat = fs.statSync(entry);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(entry)) visit(path.join(entry, name));
    } else {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const name of fs.readdirSync(webRoot)) {
    if (name === 'dist' || name === 'node_modules') continue;
    visit(path.join(webRoot, name));
  }
  // The app bundles the pure rules it shares with the API (the production calendar of the dry run's calendar).
  visit(sharedDomain);
  return newest;
}

function webBuildIsStale(): boolean {
  if (!fs.existsSync(builtIndex)) return true;
  return fs.statSync(builtIndex).mtimeMs < newestSourceMtime();
}

/** `npm run build:web` when the script exists, else Vite directly; its output goes to stderr beside jest's. */
async function buildWeb(): Promise<void> {
  type Manifest = { scripts?: Record<string, string> };
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
  const scripts = manifest.scripts ?? {};
  const [command, args] = scripts['build:web']
    ? ['npm', ['run', '--silent', 'build:web']]
    : ['npx', ['vite', 'build', '--config', 'apps/web/vite.config.ts']];
  const started = Date.now();
  log(`building the web app (${command} ${args.join(' ')}): apps/web/dist is missing or older than its sources`);
  await new Promise<void>((resolve, reject) => {
    // jest sets NODE_ENV=test, which would make Vite build React's development bundle: the tests use the real one.
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`the web build (${command} ${args.join(' ')}) exited with ${code}`)),
    );
  });
  log(`web app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export default async function browserGlobalSetup(): Promise<void> {
  if (webBuildIsStale()) await buildWeb();
  await globalSetup();
}
