/** Russian words for the codes the cycle API answers with, and the local date-times the plan is written in. */
import { formatNumber, zoneLabel } from '../../format';

// The palette's presets (blue, orange, green), not the status ones (processing, warning, success): those draw their text
// in #1677ff, #faad14 and #52c41a on their light backgrounds, short of 4.5:1 (axe in test/browser).
export const CYCLE_STATUS: Record<string, { text: string; color: string }> = {
  running: { text: 'Идёт', color: 'blue' },
  paused: { text: 'Приостановлен', color: 'orange' },
  completed: { text: 'Завершён', color: 'green' },
  cancelled: { text: 'Отменён', color: 'default' },
};

export const STAGE_STATUS: Record<string, { text: string; color: string }> = {
  waiting: { text: 'Ожидает', color: 'default' },
  open: { text: 'Идёт', color: 'blue' },
  closed: { text: 'Завершён', color: 'green' },
  cancelled: { text: 'Отменён', color: 'default' },
};

/** Who an escalation reaches (`notify`). */
export const NOTIFY: Record<string, string> = {
  assignee_head: 'руководителю организации-исполнителя',
  supervisor: 'руководителям курирующей организации',
};

/** What a dry-run task asks for (`action`). */
export const ACTION: Record<string, string> = {
  perform: 'выполнить',
  submit: 'представить',
  review: 'рассмотреть',
  approve_list: 'утвердить список',
  propose_pairs: 'предложить пары',
  confirm_agreement: 'подтвердить соглашение',
  report: 'отчитаться',
  describe_practice: 'описать практику',
};

/**
 * The production calendar the API counts working days by covers 2017–2027 (libs/domain/calendar); a date outside it
 * cannot be a deadline, so the date pickers stop there.
 */
export const CALENDAR_FIRST_YEAR = 2017;
export const CALENDAR_LAST_YEAR = 2027;

/** The organisation a dry run has not chosen yet (best-practice schools, a partner not yet proposed). */
export const CHOSEN_LATER = '*';

/**
 * A local wall-clock time of the plan ('2026-12-15T18:00:00', or a date alone) as 15.12.2026 18:00. These strings
 * carry no offset: they are already the plan's local time and are shown as written, with the zone named beside them.
 */
export function formatLocal(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(local);
  if (!m) return local;
  return m[4] ? `${m[3]}.${m[2]}.${m[1]} ${m[4]}:${m[5]}` : `${m[3]}.${m[2]}.${m[1]}`;
}

/** 15.12.2026 18:00 (Екатеринбург, UTC+5) for a local time of the plan. */
export function formatLocalInZone(local: string, timeZone: string): string {
  return `${formatLocal(local)} (${zoneLabel(timeZone)})`;
}

/** «2026/2027 учебный год» or «2026 год» when the template runs in calendar years. */
export function yearText(year: number, calendarYear = false): string {
  return calendarYear ? `${year} год` : `${year}/${year + 1} учебный год`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

export { formatNumber };
