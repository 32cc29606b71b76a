/**
 * `npm run k8s:validate`: renders infra/k8s's overlays and checks them offline, as CI does through
 * test/unit/k8s-manifests.spec.ts.
 *
 * The checker is a small Go program (infra/k8s/validate) built from the Go module proxy on first use, like the
 * Temporal CLI, and kept as .tools/bin/uplift-k8s-validate-<hash of its sources> (a changed checker is rebuilt, an
 * unchanged one reused; about a minute on two cores the first time). It renders each overlay with the kustomize
 * library and decodes every document strictly into the Kubernetes API's Go types: the same check kubeconform makes with
 * JSON schemas, without needing the schemas (no network here), plus the project's rules and references. This module
 * adds what only the project knows: every variable the manifests set is one the app reads.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { projectRoot as findProjectRoot } from '../support/project-root';

export const K8S_OVERLAYS = ['infra/k8s/overlays/region', 'infra/k8s/overlays/nation'];
export const SECRET_TEMPLATE = 'infra/k8s/secret.example.yaml';
const VALIDATOR_SOURCES = 'infra/k8s/validate';
const GO_DIRS = ['/usr/local/go/bin', path.join(os.homedir(), 'go', 'bin')];

/** Variables the manifests may set that libs/config does not read: Node's own. */
export const VARIABLES_READ_ELSEWHERE = ['NODE_OPTIONS'];

export interface ValidatorRun {
  exitCode: number;
  output: string;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function findGo(): Promise<string> {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...GO_DIRS];
  for (const dir of dirs) {
    if (await isExecutable(path.join(dir, 'go'))) return path.join(dir, 'go');
  }
  throw new Error('the Go toolchain is needed to build the manifest checker: put `go` on PATH (or in /usr/local/go/bin)');
}

function run(command: string, args: string[], cwd: string): Promise<ValidatorRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

/** The checker's sources' hash: go.mod, go.sum and every .go file, so any change rebuilds it. */
async function sourcesHash(dir: string): Promise<string> {
  const names = (await fs.readdir(dir)).filter((name) => name.endsWith('.go') || name === 'go.mod' || name === 'go.sum').sort();
  const hash = createHash('sha256');
  for (const name of names) hash.update(name).update('\0').update(await fs.readFile(path.join(dir, name))).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/** The built checker, building it first when its sources changed (or it was never built). */
export async function ensureK8sValidator(root: string = findProjectRoot(), log: (line: string) => void = () => undefined): Promise<string> {
  const sources = path.join(root, VALIDATOR_SOURCES);
  const binary = path.join(root, '.tools', 'bin', `uplift-k8s-validate-${await sourcesHash(sources)}`);
  if (await isExecutable(binary)) return binary;
  await fs.mkdir(path.dirname(binary), { recursive: true });
  const go = await findGo();
  // Built beside the target and renamed: a concurrent run sees either nothing or the whole binary.
  const partial = `${binary}.${process.pid}.partial`;
  log(`building the manifest checker (${VALIDATOR_SOURCES}) into ${path.relative(root, binary)}`);
  const started = Date.now();
  const build = await run(go, ['build', '-o', partial, '.'], sources);
  if (build.exitCode !== 0) {
    await fs.rm(partial, { force: true });
    throw new Error(`building the manifest checker failed:\n${build.output}`);
  }
  await fs.rename(partial, binary);
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // Builds of older sources (about 40 MB each) are never used again.
  const binDir = path.dirname(binary);
  for (const name of await fs.readdir(binDir)) {
    if (/^uplift-k8s-validate-[0-9a-f]{12}$/.test(name) && path.join(binDir, name) !== binary) {
      await fs.rm(path.join(binDir, name), { force: true });
    }
  }
  return binary;
}

/** Runs the checker: kustomization directories, or plain files with `files: true`. */
export async function runK8sValidator(
  binary: string,
  paths: string[],
  options: { cwd: string; outDir?: string; references?: string[]; files?: boolean },
): Promise<ValidatorRun> {
  const args = [
    ...(options.outDir ? ['-out', options.outDir] : []),
    ...(options.references ?? []).flatMap((file) => ['-reference', file]),
    ...(options.files ? ['-files'] : []),
    ...paths,
  ];
  return run(binary, args, options.cwd);
}

/** The variables the app reads: the fields of libs/config's Environment class (its one list). */
export async function variablesTheAppReads(root: string = findProjectRoot()): Promise<Set<string>> {
  const source = await fs.readFile(path.join(root, 'libs/config/config.ts'), 'utf8');
  const start = source.indexOf('class Environment {');
  if (start < 0) throw new Error('libs/config/config.ts has no `class Environment`: update variablesTheAppReads');
  const body = source.slice(start, source.indexOf('\n}\n', start));
  return new Set([...body.matchAll(/^ {2}([A-Z][A-Z0-9_]*)[!?]?\s*[:=]/gm)].map((match) => match[1]));
}

interface RenderedDocument {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  spec?: { template?: { spec?: { containers?: { name: string; env?: { name: string }[] }[] } } };
}

export function parseRendered(text: string): RenderedDocument[] {
  return parseAllDocuments(text).map((doc) => doc.toJS() as RenderedDocument).filter((doc) => doc !== null);
}

/** Every variable set by a ConfigMap, a Secret (template) or a container's env, with where it is set. */
export function variablesSet(documents: RenderedDocument[]): { name: string; where: string }[] {
  const found: { name: string; where: string }[] = [];
  for (const doc of documents) {
    const where = `${doc.kind}/${doc.metadata?.name}`;
    if (doc.kind === 'ConfigMap' || doc.kind === 'Secret') {
      for (const name of Object.keys({ ...doc.data, ...doc.stringData })) found.push({ name, where });
    }
    for (const container of doc.spec?.template?.spec?.containers ?? []) {
      for (const env of container.env ?? []) found.push({ name: env.name, where: `${where} container ${container.name}` });
    }
  }
  return found;
}

/** Renders and checks every overlay (paths from the project's root, or absolute); the problems, one a line (none when all is well). */
export async function validateK8sManifests(
  root: string = findProjectRoot(),
  log: (line: string) => void = () => undefined,
  overlays: string[] = K8S_OVERLAYS,
): Promise<{ problems: string[]; rendered: Map<string, RenderedDocument[]>; output: string }> {
  const binary = await ensureK8sValidator(root, log);
  const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'uplift-k8s-'));
  try {
    const result = await runK8sValidator(binary, overlays, { cwd: root, outDir, references: [SECRET_TEMPLATE] });
    const problems = result.exitCode === 0 ? [] : result.output.trim().split('\n');
    const known = new Set([...(await variablesTheAppReads(root)), ...VARIABLES_READ_ELSEWHERE]);
    const secretTemplate = parseRendered(await fs.readFile(path.join(root, SECRET_TEMPLATE), 'utf8'));
    const unknown = (source: string, documents: RenderedDocument[]) =>
      variablesSet(documents)
        .filter(({ name }) => !known.has(name))
        .map(({ name, where }) => `${source}: ${where} sets ${name}, which the app does not read (libs/config/config.ts)`);
    problems.push(...unknown(SECRET_TEMPLATE, secretTemplate));
    const rendered = new Map<string, RenderedDocument[]>();
    for (const overlay of overlays) {
      const file = path.join(outDir, `${path.basename(overlay)}.yaml`);
      const documents = parseRendered(await fs.readFile(file, 'utf8').catch(() => ''));
      rendered.set(path.basename(overlay), documents);
      problems.push(...unknown(overlay, documents));
    }
    return { problems, rendered, output: result.output };
  } finally {
    await fs.rm(outDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  validateK8sManifests(findProjectRoot(), (line) => process.stderr.write(`${line}\n`))
    .then(({ problems, output }) => {
      if (problems.length === 0) {
        process.stdout.write(output);
        return;
      }
      process.stdout.write(`${problems.join('\n')}\n`);
      process.exitCode = 1;
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}
