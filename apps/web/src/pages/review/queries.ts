/** The review queue's reads, each a TanStack Query over the typed client. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap, type Me, type Schemas } from '../../api/client';

export type ReviewTask = Schemas['TaskView'];

/** The organisations the person acts for: their own, and those of the people they deputise for today. */
export function actingOrganizationIds(me: Me): Set<string> {
  return new Set([me.organizationId, ...me.actingFor.map((p) => p.organizationId)]);
}

const PAGE = 200;
/** A cap so that a huge region does not page forever: 20 pages of 200 open reviews. */
const MAX_PAGES = 20;

/**
 * The open review tasks the person may act on, earliest deadline first: GET /api/tasks?status=open&action=review,
 * paged through, keeping those assigned to an organisation the person acts for (the list also holds the reviews a
 * region or municipality may only read: those it supervises, or of its own documents).
 */
export function useReviewQueue(me: Me) {
  const acting = actingOrganizationIds(me);
  // Without deputising, the API narrows to the tasks the own organisation is assigned or supervises.
  const organizationId = acting.size === 1 ? me.organizationId : undefined;
  return useQuery({
    queryKey: ['tasks', 'list', 'review-queue', me.personId, [...acting].sort()],
    queryFn: async () => {
      const items: ReviewTask[] = [];
      let total = 0;
      let fetched = 0;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await unwrap(
          api.GET('/api/tasks', {
            params: { query: { status: 'open', action: 'review', order: 'asc', organizationId, limit: PAGE, offset: page * PAGE } },
          }),
        );
        fetched += result.items.length;
        total = result.total;
        items.push(...result.items.filter((t) => acting.has(t.assignee.id)));
        if (result.items.length < PAGE || fetched >= total) break;
      }
      return { items, complete: fetched >= total };
    },
    refetchInterval: 60_000,
  });
}

/** The region's cycles, for their titles and the cycle filter. */
export function useCycleList() {
  return useQuery({ queryKey: ['cycles', 'list'], queryFn: () => unwrap(api.GET('/api/cycles')), staleTime: 60_000 });
}

/** The organisations the person may read, for the names of those whose documents are reviewed. */
export function useReadableOrganizations(regionCode: string) {
  return useQuery({
    queryKey: ['organizations', regionCode],
    queryFn: () => unwrap(api.GET('/api/organizations', { params: { query: { regionCode } } })),
    staleTime: 5 * 60_000,
  });
}
