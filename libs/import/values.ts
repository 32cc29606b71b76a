/**
 * Cell values as Russian officials write them: «3,75», «1 234,5», «12,5 %», «2023/2024», codes with leading zeros.
 * Every parser gives the value (null for an empty cell) or a Russian message naming the bad text.
 */
import type { RawCell } from './table';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/** What officials put in a cell that has no data: treated as empty. */
const NO_DATA = new Set(['-', '—', '–', 'н/д', 'нд', 'нет данных']);

function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

function fail<T>(message: string): Parsed<T> {
  return { ok: false, message };
}

export function isBlank(cell: RawCell | undefined): boolean {
  return !cell || cell.text === '' || NO_DATA.has(cell.text.toLowerCase());
}

/**
 * A decimal comma or point (one of them), spaces of any kind between groups of thousands, a trailing «%», a true
 * minus sign.
 * «1,234» is 1.234, as a Russian reader means it, not a thousand.
 */
export function parseNumber(cell: RawCell | undefined): Parsed<number | null> {
  if (isBlank(cell)) return ok(null);
  if (cell!.number !== null) return ok(cell!.number);
  const text = cell!.text
    .replace(/\s*%$/, '')
    .replace(/^[−–]\s*/, '-');
  // A space may only group thousands: «1 234,5» is a number, «1 2» is a typo, not 12.
  const grouped = /^[-+]?\d{1,3}([\s\u00a0\u202f]\d{3})+([.,]\d+)?$/.test(text);
  const compact = grouped ? text.replace(/[\s\u00a0\u202f]/g, '') : text;
  if (!/^[-+]?(\d+([.,]\d+)?|[.,]\d+)$/.test(compact)) return fail(`Не число: "${cell!.text}"`);
  const value = Number(compact.replace(',', '.'));
  // «−0» is zero: a negative zero would print as «-0» downstream.
  return ok(value === 0 ? 0 : value);
}

/** A share in per cent, 0–100; an XLSX cell formatted as a percentage (0.125 shown as 12,5 %) counts as 12.5. */
export function parseShare(cell: RawCell | undefined): Parsed<number | null> {
  const parsed = parseNumber(cell);
  if (!parsed.ok || parsed.value === null) return parsed;
  const value = cell!.number !== null && cell!.percent ? roundTiny(parsed.value * 100) : parsed.value;
  if (value < 0 || value > 100) return fail(`Доля вне диапазона 0–100: ${cell!.text}`);
  return ok(value);
}

// 0.125 × 100 is 12.500000000000002: keep the share the official typed.
function roundTiny(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** A mean score on any scale used by the assessments: a mark of 2–5, a test score of 0–100. */
export function parseMeanScore(cell: RawCell | undefined): Parsed<number | null> {
  const parsed = parseNumber(cell);
  if (!parsed.ok || parsed.value === null) return parsed;
  if (parsed.value < 0 || parsed.value > 100) return fail(`Средний балл вне диапазона 0–100: ${cell!.text}`);
  return parsed;
}

/**
 * «2024», «2024 г.», or an academic year «2023/2024», «2023-24», «2023–2024 уч. год» → its first calendar year
 * (2023), the convention of the programme's academic year. A plain year is taken as written.
 */
export function parseYear(cell: RawCell | undefined): Parsed<number | null> {
  if (isBlank(cell)) return ok(null);
  const text = cell!.text;
  let year: number;
  if (cell!.number !== null) {
    if (!Number.isInteger(cell!.number)) return fail(`Год не распознан: "${text}" (ожидается 2024 или 2023/2024)`);
    year = cell!.number;
  } else {
    const plain = text
      .toLowerCase()
      .replace(/\s*(уч\.?|учебный)?\s*(г\.?|гг\.?|год|года)$/, '')
      .trim();
    const single = /^(\d{4})$/.exec(plain);
    const academic = /^(\d{4})\s*[/\-–—]\s*(\d{2}|\d{4})$/.exec(plain);
    if (single) {
      year = Number(single[1]);
    } else if (academic) {
      year = Number(academic[1]);
      const second = academic[2];
      const expected = String(year + 1);
      if (second !== expected && second !== expected.slice(2)) {
        return fail(`Учебный год записан неверно: "${text}" (ожидается ${year}/${year + 1})`);
      }
    } else {
      return fail(`Год не распознан: "${text}" (ожидается 2024 или 2023/2024)`);
    }
  }
  if (year < MIN_YEAR || year > MAX_YEAR) return fail(`Год вне диапазона ${MIN_YEAR}–${MAX_YEAR}: ${text}`);
  return ok(year);
}

/** Text as written, trimmed: «000123» keeps its zeros; an XLSX number keeps them when its format pads. */
export function parseText(cell: RawCell | undefined): string | null {
  return isBlank(cell) ? null : cell!.text.replace(/\s+/g, ' ');
}
