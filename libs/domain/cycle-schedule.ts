/**
 * Time arithmetic the cycle workflows need at run time. Pure and sandbox-safe: workflows pass Temporal's
 * deterministic clock in as `nowMs`.
 */
import { DateTime } from 'luxon';
import type { ResolvedStage, PlanDuration } from '../contracts/cycle-template';
import { addCalendarDays, addWorkingDays, endOfWorkingDay, type CalendarOptions } from './calendar';

const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

/** The instant of a local 'YYYY-MM-DDTHH:mm[:ss]' in `timeZone`, in epoch milliseconds. */
export function localToEpochMs(local: string, timeZone: string): number {
  return DateTime.fromISO(local, { zone: timeZone }).toMillis();
}

export function epochMsToLocal(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: timeZone }).toFormat(LOCAL_FORMAT);
}

/**
 * The local deadline `duration` after `nowMs`: n working (or calendar) days later at the end of that working day, or
 * — in a compressed test calendar — n seconds later. `options` are the plan's (ResolvedCyclePlan is one).
 */
export function localDueAfter(nowMs: number, duration: PlanDuration, timeZone: string, options: CalendarOptions = {}): string {
  if ('seconds' in duration) return epochMsToLocal(nowMs + duration.seconds * 1000, timeZone);
  const today = DateTime.fromMillis(nowMs, { zone: timeZone }).toISODate() as string;
  const day =
    'workingDays' in duration ? addWorkingDays(today, duration.workingDays, options) : addCalendarDays(today, duration.calendarDays);
  return `${day}T${endOfWorkingDay(day, options)}:00`;
}

/** The later of two local date-times in the same zone. */
export function laterLocal(a: string, b: string, timeZone: string): string {
  return localToEpochMs(a, timeZone) >= localToEpochMs(b, timeZone) ? a : b;
}

/**
 * Stages in an order that respects `dependsOn` (templates are validated acyclic; a cycle here is a bug).
 * Ties keep the template's order, so officials see the stages as they wrote them.
 */
export function orderStages(stages: ResolvedStage[]): ResolvedStage[] {
  const done = new Set<string>();
  const ordered: ResolvedStage[] = [];
  while (ordered.length < stages.length) {
    const next = stages.find((s) => !done.has(s.id) && s.dependsOn.every((d) => done.has(d)));
    if (!next) throw new Error('stage dependencies form a cycle');
    done.add(next.id);
    ordered.push(next);
  }
  return ordered;
}
