// unzipper ships no types; ts-node (npm run api:types, the worker thread) reads only what is referenced, not tsconfig's include.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./unzipper.d.ts" />
/**
 * Bounds on an uploaded workbook, checked before exceljs sees it. An XLSX file is a zip archive: 1.5 MB within the
 * upload limit can inflate to 500 MB of XML, and exceljs builds every cell of every sheet in memory (about 600 bytes
 * a cell), so a crafted or merely bloated file could hold the API for minutes and gigabytes. So:
 *
 * 1. The central directory (unzipper) is read without inflating anything: too many entries, or a declared total
 *    over XLSX_LIMITS.expandedBytes, and the file is refused.
 * 2. Every entry is inflated as a stream (unzipper, i.e. zlib; no hand-written inflater) and its bytes counted, since
 *    the declared sizes may lie: an entry larger than it declared, or a total over the bound, stops the inflation
 *    at once. The worksheets' XML is read on the way by a streaming parser (saxes, also an exceljs dependency), which
 *    counts rows, cells and the widest column, and stops at the first bound crossed.
 * 3. Only then does exceljs parse it, in a worker thread whose heap is capped (libs/import/xlsx-parse.ts), so that
 *    whatever slips past the counts costs that worker, not the API.
 *
 * The bounds are generous for a region: the largest has about 1,500 schools, and a results file of three years of
 * several assessments has up to 20,000 data rows (MAX_IMPORT_ROWS) of a dozen or so columns.
 */
import { StringDecoder } from 'node:string_decoder';
import { SaxesParser } from 'saxes';
import * as unzipper from 'unzipper';
import { formatRussianNumber } from '../domain/russian';
import { MAX_IMPORT_ROWS } from './types';

export const XLSX_LIMITS = {
  /** Entries of the archive: a workbook has a dozen or two; a thousand leaves room for many sheets and images. */
  entries: 1_000,
  /** Inflated bytes of all entries together: the XML of 20,000 rows × 30 columns is about 15 MiB. */
  expandedBytes: 50 * 1024 * 1024,
  /** Rows with at least one cell, in all sheets: the data rows, a header and title rows, and room to spare. */
  rows: MAX_IMPORT_ROWS + 5_000,
  /** The widest column a cell may be in (GR): the files have a dozen or so columns, officials add a few of their own. */
  columns: 200,
  /** Cells in all sheets (styled empty cells count: exceljs builds them too): 20,000 rows × 30 columns. */
  cells: 600_000,
} as const;

/** Thrown (as a Russian reason) when the workbook crosses a bound or cannot be read as a zip archive. */
export class WorkbookRefused extends Error {
  constructor(
    message: string,
    /** Not a readable archive at all (truncated, encrypted, inconsistent), rather than one over a bound. */
    readonly corrupt = false,
  ) {
    super(message);
  }
}

const WORKSHEET = /^xl\/worksheets\/[^/]+\.xml$/i;

/** Resolves when the workbook is within every bound; rejects with WorkbookRefused (a Russian reason) otherwise. */
export async function inspectXlsx(content: Buffer): Promise<void> {
  let directory: unzipper.CentralDirectory;
  try {
    directory = await unzipper.Open.buffer(content);
  } catch {
    throw new WorkbookRefused('архив книги повреждён или обрезан', true);
  }
  const files = directory.files.filter((file) => file.type === 'File');
  if (directory.files.length > XLSX_LIMITS.entries) {
    throw new WorkbookRefused(
      `в архиве книги ${formatRussianNumber(directory.files.length)} частей, допускается не более ${formatRussianNumber(XLSX_LIMITS.entries)}`,
    );
  }
  const declared = files.reduce((sum, file) => sum + file.uncompressedSize, 0);
  if (declared > XLSX_LIMITS.expandedBytes) throw tooLarge();

  const counts = { rows: 0, cells: 0, total: 0 };
  for (const file of files) {
    await inflateCounting(file, counts, WORKSHEET.test(file.path));
  }
}

function tooLarge(): WorkbookRefused {
  return new WorkbookRefused(
    `в распакованном виде книга больше ${formatRussianNumber(XLSX_LIMITS.expandedBytes / 1024 / 1024)} МБ: ` +
      'оставьте в ней только лист с данными или сохраните его как CSV',
  );
}

function inflateCounting(
  file: unzipper.CentralDirectoryFile,
  counts: { rows: number; cells: number; total: number },
  isWorksheet: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const sheet = isWorksheet ? new SheetCounter(counts) : null;
    let bytes = 0;
    let settled = false;
    const stream = file.stream();
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      stream.destroy();
      reject(error instanceof WorkbookRefused ? error : new WorkbookRefused('архив книги повреждён или зашифрован', true));
    };
    stream.on('data', (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      counts.total += chunk.length;
      if (bytes > file.uncompressedSize) {
        fail(new WorkbookRefused(`часть архива «${file.path}» больше, чем указано в его оглавлении`, true));
        return;
      }
      if (counts.total > XLSX_LIMITS.expandedBytes) {
        fail(tooLarge());
        return;
      }
      try {
        sheet?.write(chunk);
      } catch (error) {
        fail(error);
      }
    });
    stream.on('error', fail);
    stream.on('end', () => {
      if (settled) return;
      try {
        sheet?.close();
      } catch (error) {
        fail(error);
        return;
      }
      settled = true;
      resolve();
    });
  });
}

/** Streams a worksheet's XML, counting rows that hold cells, cells, and the widest column; throws at a bound. */
class SheetCounter {
  private readonly parser = new SaxesParser();
  private readonly decoder = new StringDecoder('utf8');
  private cellsInRow = 0;

  constructor(private readonly counts: { rows: number; cells: number }) {
    this.parser.on('opentag', (tag) => {
      const name = tag.name.slice(tag.name.indexOf(':') + 1);
      if (name === 'row') {
        this.cellsInRow = 0;
      } else if (name === 'c') {
        this.cellsInRow += 1;
        if (this.cellsInRow === 1 && ++this.counts.rows > XLSX_LIMITS.rows) {
          throw new WorkbookRefused(
            `в книге больше ${formatRussianNumber(XLSX_LIMITS.rows)} заполненных строк; ` +
              `в файле допускается не более ${formatRussianNumber(MAX_IMPORT_ROWS)} строк данных: разделите файл`,
          );
        }
        if (++this.counts.cells > XLSX_LIMITS.cells) {
          throw new WorkbookRefused(`в книге больше ${formatRussianNumber(XLSX_LIMITS.cells)} ячеек: удалите лишние листы и столбцы`);
        }
        const reference = (tag.attributes as Record<string, string>).r;
        const column = reference ? columnNumber(reference) : this.cellsInRow;
        if (column > XLSX_LIMITS.columns) {
          throw new WorkbookRefused(
            `в книге заполнен столбец ${reference ? `${reference.replace(/\d+$/, '')} (№ ${column})` : `№ ${column}`}; ` +
              `допускается не более ${XLSX_LIMITS.columns} столбцов: удалите лишние`,
          );
        }
      }
    });
  }

  write(chunk: Buffer): void {
    this.parser.write(this.decoder.write(chunk));
  }

  close(): void {
    const rest = this.decoder.end();
    if (rest) this.parser.write(rest);
    this.parser.close();
  }
}

/** «GR12» → 200; the letters of an A1 reference, base 26 without a zero. */
function columnNumber(reference: string): number {
  const letters = /^[A-Za-z]+/.exec(reference)?.[0] ?? '';
  let number = 0;
  for (const letter of letters.toUpperCase()) number = number * 26 + (letter.charCodeAt(0) - 64);
  return number;
}
