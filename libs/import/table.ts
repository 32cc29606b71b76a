/**
 * Bytes → a table of cells, whatever the official saved: CSV (';', ',' or tab; UTF-8 with or without BOM,
 * UTF-16 with BOM, or Windows-1251) or XLSX (the first sheet). The file kinds (libs/import/assessment.ts, …)
 * give the cells meaning.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { formatRussianNumber } from '../domain/russian';
import { MAX_IMPORT_ROWS, type ImportError } from './types';
import { parseWorkbookInWorker } from './xlsx-parse';
import { inspectXlsx, WorkbookRefused, XLSX_LIMITS } from './xlsx-limits';

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
const DELIMITER_SAMPLE_CHARS = 4_096;
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
  const oversize = csvOversize(text, delimiter);
  if (oversize) return fileError(`Файл «${fileName}» не принят: ${oversize}`);
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
 * The workbook's bounds (XLSX_LIMITS: rows, columns, cells) hold for CSV too, checked in one pass before csv-parse
 * builds the records: 20 MiB of «;;;;» would otherwise be 20 million cells in memory. Quotes are honoured, so a
 * delimiter or line break inside a quoted cell counts as text, as csv-parse will read it.
 */
function csvOversize(text: string, delimiter: string): string | null {
  let line = 1;
  let rows = 0;
  let cells = 0;
  let fields = 1;
  let filled = false;
  let quoted = false;
  let fieldStart = true;
  const endLine = (): string | null => {
    if (filled) {
      rows += 1;
      cells += fields;
      if (rows > XLSX_LIMITS.rows) {
        return (
          `в файле больше ${formatRussianNumber(XLSX_LIMITS.rows)} заполненных строк; ` +
          `допускается не более ${formatRussianNumber(MAX_IMPORT_ROWS)} строк данных: разделите файл`
        );
      }
      if (cells > XLSX_LIMITS.cells) return `в файле больше ${formatRussianNumber(XLSX_LIMITS.cells)} ячеек: удалите лишние столбцы`;
    }
    line += 1;
    fields = 1;
    filled = false;
    fieldStart = true;
    return null;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (char === '"' && fieldStart) {
      quoted = true;
      filled = true;
      fieldStart = false;
    } else if (char === delimiter) {
      fields += 1;
      fieldStart = true;
      if (fields > XLSX_LIMITS.columns) {
        return `в строке ${line} больше ${XLSX_LIMITS.columns} столбцов: удалите лишние (или пустые) столбцы`;
      }
    } else if (char === '\n') {
      const refused = endLine();
      if (refused) return refused;
    } else if (char !== '\r' && char !== ' ' && char !== '\t') {
      filled = true;
      fieldStart = false;
    }
  }
  return endLine();
}

/**
 * Counting delimiters is not enough: the passport's column names contain commas («…, где оба родителя…, %») and
 * values contain decimal commas. So every candidate splits the first lines, and the one under which the file
 * kind recognises most column names wins; then the one with the most evenly sized rows; then ';' over ',' over tab.
 * Lines are split one by one, so that a broken quote further down still gets its error from the real parse.
 */
function detectDelimiter(text: string, scoreHeader: HeaderScorer): string {
  // A header is short: the start of a line is enough to tell its delimiter, and a whole line of a hostile file
  // (20 MiB of «;») would be split three times into millions of cells before the size bounds are checked.
  const lines = text
    .split(/\r?\n/, DELIMITER_SAMPLE_LINES * 20)
    .filter((line) => line.trim() !== '')
    .slice(0, DELIMITER_SAMPLE_LINES)
    .map((line) => line.slice(0, DELIMITER_SAMPLE_CHARS));
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
  try {
    await inspectXlsx(content);
  } catch (error) {
    if (error instanceof WorkbookRefused) {
      return fileError(
        error.corrupt
          ? `Не удалось прочитать книгу Excel «${fileName}»: файл повреждён или это не .xlsx`
          : `Книга Excel «${fileName}» не принята: ${error.message}`,
      );
    }
    throw error;
  }
  const parsed = await parseWorkbookInWorker(content);
  if ('rows' in parsed) return { table: { format: 'xlsx', rows: parsed.rows } };
  if ('noSheet' in parsed) return fileError(`В книге «${fileName}» нет листов`);
  if ('outOfMemory' in parsed || 'timedOut' in parsed) {
    return fileError(
      `Книга Excel «${fileName}» не принята: она слишком сложна для разбора (форматирование, формулы или скрытые листы); ` +
        'сохраните лист с данными как CSV или в новую книгу',
    );
  }
  return fileError(`Не удалось прочитать книгу Excel «${fileName}»: файл повреждён или это не .xlsx`);
}
