import { IsNull, LessThan, MoreThan, type DataSource, type EntityManager } from 'typeorm';
import { SessionEntity } from '../entities';
import { isUuid } from './ids';

/** Browser sessions: started at log-in, looked up on every cookie-authenticated request, revoked at log-out. */
export class SessionRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get rows() {
    return this.dataSource.getRepository(SessionEntity);
  }

  /** Records a new session, and deletes the ones already expired (they can never be used again). */
  async start(session: { id: string; personId: string; createdAt: Date; expiresAt: Date }): Promise<SessionEntity> {
    await this.rows.delete({ expiresAt: LessThan(session.createdAt) });
    return this.rows.save(this.rows.create({ ...session, revokedAt: null }));
  }

  /** The session if it is the person's, not revoked and not expired at `now`; otherwise null. */
  async findActive(id: string, personId: string, now: Date = new Date()): Promise<SessionEntity | null> {
    if (!isUuid(id) || !isUuid(personId)) return null;
    return this.rows.findOneBy({ id, personId, revokedAt: IsNull(), expiresAt: MoreThan(now) });
  }

  /** Ends the session; false when it was unknown or already ended. */
  async revoke(id: string, at: Date = new Date()): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.rows.update({ id, revokedAt: IsNull() }, { revokedAt: at });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Ends every open session of the person (a withdrawn log-in, a password reset); `manager`: the caller's
   * transaction, so the sessions end with the change that ends them. Returns how many were open.
   */
  async revokeAllOf(personId: string, at: Date = new Date(), manager?: EntityManager): Promise<number> {
    if (!isUuid(personId)) return 0;
    const rows = manager ? manager.getRepository(SessionEntity) : this.rows;
    const result = await rows.update({ personId, revokedAt: IsNull(), expiresAt: MoreThan(at) }, { revokedAt: at });
    return result.affected ?? 0;
  }
}
