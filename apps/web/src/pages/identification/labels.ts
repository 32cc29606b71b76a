/**
 * Russian words for the identification codes the API answers with. The tag colours are those whose text passes WCAG
 * AA on their own background with the app's theme (main.tsx darkens green, orange and gold; red passes as it is).
 */
import type { RankedSchool } from './queries';

export type Category = NonNullable<RankedSchool['category']>;

export const CATEGORY: Record<Category, { text: string; color: string }> = {
  low_results: { text: 'Низкие результаты', color: 'orange' },
  social_risk: { text: 'Социальные риски', color: 'gold' },
  both: { text: 'Низкие результаты и социальные риски', color: 'red' },
};

/** Sorting order of the categories: both first, then low results, then social risk, then none. */
export const CATEGORY_ORDER: Record<string, number> = { both: 0, low_results: 1, social_risk: 2 };

export const FILE_TITLE: Record<'results' | 'social', string> = {
  results: 'Результаты оценочных процедур',
  social: 'Социальные паспорта школ',
};

/** «2022, 2023» — the years, or a dash. */
export function yearsText(years: readonly number[]): string {
  return years.length ? years.join(', ') : '—';
}

/** Compares two possibly missing numbers, the missing last. */
export function byNumber(a: number | null | undefined, b: number | null | undefined): number {
  if (a == null) return b == null ? 0 : 1;
  if (b == null) return -1;
  return a - b;
}

export function byText(a: string | null | undefined, b: string | null | undefined): number {
  return (a ?? '').localeCompare(b ?? '', 'ru');
}
