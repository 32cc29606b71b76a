/**
 * A whole academic year squeezed into minutes, for tests and drills: every date of the plan moves linearly so that
 * the order and the proportions of the roadmap are kept, and every day-based rule becomes second-based.
 */
import { DateTime } from 'luxon';
import type { PlanDuration, ResolvedCyclePlan, ResolvedReview } from '../../contracts/cycle-template';
import type { EscalationRule, NotificationPolicy, ReminderRule } from '../../contracts/deadline-task';

export interface CompressionOptions {
  /** How many seconds one real day lasts. */
  secondsPerDay: number;
  /** Where the plan's earliest day (00:00 local) lands. */
  origin: Date;
}

const SECONDS_PER_REAL_DAY = 86_400;
const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";

export function compressPlan(plan: ResolvedCyclePlan, options: CompressionOptions): ResolvedCyclePlan {
  const { secondsPerDay, origin } = options;
  if (plan.compression) throw new Error(`plan ${plan.templateId} is already compressed (${plan.compression.secondsPerDay} s per day)`);
  if (!(Number.isFinite(secondsPerDay) && secondsPerDay > 0)) throw new RangeError(`secondsPerDay must be a positive number, got ${secondsPerDay}`);
  if (!(origin instanceof Date) || Number.isNaN(origin.getTime())) throw new RangeError('origin must be a valid Date');

  const locals: string[] = [];
  for (const stage of plan.stages) {
    for (const step of stage.steps) {
      if (step.opensAt) locals.push(step.opensAt);
      locals.push(step.dueLocal);
      for (const period of step.periods ?? []) locals.push(period.opensAt, period.dueLocal);
    }
  }
  if (locals.length === 0) throw new Error(`plan ${plan.templateId} has no dates to compress`);
  const earliest = locals.reduce((min, value) => (value < min ? value : min));
  // Wall-clock arithmetic, not instants: a day is a day of the roadmap whatever the zone's offset history.
  const baseSeconds = naiveSeconds(`${earliest.slice(0, 10)}T00:00:00`);
  // Whole seconds, rounded up, so nothing compressed lands before the origin the caller chose.
  const originMs = Math.ceil(origin.getTime() / 1000) * 1000;
  const map = (local: string): string => {
    const offsetSeconds = Math.round(((naiveSeconds(local) - baseSeconds) / SECONDS_PER_REAL_DAY) * secondsPerDay);
    return DateTime.fromMillis(originMs + offsetSeconds * 1000, { zone: plan.timeZone }).toFormat(LOCAL_FORMAT);
  };
  const seconds = (days: number): number => Math.max(1, Math.round(days * secondsPerDay));
  const duration = (d: PlanDuration): PlanDuration =>
    'seconds' in d ? { seconds: d.seconds } : { seconds: seconds('workingDays' in d ? d.workingDays : d.calendarDays) };
  const review = (r: ResolvedReview): ResolvedReview => ({ ...r, deadline: duration(r.deadline) });

  return {
    ...plan,
    calendar: 'calendar-days',
    compression: { secondsPerDay, origin: new Date(originMs).toISOString() },
    forms: JSON.parse(JSON.stringify(plan.forms)) as ResolvedCyclePlan['forms'],
    stages: plan.stages.map((stage) => ({
      ...stage,
      dependsOn: [...stage.dependsOn],
      steps: stage.steps.map((step) => {
        const compressed = { ...step, dueLocal: map(step.dueLocal), policy: compressPolicy(step.policy, seconds) };
        if (step.opensAt) compressed.opensAt = map(step.opensAt);
        if (step.periods) compressed.periods = step.periods.map((p) => ({ ...p, opensAt: map(p.opensAt), dueLocal: map(p.dueLocal) }));
        if (step.review) compressed.review = review(step.review);
        if (step.confirmation) compressed.confirmation = duration(step.confirmation);
        if (step.bestPractice) compressed.bestPractice = { ...step.bestPractice, review: review(step.bestPractice.review) };
        return compressed;
      }),
    })),
  };
}

function naiveSeconds(local: string): number {
  return DateTime.fromISO(local, { zone: 'UTC' }).toSeconds();
}

/**
 * Reminders that collapse onto the same second would send the same e-mail twice; one is enough. A compressed
 * calendar runs on the wall clock, so a step can open after its compressed date on a slow or busy machine; the
 * minimum lead then counts the reminder window from the moment the task is issued instead of dropping it.
 */
export function compressPolicy(policy: NotificationPolicy, seconds: (days: number) => number): NotificationPolicy {
  const reminders: ReminderRule[] = [];
  for (const rule of policy.reminders) {
    const secondsBefore = rule.secondsBefore ?? seconds(rule.daysBefore ?? 0);
    if (!reminders.some((r) => r.secondsBefore === secondsBefore)) reminders.push({ secondsBefore });
  }
  const escalations: EscalationRule[] = [];
  for (const rule of policy.escalations) {
    const secondsAfter = rule.secondsAfter ?? seconds(rule.workingDaysAfter ?? 0);
    if (!escalations.some((e) => e.secondsAfter === secondsAfter && e.notify === rule.notify)) escalations.push({ secondsAfter, notify: rule.notify });
  }
  // Every reminder stays ahead of a task that is issued late: the earliest one a second after issue.
  const minimumLeadSeconds = Math.max(0, ...reminders.map((r) => r.secondsBefore ?? 0)) + 1;
  return { reminders, escalations, minimumLeadSeconds };
}
