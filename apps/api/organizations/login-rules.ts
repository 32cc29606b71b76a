/**
 * The directory's rules for log-ins: which roles a person of each kind of organisation may hold, and what an initial
 * password must be. One place, read by the request validation, the service and (through the API's answers) the web.
 */
import type { OrganizationKind } from '../../../libs/persistence';
import type { Role } from '../auth/roles';

/**
 * A role reaches as far as its organisation's kind implies (a ministry role covers the whole region), so a school's
 * person must never hold a ministry's role. The auditor (the control and audit department) sits in the ministry.
 */
export const ROLES_BY_ORGANIZATION_KIND: Readonly<Record<OrganizationKind, readonly Role[]>> = {
  ministry: ['ministry_admin', 'ministry_reviewer', 'auditor'],
  institute: ['institute_curator'],
  municipality: ['municipal_coordinator'],
  school: ['school'],
};

export function roleFitsOrganization(role: Role, kind: OrganizationKind): boolean {
  return ROLES_BY_ORGANIZATION_KIND[kind].includes(role);
}

export const PASSWORD_MIN_CHARACTERS = 10;
export const PASSWORD_MAX_CHARACTERS = 72;
/** bcrypt reads at most 72 bytes; a longer password would be silently cut. A Cyrillic letter takes two. */
export const PASSWORD_MAX_BYTES = 72;
