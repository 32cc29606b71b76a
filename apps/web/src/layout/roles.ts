import type { Me } from '../api/client';

export type Role = Me['role'];

/** Roles that run the programme: they see the cycles and the templates. */
export const MINISTRY_ROLES: readonly Role[] = ['ministry_admin', 'ministry_reviewer'];

export function isMinistry(role: Role): boolean {
  return MINISTRY_ROLES.includes(role);
}
