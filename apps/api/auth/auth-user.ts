import type { OrganizationKind } from '../../../libs/persistence';
import type { Role } from './roles';

/** A principal whose deputy the user is, while the substitution is in force. */
export interface ActingFor {
  personId: string;
  organizationId: string;
  role: Role;
  /** Last day of the substitution (inclusive), YYYY-MM-DD in the principal's organisation's zone. */
  until: string;
}

/** The person behind a request, loaded afresh from the directory on every request (a demotion applies at once). */
export interface AuthUser {
  personId: string;
  email: string;
  fullName: string;
  role: Role;
  organizationId: string;
  organizationKind: OrganizationKind;
  regionCode: string;
  /** People who named this user their deputy, with the substitution active now. */
  actingFor: ActingFor[];
}
