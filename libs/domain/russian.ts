/**
 * Russian wording rules shared by e-mails, API messages and generated titles. Pure and sandbox-safe. Plural forms
 * come from the runtime's CLDR rules (Intl.PluralRules), not from a hand-written copy of them.
 */

export interface RussianForms {
  /** 1, 21, 101 задача */
  one: string;
  /** 2–4, 22–24 задачи */
  few: string;
  /** 0, 5–20, 25 задач */
  many: string;
}

const rules = new Intl.PluralRules('ru-RU');

/** The form of the noun that goes with `count`: plural(3, {one: 'задача', few: 'задачи', many: 'задач'}) → 'задачи'. */
export function plural(count: number, forms: RussianForms): string {
  const category = rules.select(count);
  // CLDR's 'other' is the fractional form (1,5 задачи), the same as 'few' in Russian.
  return category === 'one' ? forms.one : category === 'few' || category === 'other' ? forms.few : forms.many;
}

/** The count and its noun: countOf(5, {…}) → '5 задач'. Large numbers are grouped as officials write them: 12 345. */
export function countOf(count: number, forms: RussianForms): string {
  return `${formatRussianNumber(count)} ${plural(count, forms)}`;
}

/** 12 345,6: a space between thousands, a comma before the fraction. */
export function formatRussianNumber(value: number, maximumFractionDigits = 1): string {
  // Intl puts a narrow no-break space between thousands; a plain no-break space survives every mail client.
  return new Intl.NumberFormat('ru-RU', { maximumFractionDigits }).format(value).replace(/\u202f/g, '\u00a0');
}

export const NOUNS = {
  school: { one: 'школа', few: 'школы', many: 'школ' },
  task: { one: 'задача', few: 'задачи', many: 'задач' },
  day: { one: 'день', few: 'дня', many: 'дней' },
  workingDay: { one: 'рабочий день', few: 'рабочих дня', many: 'рабочих дней' },
  hour: { one: 'час', few: 'часа', many: 'часов' },
  minute: { one: 'минута', few: 'минуты', many: 'минут' },
  second: { one: 'секунда', few: 'секунды', many: 'секунд' },
  year: { one: 'год', few: 'года', many: 'лет' },
  period: { one: 'период', few: 'периода', many: 'периодов' },
  // Other cases, named by the words that govern them: «из 21 школы», «сопровождает 1 школу», «в 2 годах»,
  // «не длиннее 21 символа», «в файле 21 строка».
  schoolGenitive: { one: 'школы', few: 'школ', many: 'школ' },
  schoolAccusative: { one: 'школу', few: 'школы', many: 'школ' },
  yearPrepositional: { one: 'году', few: 'годах', many: 'годах' },
  row: { one: 'строка', few: 'строки', many: 'строк' },
  rowGenitive: { one: 'строки', few: 'строк', many: 'строк' },
  workingDayGenitive: { one: 'рабочего дня', few: 'рабочих дней', many: 'рабочих дней' },
  secondGenitive: { one: 'секунды', few: 'секунд', many: 'секунд' },
  characterGenitive: { one: 'символа', few: 'символов', many: 'символов' },
  byteGenitive: { one: 'байта', few: 'байт', many: 'байт' },
  elementGenitive: { one: 'элемента', few: 'элементов', many: 'элементов' },
  reminderGenitive: { one: 'напоминания', few: 'напоминаний', many: 'напоминаний' },
  escalationGenitive: { one: 'эскалации', few: 'эскалаций', many: 'эскалаций' },
} as const satisfies Record<string, RussianForms>;
