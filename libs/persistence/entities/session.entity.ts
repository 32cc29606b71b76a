import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A browser session («сеанс»): started by `POST /api/auth/session`, its id is the `sid` of the JWT in the session
 * cookie. Ending it (log-out) sets revoked_at, so the cookie stops working even if replayed before it expires.
 */
@Entity({ name: 'sessions' })
export class SessionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'person_id', type: 'uuid' })
  personId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The JWT's expiry: the session ends then at the latest. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;
}
