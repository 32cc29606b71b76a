import { DEFAULT_MAX_CACHED_WORKFLOWS } from './worker-defaults';
import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import path from 'node:path';
import { projectRoot } from '../../infra/support/project-root';
import { TASK_QUEUE_DEFAULT } from '../contracts/deadline-task';
import { parsePayloadKeys, PayloadKeyRingError, type PayloadKey } from '../temporal-codec/payload-keys';

const toBool = ({ value }: { value: unknown }) => (value === undefined ? undefined : value === 'true' || value === '1');
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/**
 * Signs tokens only where `UPLIFT_DEV=1` (set by `npm start`) or `NODE_ENV=test` (jest): fixed, so the API and the
 * worker and several API processes agree. Anywhere else JWT_SECRET must be set, and not to this value.
 */
export const DEV_JWT_SECRET = 'uplift-development-secret-never-use-in-production';
export const DEV_DEMO_PASSWORD = 'uplift-demo';
/** Signs audit checkpoints only in development and tests, like DEV_JWT_SECRET; anywhere else AUDIT_CHECKPOINT_KEY must be set. */
export const DEV_AUDIT_CHECKPOINT_KEY = 'uplift-development-audit-checkpoint-key-never-use-in-production';
export const AUDIT_CHECKPOINT_INTERVAL_DEFAULT = '5m';
/**
 * Encrypts Temporal payloads only where `UPLIFT_DEV=1` or `NODE_ENV=test`, like DEV_JWT_SECRET: fixed, so that the API,
 * the worker and a restarted `npm start` read what the others wrote. Anywhere else TEMPORAL_PAYLOAD_KEYS must be set,
 * and must not contain this key.
 */
export const DEV_TEMPORAL_PAYLOAD_KEYS = 'dev:RcA3gyx0KMQf+/tUZjuoXvvtnzM5+5f85qPSDUs2UwQ=';
/** The Temporal Web UI of `npm start` (TEMPORAL_UI_PORT 8233), by either name of the machine. */
export const DEV_TEMPORAL_UI_ORIGINS = 'http://localhost:8233,http://127.0.0.1:8233';
/** A duration as DURATION, or 0 (off). */
const DURATION_OR_OFF = /^(0|[1-9]\d*[smhd]?)$/;

const TTL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION = /^[1-9]\d*[smhd]?$/;

/** '900', '45s', '30m', '8h', '2d' in seconds (the string has matched DURATION). */
function durationSeconds(value: string): number {
  return Number.parseInt(value, 10) * (TTL_UNITS[value.slice(-1)] ?? 1);
}

/**
 * The longest a token may live: it names a session that log-out and a password change end, but a token copied out
 * of a browser stays usable until then, so a "never expires" value is refused at boot.
 */
export const JWT_TTL_MAX_SECONDS = 30 * 86_400;

/** Log-in protection; `loadConfig` reads each from the environment (LOGIN_*), hand-built configs get these. */
export interface LoginProtection {
  /** Attempts per minute from one client address (429 beyond). */
  perAddressPerMinute: number;
  /** Attempts per minute for one e-mail, from any address (429 beyond). */
  perAccountPerMinute: number;
  /** Wrong passwords within `failureWindowSeconds` that lock the e-mail's log-in for `lockoutSeconds`. */
  maxFailures: number;
  failureWindowSeconds: number;
  lockoutSeconds: number;
}

export const LOGIN_PROTECTION_DEFAULTS: LoginProtection = {
  // Generous per address: a ministry's whole office may log in at 9:00 through one NAT address.
  perAddressPerMinute: 60,
  perAccountPerMinute: 10,
  maxFailures: 10,
  failureWindowSeconds: 15 * 60,
  lockoutSeconds: 15 * 60,
};

export const HISTORY_ARCHIVE_INTERVAL_MS_DEFAULT = 5000;

/** Every variable the API and the worker read. Unset optional ones fall back to the development defaults. */
class Environment {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL!: string;

  @IsString()
  @Matches(/^[^:\s]+:\d+$/, { message: 'TEMPORAL_ADDRESS must be host:port, e.g. 127.0.0.1:7233' })
  TEMPORAL_ADDRESS = '127.0.0.1:7233';

  @IsString()
  TEMPORAL_NAMESPACE = 'default';

  @IsString()
  TEMPORAL_TASK_QUEUE = TASK_QUEUE_DEFAULT;

  /**
   * AES-256-GCM keys of Temporal payload encryption: `id:base64[,id:base64…]`, 32 bytes each; the first encrypts, all
   * decrypt (see libs/temporal-codec). The same in every API and worker process of one installation.
   */
  @IsOptional()
  @IsString()
  TEMPORAL_PAYLOAD_KEYS?: string;

  /** Origins of the Temporal Web UI allowed to call /api/temporal-codec (CORS with credentials), comma-separated. */
  @IsOptional()
  @Matches(/^\s*https?:\/\/[^/\s,]+\s*(,\s*https?:\/\/[^/\s,]+\s*)*$/, {
    message: 'TEMPORAL_UI_ORIGINS must be origins such as https://temporal.example.org, separated by commas (no path)',
  })
  TEMPORAL_UI_ORIGINS?: string;

  @Matches(/^smtps?:\/\/.+/, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL!: string;

  @IsString()
  MAIL_FROM = 'Uplift <no-reply@uplift.local>';

  @IsString()
  MAIL_MESSAGE_ID_DOMAIN = 'uplift.local';

  @Matches(/^https?:\/\/[^\s]+[^/]$/, { message: 'PUBLIC_URL must be an http(s) URL without a trailing slash' })
  PUBLIC_URL = 'http://localhost:3000';

  @Transform(toInt)
  @IsInt({ message: 'PORT must be a whole number' })
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '127.0.0.1';

  /**
   * Which proxies in front of the API to believe about the client's address and scheme (X-Forwarded-For/-Proto):
   * empty (default) none, `true` any, a number of hops, or addresses and networks separated by commas
   * (`10.0.0.0/8,127.0.0.1`). The log-in rate limits count per client address, so behind a proxy this must be set,
   * or every client counts as the proxy.
   */
  @Matches(/^(|true|false|\d{1,2}|[0-9a-fA-F:.\/]+(,[0-9a-fA-F:.\/]+)*)$/, {
    message: 'TRUST_PROXY must be empty, true, false, a number of hops, or addresses/networks separated by commas',
  })
  TRUST_PROXY = '';

  /**
   * The built web app (`npm run build:web`) the API serves at `/`; a relative path is taken from the current
   * folder. Default: apps/web/dist of the project. Nothing is served when it holds no index.html.
   */
  @IsOptional()
  @IsString()
  WEB_DIST_DIR?: string;

  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  SEED_DEMO = false;

  /** How long the API waits for a workflow to answer an Update (the worker may be down) before answering 503. */
  @Transform(toInt)
  @IsInt({ message: 'TEMPORAL_UPDATE_TIMEOUT_MS must be a whole number' })
  @Min(100)
  TEMPORAL_UPDATE_TIMEOUT_MS = 15_000;

  /**
   * Workflows kept in the worker's memory between activations. Tasks sleep for weeks, so most need not stay
   * cached: an evicted one is replayed from its history when its next timer fires. But on a deadline day every
   * task due falls due together, and a cache smaller than that wave replays each workflow at each of its steps (with
   * 250, a 500-task burst sent 11 e-mails a second; with 2,000, 28, both before LIGHT_EVENTS). Each cached workflow
   * costs about 0.6 MiB (the worker's RSS: 746 MiB with 500 cached, 1,650 MiB with 2,000), and a wave larger than
   * the cache churns the heap besides (1,000 tasks: 1,043 MiB with 500 cached, 1,242 MiB with 800): 500 keeps a
   * worker about its 1 GiB; a larger wave is spread over more workers.
   */
  @Transform(toInt)
  @IsInt({ message: 'WORKER_MAX_CACHED_WORKFLOWS must be a whole number' })
  @Min(0)
  WORKER_MAX_CACHED_WORKFLOWS = DEFAULT_MAX_CACHED_WORKFLOWS;

  /**
   * A directory of workflow bundles built with the code (`npm run build:workflows`, done by the image's build): the
   * worker loads its bundle from there instead of bundling the workflows with webpack as it starts, which takes
   * seconds and leaves webpack in the worker's memory. Unset, the worker bundles them itself (development, tests).
   */
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'WORKFLOW_BUNDLE_DIR must name a directory' })
  WORKFLOW_BUNDLE_DIR?: string;

  /**
   * How often the worker copies closed workflow histories into PostgreSQL (Temporal deletes them after its
   * retention period; auditors' exports need them for years). 0 turns the archiver off in this process.
   */
  @Transform(toInt)
  @IsInt({ message: 'HISTORY_ARCHIVE_INTERVAL_MS must be a whole number' })
  @Min(0)
  HISTORY_ARCHIVE_INTERVAL_MS = HISTORY_ARCHIVE_INTERVAL_MS_DEFAULT;

  /** Requests with a larger body are refused with 413 before they reach validation. */
  @Transform(toInt)
  @IsInt({ message: 'MAX_BODY_BYTES must be a whole number' })
  @Min(1024)
  MAX_BODY_BYTES = 64 * 1024;

  /**
   * Lets a cycle be launched on a compressed calendar (a real day lasting seconds). For tests and demonstrations
   * only: a compressed cycle's deadlines are not the law's.
   */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  ALLOW_COMPRESSED_CALENDAR = false;

  /** Development defaults for the secret and the demo password (`npm start` sets it). */
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  UPLIFT_DEV = false;

  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  /** HS256 key of the access tokens; the same in every API and worker process of one installation. */
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters (e.g. openssl rand -base64 48)' })
  JWT_SECRET?: string;

  /** Access token lifetime: seconds, or a number with s, m, h or d; at most JWT_TTL_MAX_SECONDS. */
  @Matches(DURATION, { message: 'JWT_TTL must be a positive number of seconds, or e.g. 30m, 8h, 1d' })
  JWT_TTL = '8h';

  /** Log-in attempts (POST /api/auth/login and /session) one client address may make per minute before 429. */
  @Transform(toInt)
  @IsInt({ message: 'LOGIN_RATE_PER_ADDRESS must be a whole number' })
  @Min(1)
  LOGIN_RATE_PER_ADDRESS = LOGIN_PROTECTION_DEFAULTS.perAddressPerMinute;

  /** Log-in attempts for one e-mail per minute, from any address, before 429. */
  @Transform(toInt)
  @IsInt({ message: 'LOGIN_RATE_PER_ACCOUNT must be a whole number' })
  @Min(1)
  LOGIN_RATE_PER_ACCOUNT = LOGIN_PROTECTION_DEFAULTS.perAccountPerMinute;

  /** Wrong passwords for one e-mail within LOGIN_FAILURE_WINDOW that lock its log-in for LOGIN_LOCKOUT. */
  @Transform(toInt)
  @IsInt({ message: 'LOGIN_MAX_FAILURES must be a whole number' })
  @Min(1)
  LOGIN_MAX_FAILURES = LOGIN_PROTECTION_DEFAULTS.maxFailures;

  @Matches(DURATION, { message: 'LOGIN_FAILURE_WINDOW must be a positive number of seconds, or e.g. 15m' })
  LOGIN_FAILURE_WINDOW = '15m';

  @Matches(DURATION, { message: 'LOGIN_LOCKOUT must be a positive number of seconds, or e.g. 15m' })
  LOGIN_LOCKOUT = '15m';

  /** How long an Idempotency-Key of a write request replays its first answer (then the key may be used afresh). */
  @Matches(DURATION, { message: 'IDEMPOTENCY_KEY_TTL must be a positive number of seconds, or e.g. 24h' })
  IDEMPOTENCY_KEY_TTL = '24h';

  /** How long a four-eyes request (launch, cancel, a deadline override for everyone) waits for a second person. */
  @Matches(DURATION, { message: 'CYCLE_ACTION_TTL must be a positive number of seconds, or e.g. 72h' })
  CYCLE_ACTION_TTL = '72h';

  /** bcrypt cost of stored passwords (each +1 doubles the time of a log-in). */
  @Transform(toInt)
  @IsInt({ message: 'BCRYPT_COST must be a whole number' })
  @Min(4)
  @Max(15)
  BCRYPT_COST = 10;

  /**
   * HMAC-SHA256 key of the audit log's checkpoints; the same for every worker (which signs) and API process (which
   * verifies). Keep it out of the database's reach: whoever holds it and can write the checkpoint file can forge them.
   */
  @IsOptional()
  @IsString()
  AUDIT_CHECKPOINT_KEY?: string;

  /** Where the append-only checkpoint file lives; a relative path is taken from the current folder. Default: .data/audit-checkpoints of the project. */
  @IsOptional()
  @IsString()
  AUDIT_CHECKPOINT_DIR?: string;

  /** How often the worker signs the audit log's head: seconds, or a number with s, m, h or d; 0 turns it off in that process. */
  @Matches(DURATION_OR_OFF, { message: 'AUDIT_CHECKPOINT_INTERVAL must be 0 or a positive number of seconds, or e.g. 5m' })
  AUDIT_CHECKPOINT_INTERVAL = AUDIT_CHECKPOINT_INTERVAL_DEFAULT;

  /** Level of the JSON logs on stdout: trace, debug, info (default), warn, error, fatal or silent. */
  @Matches(/^(trace|debug|info|warn|error|fatal|silent)$/, {
    message: 'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent',
  })
  LOG_LEVEL = 'info';

  /**
   * Port of this process's Prometheus endpoint (`GET /metrics`), never the public API's port. Default: the worker
   * 9464, the API 9465 (so that both fit on one machine); 0 turns it off. Under jest (NODE_ENV=test) off unless set.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt({ message: 'METRICS_PORT must be a whole number' })
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /** Address the metrics endpoint listens on: all interfaces by default, for Prometheus to reach the pod. */
  @IsString()
  METRICS_HOST = '0.0.0.0';

  /**
   * Loopback port where the Temporal SDK's own exporter serves its metrics inside the worker; the worker's /metrics
   * appends them, so only METRICS_PORT needs scraping.
   */
  @Transform(toInt)
  @IsInt({ message: 'TEMPORAL_SDK_METRICS_PORT must be a whole number' })
  @Min(1)
  @Max(65535)
  TEMPORAL_SDK_METRICS_PORT = 9466;

  /** OTLP/HTTP collector (e.g. http://otel-collector:4318): traces are exported there; unset, tracing is off. */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** Password of the seeded demo users; outside development they get one only when this is set. */
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'DEMO_PASSWORD must be at least 8 characters' })
  DEMO_PASSWORD?: string;
}

export interface AppConfig {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string; maxCachedWorkflows: number; updateTimeoutMs: number;
    /** Optional so that hand-built configs (tests) need not name it; loadConfig always sets it. */
    historyArchiveIntervalMs?: number;
    /** Prebuilt workflow bundles (WORKFLOW_BUNDLE_DIR); without it the worker bundles its workflows as it starts. */
    workflowBundleDir?: string;
    /**
     * Payload encryption keys, the first encrypting. Optional so that hand-built configs (tests) need not name it:
     * temporalPayloadKeys() then gives the development key. loadConfig always sets it.
     */
    payloadKeys?: PayloadKey[];
    /** Origins of the Temporal Web UI that may call the codec endpoint; none when absent. */
    uiOrigins?: string[] };
  mail: { smtpUrl: string; from: string; messageIdDomain: string };
  publicUrl: string;
  http: { port: number; host: string; maxBodyBytes: number;
    /** Fastify's `trustProxy`; optional so that hand-built configs (tests) need not name it (no proxy trusted). */
    trustProxy?: boolean | number | string[] };
  /** Optional so that hand-built configs (tests) need not name it: the API then serves `defaultWebDistDir()`. */
  web?: { distDir: string };
  seedDemo: boolean;
  /**
   * The audit log's signed checkpoints. Optional so that hand-built configs (tests) need not name it: the API then
   * verifies the chain without checkpoints and the worker writes none. loadConfig always sets it.
   */
  audit?: AuditCheckpointConfig;
  /** Optional so that hand-built configs (tests) need not name it: LOGIN_PROTECTION_DEFAULTS then apply. */
  loginProtection?: LoginProtection;
  /** Seconds an Idempotency-Key is kept; optional so that hand-built configs (tests) need not name it (24 h then). */
  idempotencyKeyTtlSeconds?: number;
  /** Seconds a four-eyes request on a cycle may be confirmed; optional so that hand-built configs (tests) need not name it (72 h then). */
  cycleActionTtlSeconds?: number;
  /**
   * Logs, metrics and traces. Optional so that hand-built configs (tests) need not name it: logs then go out at
   * `warn`, no metrics endpoint is opened and nothing is traced. loadConfig always sets it.
   */
  observability?: ObservabilityConfig;
  /** Cycles may run on a compressed calendar (tests, demonstrations). */
  allowCompressedCalendar: boolean;
  auth: {
    jwtSecret: string;
    jwtTtlSeconds: number;
    bcryptCost: number;
    /** Password of the seeded demo users; undefined: they get roles but no log-in. */
    demoPassword?: string;
  };
}

export interface ObservabilityConfig {
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Absent: this process opens no metrics endpoint. */
  metrics?: { host: string;
    /** Undefined: the process's own default (worker 9464, API 9465). */
    port?: number;
    temporalSdkPort: number };
  /** OTLP/HTTP endpoint of a collector; absent: no tracing at all. */
  otlpEndpoint?: string;
}

/** The metrics port of a process: METRICS_PORT when set, else the process's default; undefined when turned off. */
export function metricsPort(config: Pick<AppConfig, 'observability'>, processDefault: number): number | undefined {
  const metrics = config.observability?.metrics;
  if (!metrics) return undefined;
  const port = metrics.port ?? processDefault;
  return port === 0 ? undefined : port;
}

export interface AuditCheckpointConfig {
  checkpointDir: string;
  checkpointKey: string;
  /** 0: this process writes no checkpoints on a timer. */
  checkpointIntervalMs: number;
}

/** .data/audit-checkpoints of the project (or of the current folder when running from dist/). */
export function defaultAuditCheckpointDir(): string {
  let root: string;
  try {
    root = projectRoot(__dirname);
  } catch {
    root = process.cwd();
  }
  return path.join(root, '.data', 'audit-checkpoints');
}

/** The one rule for the checkpoint key, shared by loadConfig and the audit CLIs (which need no SMTP or Temporal). */
function auditCheckpointKeyProblem(key: string | undefined, development: boolean): string | undefined {
  if (key !== undefined && key.length < 32) return 'AUDIT_CHECKPOINT_KEY must be at least 32 characters (e.g. openssl rand -base64 48)';
  if (development) return undefined;
  if (!key) {
    return 'AUDIT_CHECKPOINT_KEY is required outside development (UPLIFT_DEV=1): the worker signs audit checkpoints with it, the API and audit:verify check them';
  }
  if (key === DEV_AUDIT_CHECKPOINT_KEY) return 'AUDIT_CHECKPOINT_KEY is the public development key; set a key of your own';
  return undefined;
}

/**
 * Under jest (NODE_ENV=test) there is no default directory: a developer's .data/audit-checkpoints belongs to the
 * development database, not to the test one, and would read as a truncated chain. Tests name a temporary one.
 */
function auditCheckpointSettings(
  dir: string | undefined,
  key: string | undefined,
  interval: string,
  nodeEnv: string | undefined,
): AuditCheckpointConfig | undefined {
  if (!dir && nodeEnv === 'test') return undefined;
  return {
    checkpointDir: dir ? path.resolve(dir) : defaultAuditCheckpointDir(),
    checkpointKey: key ?? DEV_AUDIT_CHECKPOINT_KEY,
    checkpointIntervalMs: interval === '0' ? 0 : durationSeconds(interval) * 1000,
  };
}

/**
 * The checkpoint settings alone, for `npm run audit:verify` and `audit:checkpoint`: same variables and rules as
 * loadConfig. Undefined under jest without AUDIT_CHECKPOINT_DIR.
 */
export function loadAuditCheckpointConfig(env: NodeJS.ProcessEnv = process.env): AuditCheckpointConfig | undefined {
  const value = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const development = value('UPLIFT_DEV') === 'true' || value('UPLIFT_DEV') === '1' || value('NODE_ENV') === 'test';
  const interval = value('AUDIT_CHECKPOINT_INTERVAL') ?? AUDIT_CHECKPOINT_INTERVAL_DEFAULT;
  const problems = [
    auditCheckpointKeyProblem(value('AUDIT_CHECKPOINT_KEY'), development),
    DURATION_OR_OFF.test(interval) ? undefined : 'AUDIT_CHECKPOINT_INTERVAL must be 0 or a positive number of seconds, or e.g. 5m',
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return auditCheckpointSettings(value('AUDIT_CHECKPOINT_DIR'), value('AUDIT_CHECKPOINT_KEY'), interval, value('NODE_ENV'));
}

/** The payload key ring a process encrypts with: the configured one, or the development key for hand-built configs. */
export function temporalPayloadKeys(config: Pick<AppConfig, 'temporal'>): PayloadKey[] {
  return config.temporal.payloadKeys ?? parsePayloadKeys(DEV_TEMPORAL_PAYLOAD_KEYS);
}

/** The one rule for TEMPORAL_PAYLOAD_KEYS: the parsed ring, or the problem (which names no key material). */
function payloadKeysSetting(text: string | undefined, development: boolean): { keys?: PayloadKey[]; problem?: string } {
  if (text === undefined) {
    if (development) return { keys: parsePayloadKeys(DEV_TEMPORAL_PAYLOAD_KEYS) };
    return {
      problem:
        'TEMPORAL_PAYLOAD_KEYS is required outside development (UPLIFT_DEV=1): every API and worker process encrypts ' +
        'Temporal payloads with it (id:base64-key, e.g. k1:$(openssl rand -base64 32))',
    };
  }
  let keys: PayloadKey[];
  try {
    keys = parsePayloadKeys(text);
  } catch (err) {
    if (err instanceof PayloadKeyRingError) return { problem: err.message };
    throw err;
  }
  if (!development) {
    const devKey = Buffer.from(parsePayloadKeys(DEV_TEMPORAL_PAYLOAD_KEYS)[0].key);
    const publicKey = keys.find((k) => devKey.equals(Buffer.from(k.key)));
    if (publicKey) return { problem: `TEMPORAL_PAYLOAD_KEYS: key '${publicKey.id}' is the public development key; set keys of your own` };
  }
  return { keys };
}

/** apps/web/dist of the project, whether running from sources or from dist/ (then from the current folder). */
export function defaultWebDistDir(): string {
  let root: string;
  try {
    root = projectRoot(__dirname);
  } catch {
    root = process.cwd();
  }
  return path.join(root, 'apps', 'web', 'dist');
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Fails fast at boot with every bad variable named, rather than at first use. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false });
  const development = parsed.UPLIFT_DEV || parsed.NODE_ENV === 'test';
  const lines = errors.map((e) => (e.constraints ? Object.values(e.constraints).join('; ') : `${e.property} is invalid`));
  const missing = errors.filter((e) => env[e.property] === undefined).map((e) => e.property);
  if (!development && !parsed.JWT_SECRET) {
    lines.push('JWT_SECRET is required outside development (UPLIFT_DEV=1): every API and worker process must share it');
    missing.push('JWT_SECRET');
  } else if (!development && parsed.JWT_SECRET === DEV_JWT_SECRET) {
    lines.push('JWT_SECRET is the public development secret; set a secret of your own');
  }
  const checkpointKeyProblem = auditCheckpointKeyProblem(parsed.AUDIT_CHECKPOINT_KEY, development);
  if (checkpointKeyProblem) lines.push(checkpointKeyProblem);
  if (!development && !parsed.AUDIT_CHECKPOINT_KEY) missing.push('AUDIT_CHECKPOINT_KEY');
  const payloadKeys = payloadKeysSetting(parsed.TEMPORAL_PAYLOAD_KEYS, development);
  if (payloadKeys.problem) lines.push(payloadKeys.problem);
  if (parsed.TEMPORAL_PAYLOAD_KEYS === undefined && payloadKeys.problem) missing.push('TEMPORAL_PAYLOAD_KEYS');
  if (DURATION.test(parsed.JWT_TTL) && durationSeconds(parsed.JWT_TTL) > JWT_TTL_MAX_SECONDS) {
    lines.push(`JWT_TTL must be at most ${JWT_TTL_MAX_SECONDS / 86_400}d (${JWT_TTL_MAX_SECONDS} seconds)`);
  }
  if (lines.length > 0) {
    throw new ConfigError(
      `invalid configuration:\n  ${lines.join('\n  ')}` + (missing.length ? `\n  (not set: ${missing.join(', ')})` : ''),
    );
  }
  return {
    databaseUrl: parsed.DATABASE_URL,
    temporal: {
      address: parsed.TEMPORAL_ADDRESS,
      namespace: parsed.TEMPORAL_NAMESPACE,
      taskQueue: parsed.TEMPORAL_TASK_QUEUE,
      maxCachedWorkflows: parsed.WORKER_MAX_CACHED_WORKFLOWS,
      ...(parsed.WORKFLOW_BUNDLE_DIR ? { workflowBundleDir: parsed.WORKFLOW_BUNDLE_DIR } : {}),
      updateTimeoutMs: parsed.TEMPORAL_UPDATE_TIMEOUT_MS,
      historyArchiveIntervalMs: parsed.HISTORY_ARCHIVE_INTERVAL_MS,
      payloadKeys: payloadKeys.keys,
      uiOrigins: (parsed.TEMPORAL_UI_ORIGINS ?? (development ? DEV_TEMPORAL_UI_ORIGINS : ''))
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    },
    mail: { smtpUrl: parsed.SMTP_URL, from: parsed.MAIL_FROM, messageIdDomain: parsed.MAIL_MESSAGE_ID_DOMAIN },
    publicUrl: parsed.PUBLIC_URL,
    http: { port: parsed.PORT, host: parsed.HOST, maxBodyBytes: parsed.MAX_BODY_BYTES, trustProxy: trustProxySetting(parsed.TRUST_PROXY) },
    web: { distDir: parsed.WEB_DIST_DIR ? path.resolve(parsed.WEB_DIST_DIR) : defaultWebDistDir() },
    seedDemo: parsed.SEED_DEMO,
    loginProtection: {
      perAddressPerMinute: parsed.LOGIN_RATE_PER_ADDRESS,
      perAccountPerMinute: parsed.LOGIN_RATE_PER_ACCOUNT,
      maxFailures: parsed.LOGIN_MAX_FAILURES,
      failureWindowSeconds: durationSeconds(parsed.LOGIN_FAILURE_WINDOW),
      lockoutSeconds: durationSeconds(parsed.LOGIN_LOCKOUT),
    },
    idempotencyKeyTtlSeconds: durationSeconds(parsed.IDEMPOTENCY_KEY_TTL),
    cycleActionTtlSeconds: durationSeconds(parsed.CYCLE_ACTION_TTL),
    allowCompressedCalendar: parsed.ALLOW_COMPRESSED_CALENDAR,
    observability: {
      logLevel: parsed.LOG_LEVEL as ObservabilityConfig['logLevel'],
      // Under jest many processes share one machine: a fixed default port would collide, so tests name theirs.
      metrics:
        parsed.NODE_ENV === 'test' && parsed.METRICS_PORT === undefined
          ? undefined
          : { host: parsed.METRICS_HOST, port: parsed.METRICS_PORT, temporalSdkPort: parsed.TEMPORAL_SDK_METRICS_PORT },
      otlpEndpoint: parsed.OTEL_EXPORTER_OTLP_ENDPOINT,
    },
    audit: auditCheckpointSettings(parsed.AUDIT_CHECKPOINT_DIR, parsed.AUDIT_CHECKPOINT_KEY, parsed.AUDIT_CHECKPOINT_INTERVAL, parsed.NODE_ENV),
    auth: {
      jwtSecret: parsed.JWT_SECRET ?? DEV_JWT_SECRET,
      jwtTtlSeconds: durationSeconds(parsed.JWT_TTL),
      bcryptCost: parsed.BCRYPT_COST,
      demoPassword: parsed.DEMO_PASSWORD ?? (development ? DEV_DEMO_PASSWORD : undefined),
    },
  };
}

/** TRUST_PROXY as Fastify takes it. */
export function trustProxySetting(value: string): boolean | number | string[] {
  const text = value.trim();
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return Number(text);
  return text.split(',').map((entry) => entry.trim());
}
