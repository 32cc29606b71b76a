/**
 * Finding the header row and the columns by their Russian names. Officials rename columns freely («Код ОО»,
 * «Код школы», «код оо »), so a column is recognised by a rule over its normalised name, not by exact text.
 */
import { countOf, formatRussianNumber, NOUNS } from '../domain/russian';
import type { RawCell, RawRow } from './table';
import { MAX_IMPORT_ROWS, type ImportError } from './types';

export interface ColumnSpec<K extends string> {
  key: K;
  /** The expected name, for «Нет обязательного столбца «…»». */
  title: string;
  required: boolean;
  /** Tested against normaliseHeader(header text). Specs are tried in order; the first match takes the column. */
  matches(name: string): boolean;
  /**
   * Other names `matches` takes, as officials write them: the file templates list them, and a unit test checks that
   * each is taken by this column (so the list cannot drift from the rule).
   */
  aliases: readonly string[];
  /** What goes in the column (Russian), for the file templates. */
  description: string;
}

export interface LocatedColumn {
  index: number;
  /** As written in the file, for error messages. */
  header: string;
}

export interface LocatedHeader<K extends string> {
  /** The header's row number; data start after it. */
  rowNumber: number;
  columns: Partial<Record<K, LocatedColumn>>;
  errors: ImportError[];
}

/** Title rows above the header are common in ministry spreadsheets: look this far for the header. */
export const HEADER_SEARCH_ROWS = 10;

/** Lower case, ё → е, every run of punctuation or spaces → one space: «Доля …, %» and «доля … (%)» compare equal. */
export function normaliseHeader(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** A column of counts («Количество…», «Кол-во…», «Число…») never stands for a share or a score. */
export function isCountColumn(name: string): boolean {
  return /^(количество|кол во|число)( |$)/.test(name);
}

export function countRecognised<K extends string>(cells: string[], specs: readonly ColumnSpec<K>[]): number {
  return cells.filter((cell) => specs.some((spec) => spec.matches(normaliseHeader(cell)))).length;
}

/**
 * The header is the first of the first non-empty rows holding the `anchor` column (the school code); without one,
 * the first non-empty row, so that the missing columns are reported where the official expects the header.
 */
export function locateHeader<K extends string>(
  rows: RawRow[],
  specs: readonly ColumnSpec<K>[],
  anchor: K,
): LocatedHeader<K> | null {
  const nonEmpty = rows.filter((row) => !isEmptyRow(row)).slice(0, HEADER_SEARCH_ROWS);
  if (nonEmpty.length === 0) return null;
  const anchorSpec = specs.find((spec) => spec.key === anchor)!;
  const header =
    nonEmpty.find((row) => row.cells.some((cell) => anchorSpec.matches(normaliseHeader(cell.text)))) ?? nonEmpty[0];

  const columns: Partial<Record<K, LocatedColumn>> = {};
  const errors: ImportError[] = [];
  header.cells.forEach((cell, index) => {
    const name = normaliseHeader(cell.text);
    if (name === '') return;
    const spec = specs.find((s) => s.matches(name));
    if (!spec) return;
    const existing = columns[spec.key];
    if (existing) {
      errors.push({
        row: header.rowNumber,
        column: cell.text,
        message: `Столбец «${spec.title}» встречается дважды (уже есть «${existing.header}»): оставьте один`,
      });
      return;
    }
    columns[spec.key] = { index, header: cell.text };
  });
  for (const spec of specs) {
    if (spec.required && !columns[spec.key]) {
      errors.push({ row: header.rowNumber, column: spec.title, message: `Нет обязательного столбца «${spec.title}»` });
    }
  }
  return { rowNumber: header.rowNumber, columns, errors };
}

export function isEmptyRow(row: RawRow): boolean {
  return row.cells.every((cell) => cell.text === '');
}

export function cellAt(row: RawRow, column: LocatedColumn | undefined): RawCell | undefined {
  if (!column) return undefined;
  return row.cells[column.index] ?? { text: '', number: null, percent: false };
}

/** The non-empty rows below the header, or the whole file refused when there are more than MAX_IMPORT_ROWS. */
export function dataRowsAfter(rows: RawRow[], headerRowNumber: number): { rows: RawRow[] } | { error: ImportError } {
  const data = rows.filter((row) => row.rowNumber > headerRowNumber && !isEmptyRow(row));
  if (data.length <= MAX_IMPORT_ROWS) return { rows: data };
  const count = countOf(data.length, NOUNS.row);
  const limit = formatRussianNumber(MAX_IMPORT_ROWS);
  const message = `В файле ${count} данных, допускается не более ${limit}: разделите файл`;
  return { error: { row: 0, column: '', message } };
}
