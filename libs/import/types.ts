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
  /** The region whose codes those are, so the error can say where to look them up. */
  regionCode?: string;
}

/** An unknown code is usually a school created without its code, so the message says where codes are seen and set. */
export function unknownSchoolMessage(code: string, regionCode?: string): string {
  const list = `GET /api/organizations?regionCode=${regionCode ?? '<код региона>'}&kind=school`;
  return (
    `Код школы «${code}» не найден в справочнике организаций региона: коды школ видны в ${list} ` +
    'и задаются при создании школы (POST /api/organizations, поле code)'
  );
}

/** Data rows (after the header) one file may hold: the largest region has about 1,500 schools. */
export const MAX_IMPORT_ROWS = 20_000;
