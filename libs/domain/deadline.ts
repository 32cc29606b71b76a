/**
 * Deadline arithmetic in the region's time zone. Pure and sandbox-safe: the deadline-task workflow runs it,
 * and the API runs it to validate input before starting a workflow.
 */
import { DateTime, IANAZone } from 'luxon';
import type {
  DeadlineRequest,
  EffectiveDeadline,
  NotificationPolicy,
  ScheduledNotification,
} from '../contracts/deadline-task';
import { addCalendarDays, addWorkingDays, endOfWorkingDay, nextWorkingDay, previousWorkingDay } from './calendar';

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const LOCAL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const DEFAULT_REMINDER_TIME = '09:00';
// A compressed drill lasts minutes; a day is plenty of lead for any of them.
const MAX_MINIMUM_LEAD_SECONDS = 86_400;
// A month of working days: more would push a late task past the stages after it.
const MAX_MINIMUM_LEAD_WORKING_DAYS = 20;

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

// Luxon builds an Intl formatter on every validity check (~130 µs); zones are few, so remember the answers.
const zoneValidity = new Map<string, boolean>();

export function isValidTimeZone(zone: string): boolean {
  if (typeof zone !== 'string' || zone.length === 0) return false;
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    zoneValidity.set(zone, valid);
  }
  return valid;
}

export function isValidLocalTime(value: string): boolean {
  return LOCAL_TIME.test(value);
}

/** Parses 'YYYY-MM-DDTHH:mm[:ss]' as wall-clock time in `zone`; rejects offsets and impossible dates. */
export function parseLocalDateTime(value: string, zone: string): DateTime {
  if (!isValidTimeZone(zone)) throw new DeadlineError(`unknown time zone '${zone}'`);
  if (typeof value !== 'string' || !LOCAL_DATE_TIME.test(value)) {
    throw new DeadlineError(`'${value}' is not a local date-time of the form YYYY-MM-DDTHH:mm`);
  }
  const parsed = DateTime.fromISO(value, { zone });
  if (!parsed.isValid) throw new DeadlineError(`'${value}' is not a real date and time`);
  return parsed;
}

function localParts(instant: DateTime): { date: string; time: string } {
  return { date: instant.toISODate() as string, time: instant.toFormat('HH:mm:ss') };
}

function atLocal(date: string, time: string, zone: string): DateTime {
  return DateTime.fromISO(`${date}T${time}`, { zone });
}

/**
 * Russian law moves a deadline that falls on a non-working day to the next working day. It keeps its time, except
 * the end of the working day (18:00, which is also what a date without a time means): that becomes the end of the
 * day it lands on, 17:00 on a shortened pre-holiday day. An 18:00 written by hand cannot be told from it, and the
 * end of the day is what it means.
 */
export function resolveDeadline(request: DeadlineRequest): EffectiveDeadline {
  const requested = parseLocalDateTime(request.localDateTime, request.timeZone);
  const { date, time: requestedTime } = localParts(requested);
  const options = { decreeNonWorkingDays: request.decreeNonWorkingDays };
  const effectiveDate = request.calendar === 'working-days' ? nextWorkingDay(date, options) : date;
  const endOfDay = (day: string): string => `${endOfWorkingDay(day, options)}:00`;
  const time = effectiveDate !== date && requestedTime === endOfDay(date) ? endOfDay(effectiveDate) : requestedTime;
  const effective = atLocal(effectiveDate, time, request.timeZone);
  return {
    requested: { ...request },
    localDateTime: `${effectiveDate}T${time}`,
    dueAt: effective.toUTC().toISO({ suppressMilliseconds: true }) as string,
    movedFromNonWorkingDay: effectiveDate !== date,
  };
}

/**
 * The deadline of a task issued at `issuedAt`, when it was issued too close to (or after) its planned deadline for
 * the policy's lead: the planned one is kept in `leadFromIssue` as the reason.
 * - `minimumLeadWorkingDays` (real calendars): due at the end of the n-th working day after the day of issue.
 * - `minimumLeadSeconds` (compressed calendars): due that many seconds after issue, rounded up to the whole second,
 *   so that how fast the machine ran does not decide whether reminders go out.
 */
export function resolveIssuedDeadline(request: DeadlineRequest, policy: NotificationPolicy, issuedAt: Date): EffectiveDeadline {
  const planned = resolveDeadline(request);
  const earliest = earliestDueAfterIssue(request, policy, issuedAt, Date.parse(planned.dueAt));
  if (!earliest || Date.parse(planned.dueAt) >= earliest.ms) return planned;
  const moved = resolveDeadline({ ...request, localDateTime: earliest.local });
  return { ...moved, leadFromIssue: { plannedLocalDateTime: planned.localDateTime, ...earliest.lead } };
}

function earliestDueAfterIssue(
  request: DeadlineRequest,
  policy: NotificationPolicy,
  issuedAt: Date,
  plannedDueMs: number,
): { ms: number; local: string; lead: { seconds: number } | { workingDays: number } } | undefined {
  const seconds = policy.minimumLeadSeconds;
  if (seconds !== undefined) {
    const ms = Math.ceil((issuedAt.getTime() + seconds * 1000) / 1000) * 1000;
    return { ms, local: DateTime.fromMillis(ms, { zone: request.timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss"), lead: { seconds } };
  }
  const workingDays = policy.minimumLeadWorkingDays;
  if (workingDays === undefined || request.calendar !== 'working-days') return undefined;
  // No run of holidays (not even 2020's decree weeks) stretches n working days past n + 90 calendar days: a deadline
  // that far ahead needs no counting, which also keeps an issue date outside the production calendar out of it.
  if (plannedDueMs - issuedAt.getTime() > (workingDays + 90) * 86_400_000) return undefined;
  const options = { decreeNonWorkingDays: request.decreeNonWorkingDays };
  const issueDay = DateTime.fromJSDate(issuedAt, { zone: request.timeZone }).toISODate() as string;
  const day = addWorkingDays(issueDay, workingDays, options);
  const local = `${day}T${endOfWorkingDay(day, options)}:00`;
  return { ms: DateTime.fromISO(local, { zone: request.timeZone }).toMillis(), local, lead: { workingDays } };
}

export interface ScheduleOptions {
  /**
   * One reminder where several land on the same moment («3 days before» and «1 day before» both on the Friday
   * before a Monday deadline). Default true; false reproduces the schedules of workflows started before it.
   */
  mergeSameMomentReminders?: boolean;
}

/**
 * Every reminder and escalation for one revision of the deadline. Steps already in the past at `now` are dropped:
 * a reminder for a week before a deadline set three days ahead would only confuse.
 */
export function buildNotificationSchedule(
  deadline: EffectiveDeadline,
  policy: NotificationPolicy,
  revision: number,
  now: Date,
  options: ScheduleOptions = {},
): ScheduledNotification[] {
  const { timeZone, calendar, decreeNonWorkingDays } = deadline.requested;
  const due = DateTime.fromISO(deadline.dueAt, { zone: timeZone });
  const { date: dueDate, time: dueTime } = localParts(due);
  const steps: ScheduledNotification[] = [];

  policy.reminders.forEach((rule, index) => {
    let at: DateTime;
    if (rule.secondsBefore !== undefined) {
      at = due.minus({ seconds: rule.secondsBefore });
    } else {
      const day = addCalendarDays(dueDate, -(rule.daysBefore ?? 0));
      // Reminders move earlier, never later, so that the assignee still has the promised lead time.
      const workingDay = calendar === 'working-days' ? previousWorkingDay(day, { decreeNonWorkingDays }) : day;
      at = atLocal(workingDay, rule.atLocalTime ?? DEFAULT_REMINDER_TIME, timeZone);
    }
    steps.push({ stepKey: `r${revision}-reminder-${index + 1}`, kind: 'reminder', target: 'assignee', at: toUtcIso(at) });
  });

  policy.escalations.forEach((rule, index) => {
    let at: DateTime;
    if (rule.secondsAfter !== undefined) {
      at = due.plus({ seconds: rule.secondsAfter });
    } else {
      const days = rule.workingDaysAfter ?? 0;
      const day = calendar === 'working-days' ? addWorkingDays(dueDate, days, { decreeNonWorkingDays }) : addCalendarDays(dueDate, days);
      at = atLocal(day, rule.atLocalTime ?? dueTime, timeZone);
      // The same-day escalation must not fire before the deadline itself has passed.
      if (at < due) at = due;
    }
    steps.push({
      stepKey: `r${revision}-escalation-${index + 1}`,
      kind: 'escalation',
      target: rule.notify,
      at: toUtcIso(at),
    });
  });

  const merge = options.mergeSameMomentReminders ?? true;
  const remindedAt = new Set<string>();
  return steps
    .filter((step) => Date.parse(step.at) > now.getTime())
    .filter((step) => {
      if (!merge || step.kind !== 'reminder') return true;
      if (remindedAt.has(step.at)) return false;
      remindedAt.add(step.at);
      return true;
    })
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

function toUtcIso(instant: DateTime): string {
  return instant.toUTC().toISO({ suppressMilliseconds: true }) as string;
}

/** Renders an instant as the official reads it: '15.12.2026 18:00 (Europe/Moscow)'. */
export function formatLocal(instantIso: string, timeZone: string): string {
  return DateTime.fromISO(instantIso, { zone: timeZone }).toFormat('dd.MM.yyyy HH:mm');
}

/** Validates a policy and returns a list of problems (empty when it is fine). Messages are Russian: they reach the official. */
export function validatePolicy(policy: NotificationPolicy): string[] {
  const problems: string[] = [];
  policy.reminders.forEach((rule, i) => {
    const path = `policy.reminders[${i}]`;
    if ((rule.daysBefore === undefined) === (rule.secondsBefore === undefined)) {
      problems.push(`${path}: укажите ровно одно из полей daysBefore или secondsBefore`);
    }
    if (rule.daysBefore !== undefined && !(Number.isInteger(rule.daysBefore) && rule.daysBefore >= 0 && rule.daysBefore <= 365)) {
      problems.push(`${path}.daysBefore: целое число дней от 0 до 365`);
    }
    if (rule.secondsBefore !== undefined && !(Number.isInteger(rule.secondsBefore) && rule.secondsBefore > 0)) {
      problems.push(`${path}.secondsBefore: целое положительное число секунд`);
    }
    if (rule.atLocalTime !== undefined && !isValidLocalTime(rule.atLocalTime)) {
      problems.push(`${path}.atLocalTime: время в формате ЧЧ:ММ, например 09:00`);
    }
  });
  policy.escalations.forEach((rule, i) => {
    const path = `policy.escalations[${i}]`;
    if ((rule.workingDaysAfter === undefined) === (rule.secondsAfter === undefined)) {
      problems.push(`${path}: укажите ровно одно из полей workingDaysAfter или secondsAfter`);
    }
    if (
      rule.workingDaysAfter !== undefined &&
      !(Number.isInteger(rule.workingDaysAfter) && rule.workingDaysAfter >= 0 && rule.workingDaysAfter <= 60)
    ) {
      problems.push(`${path}.workingDaysAfter: целое число рабочих дней от 0 до 60`);
    }
    if (rule.secondsAfter !== undefined && !(Number.isInteger(rule.secondsAfter) && rule.secondsAfter >= 0)) {
      problems.push(`${path}.secondsAfter: целое неотрицательное число секунд`);
    }
    if (rule.atLocalTime !== undefined && !isValidLocalTime(rule.atLocalTime)) {
      problems.push(`${path}.atLocalTime: время в формате ЧЧ:ММ, например 18:00`);
    }
    if (rule.notify !== 'assignee_head' && rule.notify !== 'supervisor') {
      problems.push(`${path}.notify: допустимо assignee_head (руководитель исполнителя) или supervisor (курирующий орган)`);
    }
  });
  const leadDays = policy.minimumLeadWorkingDays;
  if (leadDays !== undefined && !(Number.isInteger(leadDays) && leadDays >= 1 && leadDays <= MAX_MINIMUM_LEAD_WORKING_DAYS)) {
    problems.push(`policy.minimumLeadWorkingDays: целое число рабочих дней от 1 до ${MAX_MINIMUM_LEAD_WORKING_DAYS}`);
  }
  const lead = policy.minimumLeadSeconds;
  if (lead !== undefined && !(Number.isInteger(lead) && lead > 0 && lead <= MAX_MINIMUM_LEAD_SECONDS)) {
    problems.push(`policy.minimumLeadSeconds: целое число секунд от 1 до ${MAX_MINIMUM_LEAD_SECONDS}`);
  }
  return problems;
}
