/**
 * Curators of participant schools («кураторы»): who may be named, which tasks a curator reads, which e-mails reach
 * them as a copy. Pure and sandbox-safe: the API, the repositories and the worker's activities share these rules.
 */

/** Where a curator comes from: the region's institute, or another school of the region (a partner school). */
export type CuratorKind = 'institute' | 'partner_school';

export const CURATOR_KIND_TITLES: Readonly<Record<CuratorKind, string>> = {
  institute: 'институт развития образования',
  partner_school: 'школа-партнёр',
};

/** The organisation kinds as the directory stores them, with how a refusal names each. */
const ORGANIZATION_KIND_TITLES: Readonly<Record<string, string>> = {
  ministry: 'министерство',
  institute: 'институт развития образования',
  municipality: 'муниципальный орган управления образованием',
  school: 'школа',
};

export interface CuratorOrganization {
  id: string;
  kind: string;
  name: string;
  regionCode: string;
}

export type CuratorEligibility = { eligible: true; kind: CuratorKind } | { eligible: false; reason: string };

/**
 * Whether a person of `candidate` may curate `school` in a cycle of `regionCode`: the person works at the region's
 * institute, or at a school of the region other than the curated one. The reason is the sentence the official reads.
 */
export function curatorEligibility(
  regionCode: string,
  school: Pick<CuratorOrganization, 'id' | 'name'>,
  candidate: CuratorOrganization,
): CuratorEligibility {
  if (candidate.regionCode !== regionCode) {
    return {
      eligible: false,
      reason: `Куратор должен работать в организации того же региона, что и цикл; «${candidate.name}» относится к другому региону`,
    };
  }
  if (candidate.kind === 'institute') return { eligible: true, kind: 'institute' };
  if (candidate.kind === 'school') {
    if (candidate.id === school.id) {
      return {
        eligible: false,
        reason: `Сотрудник школы «${school.name}» не может быть её куратором: куратора назначают из института развития образования или из школы-партнёра`,
      };
    }
    return { eligible: true, kind: 'partner_school' };
  }
  const title = ORGANIZATION_KIND_TITLES[candidate.kind] ?? candidate.kind;
  return {
    eligible: false,
    reason:
      `Куратором может быть только сотрудник института развития образования или школы-партнёра; ` +
      `«${candidate.name}» — ${title}`,
  };
}

/** A school a person curates in one cycle. */
export interface CuratedSchool {
  cycleId: string;
  schoolId: string;
}

/** What a task needs to say for the curator rules: its assignee and, for a cycle task, its context. */
export interface CuratorTaskFacts {
  assigneeOrganizationId: string;
  context?: { cycleId: string; subjectOrganizationId: string };
}

/**
 * Whether a curator of `curated` may read the task: a task of one of the cycles they curate in, assigned to the
 * curated school or about it. Stand-alone tasks (no cycle) and other cycles' tasks stay out of reach.
 */
export function curatorReadsTask(curated: readonly CuratedSchool[], task: CuratorTaskFacts): boolean {
  const context = task.context;
  if (!context) return false;
  return curated.some(
    (c) => c.cycleId === context.cycleId && (c.schoolId === task.assigneeOrganizationId || c.schoolId === context.subjectOrganizationId),
  );
}

/**
 * The (cycle, school) whose curators receive a copy of this notification, or undefined: only escalations, and only
 * of a cycle task, go to the curators of the school it is assigned to. Reminders never do.
 */
export function curatorCopyScope(kind: 'reminder' | 'escalation', task: CuratorTaskFacts): CuratedSchool | undefined {
  if (kind !== 'escalation' || !task.context) return undefined;
  return { cycleId: task.context.cycleId, schoolId: task.assigneeOrganizationId };
}

/** The outbox key of the curators' copy of a notification step: one copy per step, sent at most once. */
export function curatorCopyStepKey(stepKey: string): string {
  return `${stepKey}-curators`;
}
