/**
 * The cycle's ranking of municipalities by lateness risk (GET /api/cycles/:cycleId/lateness-risk), for the dashboard's
 * LatenessRiskPanel. Its own file so that queries.ts, which other screens share, stays as it is.
 */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ResponseOf } from './types';

export type LatenessRiskView = ResponseOf<'/api/cycles/{cycleId}/lateness-risk', 'get'>;
export type LatenessRiskRow = LatenessRiskView['items'][number];

/** Under the cycle's key, so that whatever refreshes the cycle refreshes the ranking too. */
export const latenessRiskKey = (cycleId: string) => ['cycles', cycleId, 'lateness-risk'] as const;

export function useLatenessRisk(cycleId: string) {
  return useQuery({
    queryKey: latenessRiskKey(cycleId),
    queryFn: () => unwrap(api.GET('/api/cycles/{cycleId}/lateness-risk', { params: { path: { cycleId } } })),
    // Overdue counts move with the clock; a minute is fresh enough for a dashboard, as for the heat table.
    refetchInterval: 60_000,
  });
}
