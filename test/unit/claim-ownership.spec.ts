import { ClaimOwnership, OWNER_RECONNECT_DELAY_MS, type OwnerSession, type OwnerSessionSource } from '../../apps/api/common/claim-ownership';
import { ConflictException } from '@nestjs/common';
import { currentIdempotentOperation, runAsIdempotentOperation } from '../../apps/api/common/idempotent-operation';
import { assertTaskOpenToAct } from '../../apps/api/temporal/task-updates';
import type { TaskSnapshot } from '../../libs/contracts/deadline-task';

/** A session PostgreSQL holds until the test drops it (as a restart would) or the code closes it. */
class FakeSession implements OwnerSession {
  closed = false;
  readonly lost: Promise<string>;
  private markLost!: (reason: string) => void;

  constructor(readonly ownerKey: number) {
    this.lost = new Promise((resolve) => (this.markLost = resolve));
  }

  drop(): void {
    this.markLost('terminating connection due to administrator command');
  }

  close(): Promise<void> {
    this.closed = true;
    this.markLost('closed');
    return Promise.resolve();
  }
}

/** Owner keys as PostgreSQL would hand them out: the preferred one unless another session holds it. */
class FakeSessions implements OwnerSessionSource {
  readonly opened: FakeSession[] = [];
  readonly moves: { claimTokens: string[]; ownerKey: number }[] = [];
  readonly heldElsewhere = new Set<number>();
  unreachable = false;
  private nextDrawn = 100;

  open(preferredKey: number | undefined): Promise<OwnerSession> {
    if (this.unreachable) return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const key = preferredKey !== undefined && !this.heldElsewhere.has(preferredKey) ? preferredKey : this.nextDrawn++;
    const session = new FakeSession(key);
    this.opened.push(session);
    return Promise.resolve(session);
  }

  changeOwner(claimTokens: readonly string[], ownerKey: number): Promise<void> {
    this.moves.push({ claimTokens: [...claimTokens], ownerKey });
    return Promise.resolve();
  }

  get current(): FakeSession {
    return this.opened[this.opened.length - 1];
  }
}

describe('ClaimOwnership (one owner session per API process)', () => {
  let sessions: FakeSessions;
  let ownership: ClaimOwnership;

  beforeEach(() => {
    jest.useFakeTimers();
    sessions = new FakeSessions();
    ownership = new ClaimOwnership(sessions);
  });

  afterEach(async () => {
    await ownership.close();
    jest.useRealTimers();
  });

  it('opens one session for concurrent claims and stamps them all with its key', async () => {
    const keys = await Promise.all([ownership.ownerKey(), ownership.ownerKey(), ownership.ownerKey()]);
    expect(sessions.opened).toHaveLength(1);
    expect(keys).toEqual([100, 100, 100]);
    expect(await ownership.ownerKey()).toBe(100);
    expect(sessions.opened).toHaveLength(1);
  });

  it('reopens a lost session under the same key while a claim runs, moving nothing', async () => {
    await ownership.ownerKey();
    ownership.started('claim-a');
    sessions.current.drop();
    await jest.advanceTimersByTimeAsync(OWNER_RECONNECT_DELAY_MS);
    expect(sessions.opened).toHaveLength(2);
    expect(sessions.current.ownerKey).toBe(100);
    expect(sessions.moves).toEqual([]);
    expect(await ownership.ownerKey()).toBe(100);
  });

  it('moves the running claims to a new key when another process took the old one meanwhile', async () => {
    await ownership.ownerKey();
    ownership.started('claim-a');
    ownership.started('claim-b');
    ownership.finished('claim-b');
    sessions.heldElsewhere.add(100);
    sessions.current.drop();
    await jest.advanceTimersByTimeAsync(OWNER_RECONNECT_DELAY_MS);
    expect(sessions.current.ownerKey).toBe(101);
    expect(sessions.moves).toEqual([{ claimTokens: ['claim-a'], ownerKey: 101 }]);
    expect(await ownership.ownerKey()).toBe(101);
  });

  it('keeps trying while PostgreSQL is unreachable and claims run, and stops once it is back', async () => {
    await ownership.ownerKey();
    ownership.started('claim-a');
    sessions.unreachable = true;
    sessions.current.drop();
    await jest.advanceTimersByTimeAsync(3 * OWNER_RECONNECT_DELAY_MS);
    expect(sessions.opened).toHaveLength(1);
    await expect(ownership.ownerKey()).rejects.toThrow('ECONNREFUSED');
    sessions.unreachable = false;
    await jest.advanceTimersByTimeAsync(OWNER_RECONNECT_DELAY_MS);
    expect(sessions.opened).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(5 * OWNER_RECONNECT_DELAY_MS);
    expect(sessions.opened).toHaveLength(2);
  });

  it('with no claim running, leaves a lost session closed until the next claim', async () => {
    await ownership.ownerKey();
    sessions.current.drop();
    await jest.advanceTimersByTimeAsync(5 * OWNER_RECONNECT_DELAY_MS);
    expect(sessions.opened).toHaveLength(1);
    expect(await ownership.ownerKey()).toBe(100);
    expect(sessions.opened).toHaveLength(2);
  });

  it('closes its session at shutdown and makes no claim after it', async () => {
    await ownership.ownerKey();
    const session = sessions.current;
    await ownership.close();
    expect(session.closed).toBe(true);
    await expect(ownership.ownerKey()).rejects.toThrow('shutting down');
    await jest.advanceTimersByTimeAsync(5 * OWNER_RECONNECT_DELAY_MS);
    expect(sessions.opened).toHaveLength(1);
  });
});

describe('the idempotent operation of a request', () => {
  it('is seen by everything the handler awaits, and by nothing outside it', async () => {
    const operation = { id: '6f1c1a52-8f0e-4a55-9a51-0d7d1e1e2a10', resumed: true };
    const seen = await runAsIdempotentOperation(operation, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return currentIdempotentOperation();
    });
    expect(seen).toEqual(operation);
    expect(currentIdempotentOperation()).toBeUndefined();
  });
});

describe('assertTaskOpenToAct (the pre-check before a task Update)', () => {
  const completed = {
    status: 'completed',
    completedAt: '2026-11-30T10:00:00.000Z',
    deadline: { requested: { timeZone: 'Europe/Moscow' } },
  } as unknown as TaskSnapshot;

  it('refuses a closed task with 409 for a request of its own', () => {
    expect(() => assertTaskOpenToAct(completed)).toThrow(ConflictException);
    expect(() => runAsIdempotentOperation({ id: 'a', resumed: false }, () => assertTaskOpenToAct(completed))).toThrow('Задача уже выполнена');
  });

  it('lets a request resuming a dead attempt through: that attempt may have closed the task, and its Update answers', () => {
    expect(() => runAsIdempotentOperation({ id: 'a', resumed: true }, () => assertTaskOpenToAct(completed))).not.toThrow();
  });
});
