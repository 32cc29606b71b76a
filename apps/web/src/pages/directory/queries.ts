/**
 * The directory's reads and the ministry administrator's writes. Every write refreshes what it changes: the
 * organisation lists and pages (keys under 'organizations', shared with the audit screens' reads), the people found
 * by search, and the substitutions.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from '../../api/client';
import { workKeys } from '../work/queries';

export const directoryKeys = {
  all: ['organizations'] as const,
  substitutions: (organizationId: string) => ['organizations', 'substitutions', organizationId] as const,
  people: (q: string, withLogin: boolean) => ['people', q, withLogin] as const,
};

type CreateOrganization = Schemas['CreateOrganizationDto'];
type CreatePerson = Schemas['CreatePersonDto'];
type UpdatePerson = Schemas['UpdatePersonDto'];
type SetPassword = Schemas['SetPasswordDto'];
type CreateSubstitution = Schemas['CreateSubstitutionDto'];

/** The value once it has stopped changing for `ms`: a search asks the API once the person pauses typing. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** People the user may see whose name, e-mail or position contains `q` (GET /api/people). */
export function usePeopleSearch(q: string, withLogin: boolean, enabled = true) {
  const term = q.trim();
  return useQuery({
    queryKey: directoryKeys.people(term, withLogin),
    queryFn: () => unwrap(api.GET('/api/people', { params: { query: { q: term || undefined, withLogin, limit: 20 } } })),
    enabled,
    staleTime: 30_000,
    placeholderData: (previous) => previous,
  });
}

/** The substitutions in force or planned whose person or deputy belongs to the organisation. */
export function useOrganizationSubstitutions(organizationId: string) {
  return useQuery({
    queryKey: directoryKeys.substitutions(organizationId),
    queryFn: () => unwrap(api.GET('/api/organizations/{id}/substitutions', { params: { path: { id: organizationId } } })),
    enabled: Boolean(organizationId),
  });
}

function useRefresh() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: directoryKeys.all }),
      queryClient.invalidateQueries({ queryKey: ['people'] }),
      queryClient.invalidateQueries({ queryKey: workKeys.substitutions }),
    ]);
}

export function useCreateOrganization() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: CreateOrganization) => unwrap(api.POST('/api/organizations', { body })),
    onSuccess: refresh,
  });
}

export function useAddPerson(organizationId: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: CreatePerson) =>
      unwrap(api.POST('/api/organizations/{id}/people', { params: { path: { id: organizationId } }, body })),
    onSuccess: refresh,
  });
}

export function useUpdatePerson(organizationId: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ personId, body }: { personId: string; body: UpdatePerson }) =>
      unwrap(api.PATCH('/api/organizations/{id}/people/{personId}', { params: { path: { id: organizationId, personId } }, body })),
    onSuccess: refresh,
  });
}

export function useSetPassword(organizationId: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ personId, body }: { personId: string; body: SetPassword }) =>
      unwrap(
        api.POST('/api/organizations/{id}/people/{personId}/password', { params: { path: { id: organizationId, personId } }, body }),
      ),
    onSuccess: refresh,
  });
}

export function useCreateSubstitution() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: CreateSubstitution) => unwrap(api.POST('/api/substitutions', { body })),
    onSuccess: refresh,
  });
}

export function useRevokeSubstitution() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/substitutions/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}
