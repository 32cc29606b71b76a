import { randomInt, randomUUID } from 'node:crypto';
import { Client, type ClientConfig } from 'pg';
import { IsNull, LessThanOrEqual, type DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The class (first key) of the advisory locks that name live API processes: `pg_advisory_lock(7402313, owner_key)`,
 * held by one session of the process for its whole life. Other advisory locks of Uplift use single bigint keys.
 */
export const IDEMPOTENCY_OWNER_LOCK_CLASS = 7_402_313;
/** Owner keys are positive int4: they sit in pg_locks.objid (an oid) unchanged. */
const OWNER_KEY_MAX = 2 ** 31 - 1;
/** Random keys tried when the preferred one is held by another session (two processes drawing one key). */
const OWNER_KEY_ATTEMPTS = 8;
/**
 * After PostgreSQL restarts, every owner's lock is gone, the live ones' too, until their processes reconnect (within a
 * second or two): for this long after a restart an owner without its lock is not taken for dead.
 */
export const OWNER_RECONNECT_GRACE_SECONDS = 30;
/**
 * Server-side keepalive of an owner's session: if its API host vanishes without closing the connection (power, network),
 * PostgreSQL drops the session, and its lock, after about 10 + 3 × 5 seconds instead of the system's two hours.
 */
const OWNER_SESSION_SETTINGS = 'SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3';

/** Whose key it is and for which request: one person, one method and path, one key. */
export interface IdempotencyScope {
  personId: string;
  method: string;
  path: string;
  key: string;
}

export interface IdempotencyClaimRequest extends IdempotencyScope {
  fingerprint: string;
  /** Random, names this request as the key's holder. */
  claimToken: string;
  /** The owner key of this API process's session (IdempotencyOwnerSession): the claim lives as long as its lock. */
  ownerKey: number;
  now: Date;
  expiresAt: Date;
  /**
   * A claim still unfinished that started at or before this moment counts as abandoned whatever its owner: the
   * backstop for claims without an owner key, and for an owner whose death PostgreSQL has not noticed.
   */
  abandonedBefore: Date;
}

export type IdempotencyClaim =
  /**
   * `operationId` names the business operation; `resumed` is true when the claim was taken over from an attempt that
   * may have carried it out before its process died (the operation id is then that attempt's).
   */
  | { claimed: true; operationId: string; resumed: boolean }
  /** `existing` is null when the row went away between the attempts (expired and swept): the caller tries again. */
  | { claimed: false; existing: IdempotencyKeyEntity | null };

/**
 * Idempotency keys of write requests. A key is claimed atomically before the request runs (insert-if-absent), then
 * completed with the answer to replay, or released when the request failed in a way a retry may fix (5xx).
 */
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(IdempotencyKeyEntity);
  }

  /**
   * Claims the key for this request. Concurrent claims of one key cannot both win: the insert is a no-op when the
   * row exists (ON CONFLICT DO NOTHING), and taking a row over is one UPDATE whose condition PostgreSQL re-checks
   * after a concurrent one committed (the winner's owner lock is then held, so the loser finds the claim alive).
   * A row is taken over when it has expired (a new operation), or when it is the same request still unfinished and its
   * owner is dead: the owner's advisory lock is held by no session (and PostgreSQL has not just restarted), or the
   * claim is older than `abandonedBefore`. Otherwise the row as found, for the caller to judge.
   */
  async claim(request: IdempotencyClaimRequest): Promise<IdempotencyClaim> {
    const { personId, method, path, key, fingerprint, claimToken, ownerKey, now, expiresAt, abandonedBefore } = request;
    if (!UUID.test(personId)) throw new Error(`idempotency key of a person without a uuid: ${personId}`);
    const freshOperationId = randomUUID();
    const inserted = (await this.dataSource.query(
      `INSERT INTO idempotency_keys
         (person_id, method, path, idempotency_key, fingerprint, claim_token, owner_key, operation_id, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (person_id, method, path, idempotency_key) DO NOTHING
       RETURNING operation_id`,
      [personId, method, path, key, fingerprint, claimToken, ownerKey, freshOperationId, now, expiresAt],
    )) as unknown[];
    if (inserted.length > 0) return { claimed: true, operationId: freshOperationId, resumed: false };
    const takenOver = (await this.dataSource.query(
      `WITH taken AS (
         UPDATE idempotency_keys k
            SET fingerprint = $5, claim_token = $6, owner_key = $7, created_at = $9, expires_at = $10,
                operation_id = CASE WHEN k.expires_at <= $9 THEN $8::uuid ELSE k.operation_id END,
                status_code = NULL, response_body = NULL, completed_at = NULL
          WHERE k.person_id = $1 AND k.method = $2 AND k.path = $3 AND k.idempotency_key = $4
            AND (k.expires_at <= $9
                 OR (k.status_code IS NULL AND k.fingerprint = $5
                     AND (k.created_at <= $11
                          OR (k.owner_key IS NOT NULL
                              AND now() >= pg_postmaster_start_time() + make_interval(secs => $12)
                              AND NOT EXISTS (
                                SELECT 1 FROM pg_locks l
                                 WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                                   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                                   AND l.classid = $13::integer::oid AND l.objid = k.owner_key::oid)))))
         RETURNING k.operation_id)
       SELECT operation_id FROM taken`,
      [
        personId,
        method,
        path,
        key,
        fingerprint,
        claimToken,
        ownerKey,
        freshOperationId,
        now,
        expiresAt,
        abandonedBefore,
        OWNER_RECONNECT_GRACE_SECONDS,
        IDEMPOTENCY_OWNER_LOCK_CLASS,
      ],
    )) as { operation_id: string }[];
    if (takenOver.length > 0) {
      const operationId = takenOver[0].operation_id;
      return { claimed: true, operationId, resumed: operationId !== freshOperationId };
    }
    return { claimed: false, existing: await this.find(request) };
  }

  /**
   * Opens the session that names this API process as the owner of its claims: a connection of its own (not from the
   * pool, where it would be handed to other work) holding the advisory lock (IDEMPOTENCY_OWNER_LOCK_CLASS, key) until
   * the process ends. `preferredKey` is the key the process had before its session was lost; another is drawn when
   * that one is taken.
   */
  async openOwnerSession(preferredKey?: number): Promise<IdempotencyOwnerSession> {
    const client = new Client(this.ownerConnectionConfig());
    let markLost: (reason: string) => void = () => undefined;
    const lost = new Promise<string>((resolve) => (markLost = resolve));
    // An error on an idle connection is emitted, not thrown: without a listener it would end the process.
    client.on('error', (err) => markLost(err.message));
    client.on('end', () => markLost('connection ended'));
    try {
      await client.connect();
      await client.query(OWNER_SESSION_SETTINGS);
      const candidates = [...(preferredKey ? [preferredKey] : []), ...Array.from({ length: OWNER_KEY_ATTEMPTS }, () => randomInt(1, OWNER_KEY_MAX))];
      for (const candidate of candidates) {
        const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [
          IDEMPOTENCY_OWNER_LOCK_CLASS,
          candidate,
        ]);
        if (result.rows[0]?.locked) return new IdempotencyOwnerSession(client, candidate, lost);
      }
      throw new Error(`no free idempotency owner key after ${candidates.length} attempts`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
  }

  /** Moves the claims this process still runs to its new owner key (its old one was taken while it reconnected). */
  async changeOwner(claimTokens: readonly string[], ownerKey: number): Promise<void> {
    if (claimTokens.length === 0) return;
    await this.dataSource.query(`UPDATE idempotency_keys SET owner_key = $1 WHERE claim_token = ANY($2::uuid[]) AND status_code IS NULL`, [
      ownerKey,
      claimTokens,
    ]);
  }

  private ownerConnectionConfig(): ClientConfig {
    const options = this.dataSource.options as {
      url?: string;
      host?: string;
      port?: number;
      username?: string;
      password?: unknown;
      database?: string;
      ssl?: ClientConfig['ssl'];
    };
    return {
      connectionString: options.url,
      host: options.host,
      port: options.port,
      user: options.username,
      password: typeof options.password === 'string' ? options.password : undefined,
      database: options.database,
      ssl: options.ssl,
      application_name: 'uplift idempotency owner',
      keepAlive: true,
    };
  }

  async find(scope: IdempotencyScope): Promise<IdempotencyKeyEntity | null> {
    if (!UUID.test(scope.personId)) return null;
    return this.rows.findOneBy({ personId: scope.personId, method: scope.method, path: scope.path, key: scope.key });
  }

  /** Stores the answer to replay; false when this request no longer holds the key (taken over as abandoned). */
  async complete(scope: IdempotencyScope, claimToken: string, statusCode: number, body: unknown, at: Date = new Date()): Promise<boolean> {
    // Serialised here as the answer would be sent (toJSON, dates as ISO strings); an absent body is stored as NULL.
    const json = body === undefined ? null : JSON.stringify(body);
    const rows = (await this.dataSource.query(
      `WITH done AS (
         UPDATE idempotency_keys SET status_code = $6, response_body = $7::json, completed_at = $8
          WHERE person_id = $1 AND method = $2 AND path = $3 AND idempotency_key = $4
            AND claim_token = $5 AND status_code IS NULL
         RETURNING 1)
       SELECT count(*)::int AS completed FROM done`,
      [scope.personId, scope.method, scope.path, scope.key, claimToken, statusCode, json, at],
    )) as { completed: number }[];
    return (rows[0]?.completed ?? 0) > 0;
  }

  /** Frees the key so that a retry runs the request again (it failed with a server error, or its answer cannot be kept). */
  async release(scope: IdempotencyScope, claimToken: string): Promise<void> {
    await this.rows.delete({ ...this.criteria(scope), claimToken, statusCode: IsNull() });
  }

  /** Deletes the keys expired at `now`; returns how many. */
  async deleteExpired(now: Date = new Date()): Promise<number> {
    const result = await this.rows.delete({ expiresAt: LessThanOrEqual(now) });
    return result.affected ?? 0;
  }

  private criteria(scope: IdempotencyScope) {
    return { personId: scope.personId, method: scope.method, path: scope.path, key: scope.key };
  }
}

/**
 * One API process's claim-owner session: while it is connected, PostgreSQL holds its advisory lock, and the claims
 * stamped with `ownerKey` count as running. `lost` settles (with the reason) when the connection ends, whoever ended it.
 */
export class IdempotencyOwnerSession {
  constructor(
    private readonly client: Client,
    readonly ownerKey: number,
    readonly lost: Promise<string>,
  ) {}

  /** Ends the session; the lock goes with it. */
  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
