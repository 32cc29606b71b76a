/**
 * Four eyes on a cycle's launch, cancellation and deadline overrides: the requests (GET /api/cycle-actions), their
 * labels, and the mutations that confirm, refuse or withdraw one. A request answer (202) has a `kind`; a cycle has not.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../api/client';
import { cycleKeys } from './queries';
import type { CycleView } from './types';

export type CycleAction = Schemas['CycleActionView'];
export type CycleActionStatus = CycleAction['status'];

export const cycleActionKeys = {
  all: ['cycle-actions'] as const,
  list: (status: CycleActionStatus | 'all', cycleId?: string) => ['cycle-actions', 'list', status, cycleId ?? ''] as const,
  one: (id: string) => ['cycle-actions', id] as const,
};

export const ACTION_STATUS: Record<CycleActionStatus, { text: string; color: string }> = {
  pending: { text: 'Ожидает подтверждения', color: 'gold' },
  executing: { text: 'Выполняется', color: 'blue' },
  confirmed: { text: 'Подтверждён и выполнен', color: 'green' },
  refused: { text: 'Отклонён', color: 'red' },
  withdrawn: { text: 'Отозван', color: 'default' },
  expired: { text: 'Срок подтверждения истёк', color: 'default' },
};

export const ACTION_KIND: Record<CycleAction['kind'], string> = {
  launch: 'Запуск цикла',
  cancel: 'Отмена цикла',
  extend_stage: 'Продление этапа для всех',
};

/** The note every screen that asks shows: the action waits for another person. */
export const SECOND_PERSON_NOTE =
  'Действие вступит в силу только после подтверждения другим администратором или специалистом министерства (правило двух ключей). ' +
  'Запрос можно отозвать, пока он не подтверждён; не подтверждённый в срок (обычно 72 часа) запрос истекает.';

export function isActionRequest(value: CycleView | CycleAction): value is CycleAction {
  return 'kind' in value && 'expiresAt' in value;
}

export function useCycleActions(status: CycleActionStatus | 'all', cycleId?: string, enabled = true) {
  return useQuery({
    queryKey: cycleActionKeys.list(status, cycleId),
    enabled,
    queryFn: () =>
      unwrap(api.GET('/api/cycle-actions', { params: { query: { ...(status === 'all' ? {} : { status }), ...(cycleId ? { cycleId } : {}) } } })),
    refetchInterval: 15_000,
  });
}

export function useCycleAction(id: string) {
  return useQuery({
    queryKey: cycleActionKeys.one(id),
    queryFn: () => unwrap(api.GET('/api/cycle-actions/{id}', { params: { path: { id } } })),
    // The requester's page follows the other person's decision.
    refetchInterval: (query) => (query.state.data && query.state.data.status !== 'pending' && query.state.data.status !== 'executing' ? false : 3_000),
  });
}

export type Decision = { kind: 'confirm' } | { kind: 'refuse'; reason: string } | { kind: 'withdraw'; reason?: string };

/** Confirm, refuse or withdraw; afterwards the requests and (after a confirmation) the cycle are read afresh. */
export function useDecideCycleAction(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (d: Decision) => {
      const params = { params: { path: { id } } };
      switch (d.kind) {
        case 'confirm':
          return unwrap(api.POST('/api/cycle-actions/{id}/confirm', params));
        case 'refuse':
          return unwrap(api.POST('/api/cycle-actions/{id}/refuse', { ...params, body: { reason: d.reason } }));
        case 'withdraw':
          return unwrap(api.POST('/api/cycle-actions/{id}/withdraw', { ...params, body: d.reason ? { reason: d.reason } : {} }));
      }
    },
    onSettled: async (result) => {
      if (result) queryClient.setQueryData(cycleActionKeys.one(id), result);
      if (result?.cycle) queryClient.setQueryData(cycleKeys.one(result.cycle.id), result.cycle);
      await queryClient.invalidateQueries({ queryKey: cycleActionKeys.all });
      await queryClient.invalidateQueries({ queryKey: cycleKeys.all });
    },
  });
}
