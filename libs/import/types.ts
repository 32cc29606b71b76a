import type { AssessmentRow, SocialPassportRow } from '../domain/analytics/types';

export type { AssessmentRow, SocialPassportRow };

/**
 * One problem in an imported file, in the official's terms.
 * - row: the row number as the spreadsheet shows it (the header is row 1 unless title rows precede it);
 *   0 = the file as a whole (unknown type, unreadable, empty, too long).
 * - column: the header text as written in the file; for a missing column, its expected name («Код ОО»);
 *   '' when the problem is not about a column.
 * - message: Russian.
 */
export interface ImportError {
  row: number;
  column: string;
  message: string;
}

/** The caller imports nothing when `errors` is non-empty: `rows` then holds only the rows that parsed. */
export interface ImportResult<T> {
  rows: T[];
  errors: ImportError[];
}

export interface ImportOptions {
  /** The region's school codes: a row naming another code is an error at its «Код ОО» cell. */
  knownSchoolCodes?: ReadonlySet<string>;
}

export const unknownSchoolMessage = (code: string): string => `Школа с кодом «${code}» не найдена в справочнике региона`;

/** Data rows (after the header) one file may hold: the largest region has about 1,500 schools. */
export const MAX_IMPORT_ROWS = 20_000;
