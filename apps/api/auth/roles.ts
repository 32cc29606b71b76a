/** Who a logged-in person is in the programme; stored in `people.role` (NULL: receives e-mails, cannot log in). */
export type Role =
  | 'ministry_admin'
  | 'ministry_reviewer'
  | 'institute_curator'
  | 'municipal_coordinator'
  | 'school'
  | 'auditor';

export const ROLES: readonly Role[] = [
  'ministry_admin',
  'ministry_reviewer',
  'institute_curator',
  'municipal_coordinator',
  'school',
  'auditor',
];

/** As officials read them in refusals and in the user's profile. */
export const ROLE_TITLES: Readonly<Record<Role, string>> = {
  ministry_admin: 'администратор министерства',
  ministry_reviewer: 'специалист министерства',
  institute_curator: 'куратор института развития образования',
  municipal_coordinator: 'муниципальный координатор',
  school: 'образовательная организация',
  auditor: 'аудитор',
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** «администратор министерства или специалист министерства» — for refusals naming who may do something. */
export function describeRoles(roles: readonly Role[]): string {
  const titles = roles.map((role) => ROLE_TITLES[role]);
  return titles.length <= 1 ? (titles[0] ?? '') : `${titles.slice(0, -1).join(', ')} или ${titles[titles.length - 1]}`;
}
