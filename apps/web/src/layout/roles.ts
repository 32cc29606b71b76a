import type { Me } from '../api/client';

export type Role = Me['role'];

/** Roles that run the programme: they see the cycles and the templates. */
export const MINISTRY_ROLES: readonly Role[] = ['ministry_admin', 'ministry_reviewer'];

export function isMinistry(role: Role): boolean {
  return MINISTRY_ROLES.includes(role);
}

/** Roles the API lets review a submitted document (POST /api/tasks/:id/review): they have «Рассмотрение». */
export const REVIEWER_ROLES: readonly Role[] = ['ministry_admin', 'ministry_reviewer', 'institute_curator', 'municipal_coordinator'];

export function canReview(role: Role): boolean {
  return REVIEWER_ROLES.includes(role);
}

/** The parties to partner agreements and those above them: they have «Соглашения». */
export const AGREEMENT_ROLES: readonly Role[] = ['ministry_admin', 'ministry_reviewer', 'municipal_coordinator', 'school'];

export function seesAgreements(role: Role): boolean {
  return AGREEMENT_ROLES.includes(role);
}
