/**
 * What an official reads when a task was issued too late for its planned deadline (its stage opened after the
 * roadmap's date): the task page and the dry run say it in the same words. Pure and sandbox-safe.
 */
import type { EffectiveDeadline } from '../contracts/deadline-task';
import { countOf, NOUNS } from './russian';

/** «15.09.2020 18:00» from a local 'YYYY-MM-DDTHH:mm[:ss]'. */
function localRu(local: string): string {
  return `${local.slice(8, 10)}.${local.slice(5, 7)}.${local.slice(0, 4)} ${local.slice(11, 16)}`;
}

/**
 * «Задача выдана позже плана: до планового срока 15.09.2020 18:00 оставалось меньше 3 рабочих дней, поэтому срок —
 * 3 рабочих дня после выдачи: 18.09.2020 18:00.» Undefined when the planned deadline applies.
 */
export function lateIssueNote(deadline: Pick<EffectiveDeadline, 'leadFromIssue' | 'localDateTime'>): string | undefined {
  const lead = deadline.leadFromIssue;
  if (!lead) return undefined;
  const span =
    lead.workingDays !== undefined
      ? { less: countOf(lead.workingDays, NOUNS.workingDayGenitive), after: countOf(lead.workingDays, NOUNS.workingDay) }
      : { less: countOf(lead.seconds ?? 0, NOUNS.secondGenitive), after: countOf(lead.seconds ?? 0, NOUNS.second) };
  return (
    `Задача выдана позже плана: до планового срока ${localRu(lead.plannedLocalDateTime)} оставалось меньше ${span.less}, ` +
    `поэтому срок — ${span.after} после выдачи: ${localRu(deadline.localDateTime)}.`
  );
}
