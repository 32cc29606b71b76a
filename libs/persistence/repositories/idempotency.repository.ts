import { IsNull, LessThanOrEqual, type DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities/idempotency-key.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  now: Date;
  expiresAt: Date;
  /**
   * A claim still unfinished that started at or before this moment was abandoned (its process died mid-request): a
   * retry of the same request may take it over rather than wait for the key to expire.
   */
  abandonedBefore: Date;
}

export type IdempotencyClaim =
  | { claimed: true }
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
   * row exists (ON CONFLICT DO NOTHING), and taking over an expired or abandoned row is one UPDATE whose condition
   * PostgreSQL re-checks after a concurrent one committed. Otherwise the row as found, for the caller to judge.
   */
  async claim(request: IdempotencyClaimRequest): Promise<IdempotencyClaim> {
    const { personId, method, path, key, fingerprint, claimToken, now, expiresAt, abandonedBefore } = request;
    if (!UUID.test(personId)) throw new Error(`idempotency key of a person without a uuid: ${personId}`);
    const inserted = (await this.dataSource.query(
      `INSERT INTO idempotency_keys (person_id, method, path, idempotency_key, fingerprint, claim_token, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (person_id, method, path, idempotency_key) DO NOTHING
       RETURNING claim_token`,
      [personId, method, path, key, fingerprint, claimToken, now, expiresAt],
    )) as unknown[];
    if (inserted.length > 0) return { claimed: true };
    const takenOver = (await this.dataSource.query(
      `WITH taken AS (
         UPDATE idempotency_keys
            SET fingerprint = $5, claim_token = $6, created_at = $7, expires_at = $8,
                status_code = NULL, response_body = NULL, completed_at = NULL
          WHERE person_id = $1 AND method = $2 AND path = $3 AND idempotency_key = $4
            AND (expires_at <= $7 OR (status_code IS NULL AND created_at <= $9 AND fingerprint = $5))
         RETURNING claim_token)
       SELECT claim_token FROM taken`,
      [personId, method, path, key, fingerprint, claimToken, now, expiresAt, abandonedBefore],
    )) as unknown[];
    if (takenOver.length > 0) return { claimed: true };
    return { claimed: false, existing: await this.find(request) };
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
