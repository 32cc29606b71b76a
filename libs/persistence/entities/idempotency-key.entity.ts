import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One `Idempotency-Key` of one person for one method and path: the request it was first used with (a hash) and,
 * once that request finished with an answer below 500, the answer to replay. See IdempotencyRepository.
 */
@Entity({ name: 'idempotency_keys' })
export class IdempotencyKeyEntity {
  @PrimaryColumn({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  method!: string;

  /** The request's path without its query (the query is part of the fingerprint). */
  @PrimaryColumn({ type: 'text' })
  path!: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'varchar', length: 200 })
  key!: string;

  /** SHA-256 (hex) of what the request asked: query, body (the raw bytes of an upload), file name and type. */
  @Column({ type: 'char', length: 64 })
  fingerprint!: string;

  /** Names the request holding the key, so only it completes or releases the row. */
  @Column({ name: 'claim_token', type: 'uuid' })
  claimToken!: string;

  /**
   * Names the request's business operation across its attempts (a Temporal Update is sent under it): a retry that
   * takes over the claim of a dead process keeps it, so an operation the dead attempt carried out is not done twice.
   */
  @Column({ name: 'operation_id', type: 'uuid' })
  operationId!: string;

  /**
   * The API process that holds the claim: it keeps the PostgreSQL advisory lock (IDEMPOTENCY_OWNER_LOCK_CLASS, this
   * key) while it lives. Null for claims made before owners were recorded (judged by their age alone).
   */
  @Column({ name: 'owner_key', type: 'integer', nullable: true })
  ownerKey!: number | null;

  /** The answer's status; null while the first request is still running. */
  @Column({ name: 'status_code', type: 'integer', nullable: true })
  statusCode!: number | null;

  /** The handler's answer (2xx) or the refusal as raised (4xx), as JSON; null for an empty answer. */
  @Column({ name: 'response_body', type: 'json', nullable: true })
  responseBody!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;
}
