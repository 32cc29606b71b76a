/**
 * How the web app writes dates, numbers and counts in Russian. Pure: only `Intl`, no DOM and no clock unless one is
 * passed, so the unit tests run it under Node (test/unit/web-format.spec.ts).
 *
 * Dates are shown in the zone the deadline was set in (the task's zone), never the browser's, and the zone is named:
 * «15.12.2026 18:00 (Екатеринбург, UTC+5)».
 */

const LOCALE = 'ru-RU';

/** Russian names of the zones Russian regions use; any other zone is shown by its IANA name. */
const ZONE_NAMES: Record<string, string> = {
  'Europe/Kaliningrad': 'Калининград',
  'Europe/Moscow': 'Москва',
  'Europe/Simferopol': 'Симферополь',
  'Europe/Kirov': 'Киров',
  'Europe/Volgograd': 'Волгоград',
  'Europe/Astrakhan': 'Астрахань',
  'Europe/Saratov': 'Саратов',
  'Europe/Ulyanovsk': 'Ульяновск',
  'Europe/Samara': 'Самара',
  'Asia/Yekaterinburg': 'Екатеринбург',
  'Asia/Omsk': 'Омск',
  'Asia/Novosibirsk': 'Новосибирск',
  'Asia/Barnaul': 'Барнаул',
  'Asia/Tomsk': 'Томск',
  'Asia/Novokuznetsk': 'Новокузнецк',
  'Asia/Krasnoyarsk': 'Красноярск',
  'Asia/Irkutsk': 'Иркутск',
  'Asia/Chita': 'Чита',
  'Asia/Yakutsk': 'Якутск',
  'Asia/Khandyga': 'Хандыга',
  'Asia/Vladivostok': 'Владивосток',
  'Asia/Ust-Nera': 'Усть-Нера',
  'Asia/Magadan': 'Магадан',
  'Asia/Sakhalin': 'Сахалин',
  'Asia/Srednekolymsk': 'Среднеколымск',
  'Asia/Kamchatka': 'Камчатка',
  'Asia/Anadyr': 'Анадырь',
};

interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function localParts(instant: string | Date, timeZone: string): LocalParts {
  let formatter = partsFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    partsFormatters.set(timeZone, formatter);
  }
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a moment in time: ${String(instant)}`);
  const parts = Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

/** The zone's offset at that moment: «UTC+5», «UTC-3:30», «UTC» (no DST in Russia, but other zones have it). */
export function utcOffset(instant: string | Date, timeZone: string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' })
    .formatToParts(date)
    .find((p) => p.type === 'timeZoneName')?.value;
  const offset = name?.replace(/^GMT/, '').replace(/^[+-]0?$/, '') ?? '';
  return `UTC${offset}`;
}

/** «Екатеринбург, UTC+5»; «America/New_York, UTC-5» for a zone without a Russian name. */
export function zoneLabel(timeZone: string, at: string | Date = new Date()): string {
  const offset = utcOffset(at, timeZone);
  if (offset === 'UTC' && /^(Etc\/)?(UTC|GMT)$/.test(timeZone)) return 'UTC';
  return `${ZONE_NAMES[timeZone] ?? timeZone}, ${offset}`;
}

/** 15.12.2026 — the local date of the moment in the zone. */
export function formatDate(instant: string | Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.day}.${p.month}.${p.year}`;
}

/** 18:00 — the local time of the moment in the zone. */
export function formatTime(instant: string | Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** 15.12.2026 18:00 */
export function formatDateTime(instant: string | Date, timeZone: string): string {
  return `${formatDate(instant, timeZone)} ${formatTime(instant, timeZone)}`;
}

/** 15.12.2026 18:00 (Екатеринбург, UTC+5) */
export function formatDateTimeInZone(instant: string | Date, timeZone: string): string {
  return `${formatDateTime(instant, timeZone)} (${zoneLabel(timeZone, instant)})`;
}

/** A local date 'YYYY-MM-DD' (no zone: it is the same day everywhere it is read) as 15.12.2026. */
export function formatLocalDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  return match ? `${match[3]}.${match[2]}.${match[1]}` : isoDate;
}

/** The local date of the moment in the zone as 'YYYY-MM-DD'. */
export function localIsoDate(instant: string | Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

const numberFormats = new Map<number, Intl.NumberFormat>();

/** 12 345,6 (Russian grouping with a no-break space, decimal comma). */
export function formatNumber(value: number, maximumFractionDigits = 1): string {
  let format = numberFormats.get(maximumFractionDigits);
  if (!format) {
    format = new Intl.NumberFormat(LOCALE, { maximumFractionDigits });
    numberFormats.set(maximumFractionDigits, format);
  }
  return format.format(value);
}

/** The three forms of a Russian noun after a number: 1 задача, 3 задачи, 5 задач. */
export interface PluralForms {
  one: string;
  few: string;
  many: string;
}

const pluralRules = new Intl.PluralRules(LOCALE);

export function plural(count: number, forms: PluralForms): string {
  const category = pluralRules.select(count);
  switch (category) {
    case 'one':
      return forms.one;
    case 'few':
      return forms.few;
    case 'many':
      return forms.many;
    default:
      // 'other' is a fraction in Russian: 1,5 задачи.
      return forms.few;
  }
}

/** «1 задача», «3 задачи», «5 задач», «12 345 задач». */
export function countOf(count: number, forms: PluralForms): string {
  return `${formatNumber(count)} ${plural(count, forms)}`;
}

export const NOUNS = {
  task: { one: 'задача', few: 'задачи', many: 'задач' },
  workingDay: { one: 'рабочий день', few: 'рабочих дня', many: 'рабочих дней' },
  document: { one: 'документ', few: 'документа', many: 'документов' },
  school: { one: 'школа', few: 'школы', many: 'школ' },
} satisfies Record<string, PluralForms>;

/**
 * What the inbox says of the working days until the deadline (as the API counts them in the task's zone):
 * «осталось 3 рабочих дня», «остался 1 рабочий день», «срок истекает сегодня», «просрочена на 2 рабочих дня».
 */
export function workingDaysLeftText(days: number): string {
  if (days === 0) return 'срок истекает сегодня';
  if (days < 0) return `просрочена на ${countOf(-days, NOUNS.workingDay)}`;
  return `${plural(days, { one: 'остался', few: 'осталось', many: 'осталось' })} ${countOf(days, NOUNS.workingDay)}`;
}
