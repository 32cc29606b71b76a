import { countOf, NOUNS } from '../russian';

/** Russian number formatting for the reasons shown to officials: a decimal comma and a true minus sign. */
export function formatDecimal(value: number, digits = 2): string {
  const fixed = Math.abs(value).toFixed(digits).replace('.', ',');
  return value < 0 && Number(fixed.replace(',', '.')) !== 0 ? `−${fixed}` : fixed;
}

/** 12.5 → '12,5', 10 → '10': shares as officials write them, without trailing zeros. */
export function formatShare(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return formatDecimal(rounded, Number.isInteger(rounded) ? 0 : 1);
}

/** «в 1 году», «в 2 годах», «в 21 году». */
export function yearsPrepositional(count: number): string {
  return countOf(count, NOUNS.yearPrepositional);
}
