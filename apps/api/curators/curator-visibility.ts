import type { AuthUser } from '../auth/auth-user';
import type { Role } from '../auth/roles';

/** Roles that read every curator of their region's cycles (the auditor: of every region). */
const WHOLE_CYCLE_ROLES: readonly Role[] = ['ministry_admin', 'ministry_reviewer', 'institute_curator', 'auditor'];

/**
 * Who reads which curators of a cycle: the ministry, the institute and the auditor all of them; a municipality
 * those of its schools; a curator their own. A deputy reads what the principal reads, except an auditor's reach,
 * which is not delegated (as in AccessPolicy.readableOrganizationIds).
 */
export type CuratorshipVisibility =
  | { kind: 'all' }
  | { kind: 'some'; municipalityIds: readonly string[]; curatorPersonIds: readonly string[] };

export function curatorshipVisibility(user: AuthUser): CuratorshipVisibility {
  const scopes = [{ role: user.role, organizationId: user.organizationId }, ...user.actingFor.filter((p) => p.role !== 'auditor')];
  if (scopes.some((s) => WHOLE_CYCLE_ROLES.includes(s.role))) return { kind: 'all' };
  return {
    kind: 'some',
    municipalityIds: scopes.filter((s) => s.role === 'municipal_coordinator').map((s) => s.organizationId),
    curatorPersonIds: [user.personId, ...user.actingFor.map((p) => p.personId)],
  };
}

export function seesCuratorship(
  visibility: CuratorshipVisibility,
  row: { municipalityId: string | null | undefined; curatorPersonId: string },
): boolean {
  if (visibility.kind === 'all') return true;
  return (
    (row.municipalityId != null && visibility.municipalityIds.includes(row.municipalityId)) ||
    visibility.curatorPersonIds.includes(row.curatorPersonId)
  );
}

/** Whether the list is theirs to read at all: a municipality always (perhaps empty), a school only as a curator. */
export function mayListCurators(visibility: CuratorshipVisibility, rows: { curatorPersonId: string }[]): boolean {
  if (visibility.kind === 'all' || visibility.municipalityIds.length > 0) return true;
  return rows.some((r) => visibility.curatorPersonIds.includes(r.curatorPersonId));
}
