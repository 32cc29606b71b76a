import { Injectable, type LoggerService } from '@nestjs/common';
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import pino, { type Level, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type ServiceName = 'uplift-api' | 'uplift-worker';

/**
 * The process's JSON log on stdout: one object per line with `time` (ISO 8601), `level` (its name), `service`,
 * `msg`, and the fields of the call (`context`, `requestId`, a workflow's or an activity's ids, `err`).
 */
export function createLogger(service: ServiceName, level: LevelWithSilent): PinoLogger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/**
 * Nest's start-up chatter (each module loaded, each route mapped) is for whoever debugs the wiring, not for the
 * operator: these contexts log at debug rather than info.
 */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

/** The Nest context a `log(message, ...params)` call names: its last string parameter. */
function contextOf(optionalParams: unknown[]): string | undefined {
  const last = optionalParams[optionalParams.length - 1];
  return typeof last === 'string' ? last : undefined;
}

/** The API's Nest logger (nestjs-pino's, so that lines logged during a request carry its `requestId`). */
@Injectable()
export class ApiNestLogger extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = contextOf(optionalParams);
    if (context && WIRING_CONTEXTS.has(context)) super.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}

/** The worker's Nest logger: Nest's calls written to pino, `context` as a field. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: PinoLogger) {}

  private write(level: Level, message: unknown, optionalParams: unknown[]): void {
    const context = contextOf(optionalParams);
    const params = context === undefined ? optionalParams : optionalParams.slice(0, -1);
    const fields: Record<string, unknown> = context ? { context } : {};
    // Nest's error(message, stack, context): the stack is the parameter left over.
    if (level === 'error' && typeof params[0] === 'string') fields.stack = params[0];
    if (message instanceof Error) this.logger[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.logger[level]({ ...fields, ...message });
    else this.logger[level](fields, String(message));
  }

  log(message: unknown, ...optionalParams: unknown[]): void {
    const context = contextOf(optionalParams);
    this.write(context && WIRING_CONTEXTS.has(context) ? 'debug' : 'info', message, optionalParams);
  }
  error(message: unknown, ...optionalParams: unknown[]): void {
    this.write('error', message, optionalParams);
  }
  warn(message: unknown, ...optionalParams: unknown[]): void {
    this.write('warn', message, optionalParams);
  }
  debug(message: unknown, ...optionalParams: unknown[]): void {
    this.write('debug', message, optionalParams);
  }
  verbose(message: unknown, ...optionalParams: unknown[]): void {
    this.write('trace', message, optionalParams);
  }
  fatal(message: unknown, ...optionalParams: unknown[]): void {
    this.write('fatal', message, optionalParams);
  }
}

/** Messages the Temporal SDK logs at INFO that say nothing about the work: the bundle's size, an unused poller. */
const SDK_CHATTER = new Set(['Workflow bundle created', 'No Nexus services registered, not polling for Nexus tasks']);

const PINO_LEVEL: Record<TemporalLogLevel, Level> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/**
 * The Temporal Runtime's logger writing to pino: the SDK's own lines, workflow and activity `log` calls, and the
 * native core's lines when forwarded. Activity lines carry their ids and the request id (see temporal-request-id).
 */
export function temporalRuntimeLogger(logger: PinoLogger): TemporalLogger {
  const sdk = logger.child({ context: 'Temporal' });
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata): void => {
    const target = level === 'INFO' && SDK_CHATTER.has(message) ? 'debug' : PINO_LEVEL[level];
    if (!sdk.isLevelEnabled(target)) return;
    const { error, failure, ...fields } = (meta ?? {}) as LogMetadata & { error?: unknown; failure?: unknown };
    const err = error instanceof Error ? error : failure instanceof Error ? failure : undefined;
    sdk[target]({ ...fields, ...(err ? { err } : error !== undefined ? { error } : {}), ...(failure !== undefined && failure !== err ? { failure } : {}) }, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
