/**
 * Bytes → a table of cells, whatever the official saved: CSV (';', ',' or tab; UTF-8 with or without BOM,
 * UTF-16 with BOM, or Windows-1251) or XLSX (the first sheet). The file kinds (libs/import/assessment.ts, …)
 * give the cells meaning.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { ImportError } from './types';

export interface RawCell {
  /** Trimmed text; for an XLSX number, its digits ('3.75'), zero-padded when the cell's format pads ('000123'). */
  text: string;
  /** The value when the workbook stored a number; null for text and for every CSV cell. */
  number: number | null;
  /** The XLSX cell is formatted as a percentage: 0.125 is shown as 12.5 %. */
  percent: boolean;
}

export interface RawRow {
  /** As the spreadsheet shows it: 1 = the first line of the file. */
  rowNumber: number;
  /** By 0-based column position. */
  cells: RawCell[];
}

export interface RawTable {
  format: 'csv' | 'xlsx';
  rows: RawRow[];
}

/** Tells how many cells of a candidate header row the file kind recognises; picks the CSV delimiter. */
export type HeaderScorer = (cells: string[]) => number;

export type ReadTableResult = { table: RawTable } | { error: ImportError };

export const CSV_DELIMITERS = [';', ',', '\t'] as const;
const DELIMITER_SAMPLE_LINES = 50;
const HEADER_SEARCH_ROWS = 10;
const SUPPORTED = '.csv или .xlsx';

export const EMPTY_CELL: RawCell = { text: '', number: null, percent: false };

export async function readTable(
  content: Buffer,
  fileName: string,
  scoreHeader: HeaderScorer,
): Promise<ReadTableResult> {
  const extension = /\.([^./\\]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? '';
  if (content.length === 0) return fileError(`Файл «${fileName}» пуст`);
  if (startsWith(content, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    return fileError(`Файл «${fileName}» в старом формате Excel (.xls): сохраните его как .xlsx или .csv`);
  }
  const isZip = startsWith(content, [0x50, 0x4b, 0x03, 0x04]);

  if (extension === 'xlsx') {
    if (!isZip) return fileError(`Файл «${fileName}» не является книгой Excel .xlsx: он повреждён или другого формата`);
    return readXlsx(content, fileName);
  }
  if (extension === 'csv' || extension === 'txt' || extension === '') {
    // A workbook renamed to .csv is still a workbook: the content decides.
    if (isZip) return readXlsx(content, fileName);
    return readCsv(content, fileName, scoreHeader);
  }
  return fileError(`Неподдерживаемый тип файла «.${extension}»: загрузите таблицу в формате ${SUPPORTED}`);
}

function fileError(message: string): { error: ImportError } {
  return { error: { row: 0, column: '', message } };
}

function startsWith(content: Buffer, signature: number[]): boolean {
  return content.length >= signature.length && signature.every((byte, i) => content[i] === byte);
}

/** UTF-16 by its BOM; otherwise UTF-8 if the bytes are valid UTF-8 (the BOM is dropped), else Windows-1251. */
export function decodeText(content: Buffer): string {
  if (startsWith(content, [0xff, 0xfe])) return new TextDecoder('utf-16le').decode(content);
  if (startsWith(content, [0xfe, 0xff])) return new TextDecoder('utf-16be').decode(content);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return new TextDecoder('windows-1251').decode(content);
  }
}

function readCsv(content: Buffer, fileName: string, scoreHeader: HeaderScorer): ReadTableResult {
  const text = decodeText(content);
  if (text.includes('\u0000') || text.startsWith('%PDF')) {
    return fileError(`Файл «${fileName}» не является текстовым CSV: загрузите таблицу в формате ${SUPPORTED}`);
  }
  const delimiter = detectDelimiter(text, scoreHeader);
  let records: string[][];
  try {
    records = parseCsv(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch {
    const row = unclosedQuoteRow(text, delimiter);
    return fileError(
      row === null
        ? `Не удалось разобрать CSV «${fileName}»: проверьте кавычки`
        : `Не закрыта кавычка в строке ${row}: ячейка, начатая с «"», должна им и заканчиваться`,
    );
  }
  // csv-parse yields a record for every line, empty ones included, so the record's position is the row that
  // Excel shows when it opens the file (a quoted line break stays inside its cell there too).
  const rows = records.map((record, index) => ({
    rowNumber: index + 1,
    cells: record.map((value) => ({ text: value.trim(), number: null, percent: false })),
  }));
  return { table: { format: 'csv', rows } };
}

/**
 * Counting delimiters is not enough: the passport's column names contain commas («…, где оба родителя…, %») and
 * values contain decimal commas. So every candidate splits the first lines, and the one under which the file
 * kind recognises most column names wins; then the one with the most evenly sized rows; then ';' over ',' over tab.
 * Lines are split one by one, so that a broken quote further down still gets its error from the real parse.
 */
function detectDelimiter(text: string, scoreHeader: HeaderScorer): string {
  const lines = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, DELIMITER_SAMPLE_LINES);
  let best: { delimiter: string; recognised: number; even: number } | null = null;
  for (const delimiter of CSV_DELIMITERS) {
    const sample = lines.map((line) => splitLine(line, delimiter));
    if (sample.length === 0) continue;
    const recognised = Math.max(0, ...sample.slice(0, HEADER_SEARCH_ROWS).map((cells) => scoreHeader(cells)));
    const width = sample[0].length;
    const even = width > 1 ? sample.filter((cells) => cells.length === width).length : 0;
    if (!best || recognised > best.recognised || (recognised === best.recognised && even > best.even)) {
      best = { delimiter, recognised, even };
    }
  }
  return best?.delimiter ?? ';';
}

/**
 * csv-parse names the file's last line when a quote is never closed; the official needs the row where it opened.
 * Rows are counted as a spreadsheet counts them: a line break inside quotes stays in its cell.
 */
function unclosedQuoteRow(text: string, delimiter: string): number | null {
  let row = 1;
  let openedAt: number | null = null;
  let fieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (openedAt !== null) {
      if (char !== '"') continue;
      if (text[i + 1] === '"') i++;
      else {
        openedAt = null;
        fieldStart = false;
      }
    } else if (char === '"' && fieldStart) {
      openedAt = row;
    } else if (char === delimiter || char === '\n') {
      if (char === '\n') row++;
      fieldStart = true;
    } else if (char !== '\r') {
      fieldStart = false;
    }
  }
  return openedAt;
}

function splitLine(line: string, delimiter: string): string[] {
  try {
    const [record] = parseCsv(line, { delimiter, relax_column_count: true, relax_quotes: true }) as string[][];
    return (record ?? []).map((cell) => cell.trim());
  } catch {
    return line.split(delimiter).map((cell) => cell.trim());
  }
}

async function readXlsx(content: Buffer, fileName: string): Promise<ReadTableResult> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its argument as its own ArrayBuffer-like `Buffer`; it reads Node's Buffer (JSZip underneath).
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch {
    return fileError(`Не удалось прочитать книгу Excel «${fileName}»: файл повреждён или это не .xlsx`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return fileError(`В книге «${fileName}» нет листов`);
  const rows: RawRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: RawCell[] = [];
    row.eachCell({ includeEmpty: false }, (cell, columnNumber) => {
      while (cells.length < columnNumber - 1) cells.push(EMPTY_CELL);
      cells[columnNumber - 1] = xlsxCell(cell.value, cell.numFmt);
    });
    rows.push({ rowNumber, cells });
  });
  return { table: { format: 'xlsx', rows } };
}

function xlsxCell(value: ExcelJS.CellValue, numFmt: string | undefined): RawCell {
  const format = numFmt ?? '';
  const resolved = resultOf(value);
  if (typeof resolved === 'number') {
    const padTo = /^0+$/.test(format) ? format.length : 0;
    const text = Number.isInteger(resolved) && padTo > 0 ? String(resolved).padStart(padTo, '0') : String(resolved);
    return { text, number: resolved, percent: format.includes('%') };
  }
  return { text: resolved.trim(), number: null, percent: false };
}

/** A cell's value as text or number: formulas give their cached result, rich text its plain text. */
function resultOf(value: ExcelJS.CellValue): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'ИСТИНА' : 'ЛОЖЬ';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    const result = (value as ExcelJS.CellFormulaValue).result;
    if (result === undefined || result === null) return '';
    if (typeof result === 'object' && 'error' in result) return result.error;
    return resultOf(result as ExcelJS.CellValue);
  }
  if ('error' in value) return value.error;
  if ('text' in value) return String(value.text);
  return '';
}
