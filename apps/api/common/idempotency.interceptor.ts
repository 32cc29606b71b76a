import {
  ConflictException,
  HttpException,
  Injectable,
  Logger,
  StreamableFile,
  UnprocessableEntityException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { from, isObservable, lastValueFrom, of, type Observable } from 'rxjs';
import type { AppConfig } from '../../../libs/config';
import {
  IdempotencyRepository,
  type IdempotencyClaim,
  type IdempotencyKeyEntity,
  type IdempotencyScope,
} from '../../../libs/persistence';
import { InjectConfig } from '../../../libs/platform';
import type { AuthUser } from '../auth/auth-user';
import { IS_PUBLIC_KEY } from '../auth/decorators';
import { ClaimOwnership } from './claim-ownership';
import {
  IDEMPOTENT_REPLAYED_HEADER,
  IDEMPOTENT_WRITE_METHODS,
  KEY_IN_PROGRESS_MESSAGE,
  KEY_REUSED_MESSAGE,
  parseIdempotencyKey,
  requestFingerprint,
  requestPath,
} from './idempotency-key';
import { runAsIdempotentOperation, type IdempotentOperation } from './idempotent-operation';

export const IDEMPOTENCY_KEY_TTL_SECONDS_DEFAULT = 24 * 3600;
/**
 * A claim unfinished for this long counts as abandoned even if its owner still looks alive: the backstop for claims
 * made before owners were recorded, and for a dead API host PostgreSQL has not noticed. A claim whose API process
 * died is taken over at once (ClaimOwnership). Far longer than any request of the API takes.
 */
const ABANDONED_AFTER_MS = 10 * 60 * 1000;
/** What the 409 for a request still running suggests: most writes finish within a second or two. */
const IN_PROGRESS_RETRY_AFTER_SECONDS = 2;
/** Expired keys are deleted at most this often per process, on the way of a request that uses a key. */
const SWEEP_EVERY_MS = 60 * 1000;
/** Claim attempts when the row found vanished in between (expired and swept by another process). */
const CLAIM_ATTEMPTS = 3;

/** Whether the handler's answer can be kept as JSON and replayed as it was sent. */
function isStorableAnswer(value: unknown): boolean {
  if (value instanceof StreamableFile || Buffer.isBuffer(value) || isObservable(value)) return false;
  if (value && typeof value === 'object' && typeof (value as { pipe?: unknown }).pipe === 'function') return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * `Idempotency-Key` on every write route (POST, PUT, PATCH, DELETE) but the @Public() ones: registered once, globally,
 * so a new endpoint is covered without code of its own. Guards run before interceptors, so log-in and CSRF checks
 * come first and the key belongs to the authenticated person (and to the method and path).
 * - The first request claims the key atomically, runs, and its answer is stored: a 2xx as the handler returned it, a
 *   4xx refusal as raised (the same request would be refused the same way). A 5xx releases the key for a retry.
 * - The same key and request again: the stored answer, same status, with `Idempotent-Replayed: true`, the handler
 *   not run. The same key with another request: 422. The first still running: 409 with Retry-After.
 * - The first's API process died mid-request (its owner lock gone, see ClaimOwnership): the retry takes the claim
 *   over at once and runs the handler as the same operation (IdempotentOperation), so work the dead attempt finished
 *   under the operation's id (a Temporal Update) is answered with its outcome rather than done again.
 * The answer is stored before it is sent, and independently of the client staying connected: a client that lost
 * the answer always finds it stored.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private readonly ttlMs: number;
  private readonly ownership: ClaimOwnership;
  private lastSweepAt = 0;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyRepository,
    @InjectConfig() config: AppConfig,
  ) {
    this.ttlMs = (config.idempotencyKeyTtlSeconds ?? IDEMPOTENCY_KEY_TTL_SECONDS_DEFAULT) * 1000;
    this.ownership = new ClaimOwnership(
      { open: (preferredKey) => keys.openOwnerSession(preferredKey), changeOwner: (tokens, ownerKey) => keys.changeOwner(tokens, ownerKey) },
      (message) => this.logger.warn(message),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.ownership.close();
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: AuthUser }>();
    const header = request.headers['idempotency-key'];
    if (header === undefined || !IDEMPOTENT_WRITE_METHODS.has(request.method)) return next.handle();
    // Anonymous routes (log-in) have no person to scope a key to.
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()])) return next.handle();
    if (!request.user) return next.handle();

    const scope: IdempotencyScope = {
      personId: request.user.personId,
      method: request.method,
      path: requestPath(request.url),
      key: parseIdempotencyKey(header),
    };
    const fingerprint = requestFingerprint(request);
    const reply = http.getResponse<FastifyReply>();
    this.sweepExpiredNowAndThen();

    const claimToken = randomUUID();
    const claim = await this.claim(scope, fingerprint, claimToken, reply);
    if (!claim.claimed) return this.answerFromStore(claim.existing, fingerprint, reply);
    if (claim.resumed) {
      this.logger.log(`${scope.method} ${scope.path}: retried after the API process running it died; resuming operation ${claim.operationId}`);
    }

    // Nest has set the route's status (201 for POST, or @HttpCode) before interceptors, and sends every answer the
    // handler returns with it: that is the status to replay.
    const status = reply.statusCode;
    const operation: IdempotentOperation = { id: claim.operationId, resumed: claim.resumed };
    return from(this.runAndKeep(next, scope, claimToken, operation, status));
  }

  /** The operation when this request holds the key now; otherwise the key's row as another request left it. */
  private async claim(
    scope: IdempotencyScope,
    fingerprint: string,
    claimToken: string,
    reply: FastifyReply,
  ): Promise<Extract<IdempotencyClaim, { claimed: true }> | { claimed: false; existing: IdempotencyKeyEntity }> {
    // This process's owner lock is held before its claim names it (a 503 while PostgreSQL is down, like the claim).
    const ownerKey = await this.ownership.ownerKey();
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt += 1) {
      const now = new Date();
      const result = await this.keys.claim({
        ...scope,
        fingerprint,
        claimToken,
        ownerKey,
        now,
        expiresAt: new Date(now.getTime() + this.ttlMs),
        abandonedBefore: new Date(now.getTime() - ABANDONED_AFTER_MS),
      });
      if (result.claimed) {
        this.ownership.started(claimToken);
        return result;
      }
      if (result.existing) return { claimed: false, existing: result.existing };
    }
    // Claimed, found gone, three times over: another request is contending for the key right now.
    throw this.inProgress(reply);
  }

  private answerFromStore(stored: IdempotencyKeyEntity, fingerprint: string, reply: FastifyReply): Observable<unknown> {
    if (stored.fingerprint !== fingerprint) throw new UnprocessableEntityException(KEY_REUSED_MESSAGE);
    if (stored.statusCode === null) throw this.inProgress(reply);
    void reply.header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    // The refusal raised again: the exception filter answers it exactly as it answered the first time.
    if (stored.statusCode >= 400) throw new HttpException(stored.responseBody as string | Record<string, unknown>, stored.statusCode);
    return of(stored.responseBody ?? undefined);
  }

  /** 409 with Retry-After (the exception filter keeps headers set on the reply). */
  private inProgress(reply: FastifyReply): ConflictException {
    void reply.header('Retry-After', String(IN_PROGRESS_RETRY_AFTER_SECONDS));
    return new ConflictException(KEY_IN_PROGRESS_MESSAGE);
  }

  /**
   * Runs the handler, as the claim's operation, and stores its outcome before the answer goes out. Subscribed here
   * rather than through the answer's stream, which Nest tears down when the client disconnects: the handler's work
   * would be done but its answer lost, and the retry would find the key claimed for good.
   */
  private async runAndKeep(
    next: CallHandler,
    scope: IdempotencyScope,
    claimToken: string,
    operation: IdempotentOperation,
    status: number,
  ): Promise<unknown> {
    try {
      let value: unknown;
      try {
        value = await runAsIdempotentOperation(operation, () => lastValueFrom(next.handle(), { defaultValue: undefined }));
      } catch (err) {
        if (err instanceof HttpException && err.getStatus() < 500) {
          await this.keep(scope, claimToken, err.getStatus(), err.getResponse());
        } else {
          await this.release(scope, claimToken);
        }
        throw err;
      }
      if (isStorableAnswer(value)) {
        await this.keep(scope, claimToken, status, value);
      } else {
        this.logger.warn(`${scope.method} ${scope.path}: the answer is not JSON and cannot be replayed; the key is released`);
        await this.release(scope, claimToken);
      }
      return value;
    } finally {
      this.ownership.finished(claimToken);
    }
  }

  /**
   * A failure to store is logged, not answered: the request itself has been carried out. The claim is kept, so a
   * retry gets 409 while this process lives rather than a second execution at once; once it has died (or the claim
   * counts as abandoned), a retry resumes the operation under its id.
   */
  private async keep(scope: IdempotencyScope, claimToken: string, status: number, body: unknown): Promise<void> {
    try {
      const kept = await this.keys.complete(scope, claimToken, status, body);
      if (!kept) this.logger.warn(`${scope.method} ${scope.path}: the key was taken over before the answer was stored`);
    } catch (err) {
      this.logger.error(`${scope.method} ${scope.path}: storing the answer failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async release(scope: IdempotencyScope, claimToken: string): Promise<void> {
    try {
      await this.keys.release(scope, claimToken);
    } catch (err) {
      // The claim then stays while this process lives (or until ABANDONED_AFTER_MS); a retry takes it over after.
      this.logger.error(`${scope.method} ${scope.path}: releasing the key failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Lazy clean-up: no timer to stop at shutdown, and no work at all on an API that sees no keys. */
  private sweepExpiredNowAndThen(): void {
    const now = Date.now();
    if (now - this.lastSweepAt < SWEEP_EVERY_MS) return;
    this.lastSweepAt = now;
    this.keys.deleteExpired(new Date(now)).then(
      (deleted) => {
        if (deleted > 0) this.logger.log(`deleted ${deleted} expired idempotency keys`);
      },
      (err: unknown) => this.logger.warn(`deleting expired idempotency keys failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  }
}
