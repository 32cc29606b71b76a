import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { TASK_QUEUE_DEFAULT } from '../contracts/deadline-task';

const toBool = ({ value }: { value: unknown }) => (value === undefined ? undefined : value === 'true' || value === '1');
const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

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
   * cached: an evicted one is replayed from its short history when its next timer fires (~1 MiB each cached).
   */
  @Transform(toInt)
  @IsInt({ message: 'WORKER_MAX_CACHED_WORKFLOWS must be a whole number' })
  @Min(0)
  WORKER_MAX_CACHED_WORKFLOWS = 250;

  /** Requests with a larger body are refused with 413 before they reach validation. */
  @Transform(toInt)
  @IsInt({ message: 'MAX_BODY_BYTES must be a whole number' })
  @Min(1024)
  MAX_BODY_BYTES = 64 * 1024;
}

export interface AppConfig {
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string; maxCachedWorkflows: number; updateTimeoutMs: number };
  mail: { smtpUrl: string; from: string; messageIdDomain: string };
  publicUrl: string;
  http: { port: number; host: string; maxBodyBytes: number };
  seedDemo: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Fails fast at boot with every bad variable named, rather than at first use. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(Environment, defined, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) =>
      e.constraints ? Object.values(e.constraints).join('; ') : `${e.property} is invalid`,
    );
    const missing = errors.filter((e) => env[e.property] === undefined).map((e) => e.property);
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
      updateTimeoutMs: parsed.TEMPORAL_UPDATE_TIMEOUT_MS,
    },
    mail: { smtpUrl: parsed.SMTP_URL, from: parsed.MAIL_FROM, messageIdDomain: parsed.MAIL_MESSAGE_ID_DOMAIN },
    publicUrl: parsed.PUBLIC_URL,
    http: { port: parsed.PORT, host: parsed.HOST, maxBodyBytes: parsed.MAX_BODY_BYTES },
    seedDemo: parsed.SEED_DEMO,
  };
}
