import type { ActivityOptions } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import {
  ensureK8sValidator,
  runK8sValidator,
  validateK8sManifests,
  variablesTheAppReads,
} from '../../infra/k8s/validate';
import { projectRoot } from '../../infra/support/project-root';
import { ConfigError, loadConfig } from '../../libs/config';
import * as activityOptions from '../../workflows/activity-failures';

// The first run builds the checker from the Go module proxy (minutes on a busy two-core machine); later runs reuse it.
const FIRST_BUILD_MS = 15 * 60_000;
const root = projectRoot(__dirname);

interface Container {
  name: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}
interface Workload {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: {
    replicas?: number;
    minReplicas?: number;
    maxReplicas?: number;
    template: { spec: { terminationGracePeriodSeconds?: number; containers: Container[] } };
  };
}

let validation: Awaited<ReturnType<typeof validateK8sManifests>>;

beforeAll(async () => {
  validation = await validateK8sManifests(root, (line) => process.stderr.write(`${line}\n`));
}, FIRST_BUILD_MS);

function find(overlay: string, kind: string, name: string): Workload {
  const found = (validation.rendered.get(overlay) ?? []).find((doc) => doc.kind === kind && doc.metadata?.name === name);
  if (!found) throw new Error(`${overlay} renders no ${kind}/${name}`);
  return found as unknown as Workload;
}

function configOf(overlay: string): Record<string, string> {
  const map = (validation.rendered.get(overlay) ?? []).find((doc) => doc.kind === 'ConfigMap' && doc.metadata?.name?.startsWith('uplift-config'));
  return (map as unknown as Workload | undefined)?.data ?? {};
}

describe('the Kubernetes manifests (infra/k8s)', () => {
  it('render from both overlays and pass the strict API-type check, the project rules and the variable check', () => {
    expect(validation.problems).toEqual([]);
    expect(validation.output).toMatch(/^ok: 2 path\(s\), \d+ document\(s\), 1 reference document\(s\)$/m);
  });

  it('size one region and the nation as docs/operations.md says', () => {
    expect(find('region', 'Deployment', 'uplift-api').spec.replicas).toBe(2);
    expect(find('region', 'HorizontalPodAutoscaler', 'uplift-worker').spec).toMatchObject({ minReplicas: 2, maxReplicas: 4 });
    expect(find('nation', 'Deployment', 'uplift-api').spec.replicas).toBe(4);
    expect(find('nation', 'HorizontalPodAutoscaler', 'uplift-worker').spec).toMatchObject({ minReplicas: 4, maxReplicas: 12 });
    // The HPA owns the worker count: a count in the Deployment would reset it on every apply.
    expect(find('nation', 'Deployment', 'uplift-worker').spec.replicas).toBeUndefined();
  });

  it('start each process the way package.json does, with node itself as PID 1 to receive SIGTERM', async () => {
    const scripts = (JSON.parse(await fs.readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const overlay of ['region', 'nation']) {
      expect(find(overlay, 'Deployment', 'uplift-api').spec.template.spec.containers[0].command?.join(' ')).toBe(scripts['start:api']);
      expect(find(overlay, 'Deployment', 'uplift-worker').spec.template.spec.containers[0].command?.join(' ')).toBe(scripts['start:worker']);
      const migrate = find(overlay, 'Job', 'uplift-migrate').spec.template.spec.containers[0].command ?? [];
      expect(migrate[0]).toBe('node');
      // The compiled form of a source that exists (tsc -p tsconfig.build.json compiles infra/ into dist/infra/).
      expect(existsSync(path.join(root, migrate[1].replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    }
  });

  it('give the worker a grace period longer than its slowest activity attempt, and the API one past its preStop pause and its longest wait', () => {
    const exported = Object.values(activityOptions) as unknown[];
    const attempts = exported
      .filter((value): value is ActivityOptions => typeof value === 'object' && value !== null && 'startToCloseTimeout' in value)
      .map((options) => msToNumber(options.startToCloseTimeout!));
    expect(attempts.length).toBeGreaterThanOrEqual(4);
    const slowestAttemptMs = Math.max(...attempts);
    const updateWaitMs = loadConfig({ DATABASE_URL: 'postgres://x/y', SMTP_URL: 'smtp://x', NODE_ENV: 'test' }).temporal.updateTimeoutMs;
    for (const overlay of ['region', 'nation']) {
      const worker = find(overlay, 'Deployment', 'uplift-worker').spec.template.spec;
      expect(worker.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(slowestAttemptMs + 10_000);
      const api = find(overlay, 'Deployment', 'uplift-api').spec.template.spec;
      const preStop = api.containers[0].lifecycle?.preStop?.exec?.command ?? [];
      expect(preStop[0]).toBe('sleep');
      const pauseMs = Number(preStop[1]) * 1000;
      expect(pauseMs).toBeGreaterThanOrEqual(5000);
      expect(api.terminationGracePeriodSeconds! * 1000).toBeGreaterThan(pauseMs + updateWaitMs + 10_000);
    }
  });

  it('set a configuration the app accepts once the secrets are added', () => {
    for (const overlay of ['region', 'nation']) {
      const secrets = {
        DATABASE_URL: 'postgresql://uplift@db.example.org/uplift',
        SMTP_URL: 'smtp://relay.example.org:25',
        JWT_SECRET: 'j'.repeat(48),
        AUDIT_CHECKPOINT_KEY: 'a'.repeat(48),
        TEMPORAL_PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      };
      const config = loadConfig({ ...configOf(overlay), ...secrets });
      // Listening on every interface of the pod, not the development default 127.0.0.1 (the probes would fail).
      expect(config.http.host).toBe('0.0.0.0');
      expect(config.temporal.namespace).toBe('uplift');
      // Production refuses to start without the secrets: the Secret is not optional.
      expect(() => loadConfig({ ...configOf(overlay), DATABASE_URL: secrets.DATABASE_URL, SMTP_URL: secrets.SMTP_URL })).toThrow(ConfigError);
    }
  });
});

describe("Temporal's Helm values (infra/k8s/temporal)", () => {
  interface SqlStore {
    driver: string;
    sql: { driver: string; database: string; existingSecret: string };
  }
  interface Values {
    server?: {
      config?: {
        numHistoryShards?: number;
        persistence?: { default?: SqlStore; visibility?: SqlStore };
        namespaces?: { create: boolean; namespace: { name: string; retention: string }[] };
      };
    };
    web?: { additionalEnv?: { name: string; value: string }[] };
  }

  async function values(file: string): Promise<Values> {
    return parse(await fs.readFile(path.join(root, 'infra/k8s/temporal', file), 'utf8')) as Values;
  }

  it('keep both stores in PostgreSQL and create the namespace the app uses, with a retention', async () => {
    const region = await values('values.yaml');
    const config = configOf('region');
    const store = region.server?.config?.persistence;
    for (const kind of ['default', 'visibility'] as const) {
      expect(store?.[kind]).toMatchObject({ driver: 'sql', sql: { driver: 'postgres12', existingSecret: 'temporal-postgres' } });
    }
    expect(store?.default?.sql.database).not.toBe(store?.visibility?.sql.database);
    expect(region.server?.config?.namespaces).toEqual({
      create: true,
      namespace: [{ name: config.TEMPORAL_NAMESPACE, retention: expect.stringMatching(/^\d+d$/) }],
    });
    // The release is named `temporal` in its namespace `temporal`: the frontend's Service is temporal-frontend.
    expect(config.TEMPORAL_ADDRESS).toMatch(/^temporal-frontend\.temporal\.svc(\.cluster\.local)?:7233$/);
  });

  it("point the Web UI's codec at each installation's own app, and fix the shard count per size", async () => {
    const region = await values('values.yaml');
    const nation = { ...region, ...(await values('values-nation.yaml')) };
    for (const [overlay, file] of [['region', region], ['nation', nation]] as const) {
      const codec = file.web?.additionalEnv?.find((env) => env.name === 'TEMPORAL_CODEC_ENDPOINT')?.value;
      expect(codec).toBe(`${configOf(overlay).PUBLIC_URL}/api/temporal-codec`);
    }
    expect(region.server?.config?.numHistoryShards).toBe(512);
    expect(nation.server?.config?.numHistoryShards).toBe(2048);
  });
});

describe('the manifest checker', () => {
  let binary: string;
  let dir: string;

  beforeAll(async () => {
    binary = await ensureK8sValidator(root);
  }, FIRST_BUILD_MS);

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'uplift-k8s-bad-'));
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** The region overlay's rendered API Deployment, known good, with one change made to it. */
  async function apiDeploymentWith(change: (deployment: Record<string, unknown>) => void): Promise<string> {
    const good = (validation.rendered.get('region') ?? []).filter((doc) => doc.kind === 'Deployment' && doc.metadata?.name === 'uplift-api');
    const deployment = JSON.parse(JSON.stringify(good[0])) as Record<string, unknown>;
    change(deployment);
    // What it names (a ConfigMap, the service account; the Secret comes as a reference), so that only the change is wrong.
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'uplift' }, data: {} };
    const account = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'uplift', namespace: 'uplift' } };
    const file = path.join(dir, 'manifests.yaml');
    await fs.writeFile(file, [deployment, configMap, account].map((doc) => JSON.stringify(doc)).join('\n---\n'));
    return file;
  }

  function podSpec(deployment: Record<string, unknown>): { containers: Record<string, unknown>[]; [key: string]: unknown } {
    const spec = deployment.spec as { template: { spec: { containers: Record<string, unknown>[] } } };
    return spec.template.spec;
  }

  async function check(file: string): Promise<{ exitCode: number; output: string }> {
    return runK8sValidator(binary, [file], { cwd: root, files: true, references: ['infra/k8s/secret.example.yaml'] });
  }

  it('passes the unchanged deployment it is given (so the failures below are the changes)', async () => {
    const file = await apiDeploymentWith((deployment) => {
      for (const from of podSpec(deployment).containers[0].envFrom as { configMapRef?: { name: string } }[]) {
        if (from.configMapRef) from.configMapRef.name = 'c';
      }
    });
    const result = await check(file);
    expect(result.output).toMatch(/^ok: /m);
    expect(result.exitCode).toBe(0);
  });

  it('refuses a misspelt field', async () => {
    const result = await check(await apiDeploymentWith((deployment) => (podSpec(deployment).containers[0].imagePullPolcy = 'Always')));
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('unknown field "spec.template.spec.containers[0].imagePullPolcy"');
  });

  it('refuses a value of the wrong type and an unparsable quantity', async () => {
    const wrongType = await check(await apiDeploymentWith((deployment) => ((deployment.spec as Record<string, unknown>).replicas = 'two')));
    expect(wrongType.exitCode).toBe(1);
    expect(wrongType.output).toMatch(/Deployment\/uplift-api: .*cannot unmarshal string into Go struct field .*replicas of type int32/);
    const badQuantity = await check(
      await apiDeploymentWith((deployment) => (podSpec(deployment).containers[0].resources = { requests: { cpu: 'lots', memory: '1Gi' } })),
    );
    expect(badQuantity.exitCode).toBe(1);
    expect(badQuantity.output).toContain('quantities must match the regular expression');
  });

  it('refuses a kind it has no type for, a broken reference and a container without probes or limits', async () => {
    const file = await apiDeploymentWith((deployment) => {
      const container = podSpec(deployment).containers[0];
      delete container.livenessProbe;
      container.resources = { requests: { cpu: '100m', memory: '128Mi' } };
      // envFrom keeps naming the generated ConfigMap, which this set does not hold.
    });
    await fs.appendFile(file, '\n---\n' + JSON.stringify({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'm' } }));
    const result = await check(file);
    expect(result.exitCode).toBe(1);
    const lines = result.output.trim().split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/ServiceMonitor\/m: no schema for this kind/),
        expect.stringMatching(/container "api": needs a readiness and a liveness probe/),
        expect.stringMatching(/container "api": resources.limits.memory is required/),
        expect.stringMatching(/ConfigMap "uplift-config-[a-z0-9]+" \(envFrom of api\) does not exist/),
      ]),
    );
  });

  it('refuses a kustomization that does not render', async () => {
    await fs.writeFile(path.join(dir, 'kustomization.yaml'), 'resources:\n  - missing.yaml\n');
    const result = await runK8sValidator(binary, [dir], { cwd: root });
    expect(result.exitCode).toBe(1);
    expect(result.output).toContain('missing.yaml');
  });

  it('refuses a variable the app does not read, checked against the list libs/config reads', async () => {
    const variables = await variablesTheAppReads(root);
    for (const name of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SMTP_URL', 'PUBLIC_URL', 'HOST', 'PORT', 'JWT_SECRET', 'TEMPORAL_PAYLOAD_KEYS']) {
      expect(variables).toContain(name);
    }
    // An overlay of the real base that misspells one setting.
    await fs.writeFile(
      path.join(dir, 'kustomization.yaml'),
      [
        'resources:',
        // kustomize takes a base by a relative path only.
        `  - ${path.relative(dir, path.join(root, 'infra/k8s/base'))}`,
        'configMapGenerator:',
        '  - name: uplift-config',
        '    behavior: merge',
        '    literals:',
        '      - PUBLIC_ULR=https://uplift.example.org',
        '',
      ].join('\n'),
    );
    const result = await validateK8sManifests(root, () => undefined, [dir]);
    expect(result.problems).toEqual([expect.stringMatching(/ConfigMap\/uplift-config-[a-z0-9]+ sets PUBLIC_ULR, which the app does not read/)]);
  });
});
