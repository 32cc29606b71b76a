/** What ClaimOwnership needs of PostgreSQL (IdempotencyRepository provides it). */
export interface OwnerSessionSource {
  /** Opens a session holding this process's owner lock, under `preferredKey` when it is free. */
  open(preferredKey: number | undefined): Promise<OwnerSession>;
  /** Moves running claims to a new owner key. */
  changeOwner(claimTokens: readonly string[], ownerKey: number): Promise<void>;
}

export interface OwnerSession {
  readonly ownerKey: number;
  /** Settles with the reason once the session's connection is gone. */
  readonly lost: Promise<string>;
  close(): Promise<void>;
}

/** How soon a lost owner session is opened again while claims of this process are running. */
export const OWNER_RECONNECT_DELAY_MS = 1_000;

/**
 * This API process's standing as the owner of the idempotency claims it makes. One PostgreSQL session per process
 * holds an advisory lock under the process's owner key, and each claim is stamped with that key: while the process
 * lives the lock is held and its claims count as running; when it dies PostgreSQL drops the session, and a retry
 * may take its claims over at once. A lost session (PostgreSQL restarted) is opened again with the same key, at once
 * while claims are running, else on the next claim; should another process have drawn that key meanwhile, the running
 * claims move to the new one.
 */
export class ClaimOwnership {
  private session: OwnerSession | undefined;
  private opening: Promise<OwnerSession> | undefined;
  private lastKey: number | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Claim tokens of the requests this process is running now. */
  private readonly running = new Set<string>();

  constructor(
    private readonly sessions: OwnerSessionSource,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** The key to stamp a new claim with, once the session holding its lock is open (throws while PostgreSQL is down). */
  async ownerKey(): Promise<number> {
    if (this.closed) throw new Error('the API is shutting down');
    if (this.session) return this.session.ownerKey;
    this.opening ??= this.open().finally(() => (this.opening = undefined));
    return (await this.opening).ownerKey;
  }

  /** A claim of this process is running (until `finished`): it keeps the session reopened if it is lost meanwhile. */
  started(claimToken: string): void {
    this.running.add(claimToken);
  }

  finished(claimToken: string): void {
    this.running.delete(claimToken);
  }

  /** Ends the session, so that claims left running (none, once the server has drained) are free at once. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    await this.opening?.catch(() => undefined);
    await this.session?.close();
    this.session = undefined;
  }

  private async open(): Promise<OwnerSession> {
    const session = await this.sessions.open(this.lastKey);
    if (this.closed) {
      await session.close();
      throw new Error('the API is shutting down');
    }
    if (this.lastKey !== undefined && session.ownerKey !== this.lastKey && this.running.size > 0) {
      // Until they move, the running claims name a lock another process holds: they look alive, which is safe.
      await this.sessions.changeOwner([...this.running], session.ownerKey).catch((err: unknown) => {
        this.warn(`moving running claims to owner key ${session.ownerKey} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    this.lastKey = session.ownerKey;
    this.session = session;
    void session.lost.then((reason) => this.onLost(session, reason));
    return session;
  }

  private onLost(session: OwnerSession, reason: string): void {
    if (this.session !== session) return;
    this.session = undefined;
    if (this.closed) return;
    this.warn(`the idempotency owner session was lost (${reason}); ${this.running.size} claims running`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (this.closed || this.session || this.running.size === 0) return;
      this.ownerKey().catch(() => this.scheduleReconnect());
    }, OWNER_RECONNECT_DELAY_MS);
    this.reconnectTimer.unref();
  }
}
