/** TanStack Query hooks for the ministry's cycle screens; every call goes through the typed `api` client. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema';
import type { TaskView } from './types';

export const cycleKeys = {
  all: ['cycles'] as const,
  one: (id: string) => ['cycles', id] as const,
  openTasks: (id: string) => ['cycles', id, 'open-tasks'] as const,
  dynamics: (id: string, indicator?: string) => ['cycles', id, 'dynamics', indicator ?? ''] as const,
};

export function useCycles() {
  return useQuery({ queryKey: cycleKeys.all, queryFn: () => unwrap(api.GET('/api/cycles')) });
}

export function useCycle(id: string) {
  return useQuery({
    queryKey: cycleKeys.one(id),
    queryFn: () => unwrap(api.GET('/api/cycles/{id}', { params: { path: { id } } })),
    // The progress is the workflow's live answer; a minute is fresh enough for a dashboard.
    refetchInterval: 60_000,
  });
}

export function useTemplates() {
  return useQuery({ queryKey: ['templates'], queryFn: () => unwrap(api.GET('/api/templates')) });
}

/** The region's directory, for the names of the organisations a plan or a task names by id. */
export function useOrganizations(regionCode: string | undefined) {
  return useQuery({
    queryKey: ['organizations', regionCode ?? ''],
    enabled: Boolean(regionCode),
    queryFn: () => unwrap(api.GET('/api/organizations', { params: { query: { regionCode } } })),
    staleTime: 5 * 60_000,
  });
}

type TaskListQuery = NonNullable<paths['/api/tasks']['get']['parameters']['query']>;

/**
 * The OpenAPI document types `limit` and `offset` of GET /api/tasks as an object (ListTasksQueryDto declares them
 * `limit = 50` without a type, which the Swagger plugin cannot read), so the numbers are passed through a cast
 * until the DTO says `limit: number`.
 */
function openTasksQuery(cycleId: string, offset: number): TaskListQuery {
  return { cycleId, status: 'open', limit: PAGE, offset } as unknown as TaskListQuery;
}

const PAGE = 200;
/** A cap so that a huge region does not page forever: 50 pages of 200 open tasks. */
const MAX_PAGES = 50;

/**
 * Every open task of the cycle (GET /api/tasks?cycleId=&status=open), paged through 200 at a time: the API has no
 * summary per municipality and stage, so the heat table counts them here.
 */
export function useCycleOpenTasks(cycleId: string) {
  return useQuery({
    queryKey: cycleKeys.openTasks(cycleId),
    queryFn: async () => {
      const items: TaskView[] = [];
      let total = 0;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await unwrap(api.GET('/api/tasks', { params: { query: openTasksQuery(cycleId, page * PAGE) } }));
        items.push(...result.items);
        total = result.total;
        if (result.items.length < PAGE || items.length >= total) break;
      }
      return { items, total, complete: items.length >= total };
    },
    refetchInterval: 60_000,
  });
}
