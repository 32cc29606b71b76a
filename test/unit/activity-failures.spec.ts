import { ApplicationFailure } from '@temporalio/common';
import { QueryFailedError } from 'typeorm';
import { DATA_REFUSED, failFastOnRefusedData, isPermanentDataError, sqlStateOf } from '../../activities';

/** A pg error as TypeORM wraps it: QueryFailedError with the driver's error (its SQLSTATE in `code`) inside. */
function queryFailed(code: string, message: string): QueryFailedError {
  return new QueryFailedError('INSERT …', [], Object.assign(new Error(message), { code }));
}

describe('activities fail fast on data PostgreSQL refuses', () => {
  it('finds the SQLSTATE however the error is wrapped', () => {
    expect(sqlStateOf(queryFailed('22P05', 'unsupported Unicode escape sequence'))).toBe('22P05');
    expect(sqlStateOf(Object.assign(new Error('x'), { code: '23503' }))).toBe('23503');
    expect(sqlStateOf(new Error('outer', { cause: Object.assign(new Error('inner'), { code: '22021' }) }))).toBe('22021');
    expect(sqlStateOf(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBeUndefined();
  });

  it('takes classes 22 and 23 as permanent, and an outage or a lost race as worth retrying', () => {
    expect(isPermanentDataError(queryFailed('22P05', 'x'))).toBe(true);
    expect(isPermanentDataError(queryFailed('23505', 'x'))).toBe(true);
    expect(isPermanentDataError(queryFailed('40001', 'serialization failure'))).toBe(false);
    expect(isPermanentDataError(queryFailed('57P01', 'terminating connection'))).toBe(false);
    expect(isPermanentDataError(new Error('timeout'))).toBe(false);
  });

  it('rethrows refused data as a non-retryable DataRefusedByDatabase naming the activity, and anything else as it was', async () => {
    const outage = new Error('connect ECONNREFUSED');
    const retryable = ApplicationFailure.retryable('not committed yet', 'RecordNotYetCommitted');
    const activities = failFastOnRefusedData({
      refused: async (): Promise<void> => Promise.reject(queryFailed('22P05', 'unsupported Unicode escape sequence\nDETAIL: \\u0000')),
      down: async (): Promise<void> => Promise.reject(outage),
      waiting: async (): Promise<void> => Promise.reject(retryable),
      fine: async (value: number): Promise<number> => value + 1,
    });
    const refused: unknown = await activities.refused().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApplicationFailure);
    expect(refused).toEqual(expect.objectContaining({ type: DATA_REFUSED, nonRetryable: true, details: [{ sqlState: '22P05' }] }));
    expect((refused as Error).message).toBe('refused: PostgreSQL refused the data (SQLSTATE 22P05): unsupported Unicode escape sequence');
    await expect(activities.down()).rejects.toBe(outage);
    await expect(activities.waiting()).rejects.toBe(retryable);
    await expect(activities.fine(1)).resolves.toBe(2);
  });
});
