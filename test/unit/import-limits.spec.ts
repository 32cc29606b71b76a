import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { sanitizeFileName } from '../../apps/api/documents/raw-upload';
import { parseAssessmentFile, type ImportResult, type AssessmentRow } from '../../libs/import';
import { XLSX_LIMITS } from '../../libs/import/xlsx-limits';

const HEADER = ['Код ОО', 'Год', 'Средний балл'];

async function smallWorkbook(): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Лист1');
  sheet.addRow(HEADER);
  sheet.addRow(['000101', 2024, 3.5]);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** The small workbook with its parts changed by `edit` (JSZip writes correct sizes; deflate for the padding). */
async function rezip(edit: (zip: JSZip) => void): Promise<Buffer> {
  const zip = await JSZip.loadAsync(await smallWorkbook());
  edit(zip);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/** Sheet XML of `rows` rows × `columns` numeric cells, with A1 references. */
function sheetXml(rows: number, columns: number, firstColumn = 1): string {
  const letters = (n: number): string => (n <= 0 ? '' : letters(Math.floor((n - 1) / 26)) + String.fromCharCode(65 + ((n - 1) % 26)));
  const body: string[] = [];
  for (let r = 1; r <= rows; r++) {
    const cells: string[] = [];
    for (let c = firstColumn; c < firstColumn + columns; c++) cells.push(`<c r="${letters(c)}${r}"><v>${r}</v></c>`);
    body.push(`<row r="${r}">${cells.join('')}</row>`);
  }
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    body.join('') +
    '</sheetData></worksheet>'
  );
}

/**
 * Rewrites the declared uncompressed size of one entry (central directory and local header) to `size`: an archive
 * that lies about how much its part inflates to.
 */
function lieAboutSize(zip: Buffer, path: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const entries = out.readUInt16LE(eocd + 10);
  let at = out.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i++) {
    const nameLength = out.readUInt16LE(at + 28);
    const name = out.toString('utf8', at + 46, at + 46 + nameLength);
    if (name === path) {
      out.writeUInt32LE(size, at + 24);
      out.writeUInt32LE(size, out.readUInt32LE(at + 42) + 22);
    }
    at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

async function timedRefusal(content: Buffer, fileName: string): Promise<{ result: ImportResult<AssessmentRow>; ms: number }> {
  const started = Date.now();
  const result = await parseAssessmentFile(content, fileName);
  return { result, ms: Date.now() - started };
}

function onlyError(result: ImportResult<AssessmentRow>): string {
  expect(result.rows).toEqual([]);
  expect(result.errors).toHaveLength(1);
  expect(result.errors[0]).toEqual(expect.objectContaining({ row: 0, column: '' }));
  return result.errors[0].message;
}

describe('XLSX bounds: refused before exceljs expands the workbook', () => {
  it('reads a workbook within the bounds in the worker thread', async () => {
    const result = await parseAssessmentFile(await smallWorkbook(), 'Результаты.xlsx');
    expect(result).toEqual({
      rows: [{ schoolCode: '000101', schoolName: null, year: 2024, subject: null, meanScore: 3.5, failureShare: null }],
      errors: [],
    });
  });

  it('refuses a zip bomb by the sizes its directory declares, without inflating it', async () => {
    // 60 MiB of zeros deflate to about 60 KB: far within the upload limit.
    const bomb = await rezip((zip) => zip.file('xl/media/padding.bin', Buffer.alloc(60 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const { result, ms } = await timedRefusal(bomb, 'Результаты.xlsx');
    expect(onlyError(result)).toBe(
      'Книга Excel «Результаты.xlsx» не принята: в распакованном виде книга больше 50 МБ: оставьте в ней только лист с данными или сохраните его как CSV',
    );
    expect(ms).toBeLessThan(2_000);
  });

  it('stops inflating a part that is larger than its directory says: the declared sizes are not trusted', async () => {
    const honest = await rezip((zip) => zip.file('xl/media/padding.bin', Buffer.alloc(60 * 1024 * 1024)));
    const lying = lieAboutSize(honest, 'xl/media/padding.bin', 1024);
    const { result, ms } = await timedRefusal(lying, 'Результаты.xlsx');
    expect(onlyError(result)).toBe('Не удалось прочитать книгу Excel «Результаты.xlsx»: файл повреждён или это не .xlsx');
    // Stopped at the first chunk over the declared kilobyte, not after 60 MiB.
    expect(ms).toBeLessThan(2_000);
  });

  it('refuses parts that are each small but together inflate past the bound', async () => {
    const many = await rezip((zip) => {
      for (let i = 0; i < 6; i++) zip.file(`xl/media/padding-${i}.bin`, Buffer.alloc(9 * 1024 * 1024));
    });
    expect(onlyError((await timedRefusal(many, 'Результаты.xlsx')).result)).toMatch(/в распакованном виде книга больше 50 МБ/);
  });

  it('refuses an archive of too many parts', async () => {
    const crowded = await rezip((zip) => {
      for (let i = 0; i <= XLSX_LIMITS.entries; i++) zip.file(`xl/media/${i}.txt`, 'x');
    });
    expect(onlyError((await timedRefusal(crowded, 'Результаты.xlsx')).result)).toMatch(
      /^Книга Excel «Результаты.xlsx» не принята: в архиве книги 1\s0\d\d частей, допускается не более 1\s000$/,
    );
  });

  it('refuses a sheet with more rows than a file may hold, counted while inflating', async () => {
    const rows = await rezip((zip) => zip.file('xl/worksheets/sheet1.xml', sheetXml(XLSX_LIMITS.rows + 1, 1)));
    expect(onlyError((await timedRefusal(rows, 'Результаты.xlsx')).result)).toBe(
      'Книга Excel «Результаты.xlsx» не принята: в книге больше 25\u00a0000 заполненных строк; ' +
        'в файле допускается не более 20\u00a0000 строк данных: разделите файл',
    );
  });

  it('refuses a cell beyond the 200th column', async () => {
    const wide = await rezip((zip) => zip.file('xl/worksheets/sheet1.xml', sheetXml(2, 1, XLSX_LIMITS.columns + 1)));
    expect(onlyError((await timedRefusal(wide, 'Результаты.xlsx')).result)).toBe(
      'Книга Excel «Результаты.xlsx» не принята: в книге заполнен столбец GS (№ 201); допускается не более 200 столбцов: удалите лишние',
    );
  });

  it('refuses more cells than the bound, all sheets together', async () => {
    const dense = await rezip((zip) => zip.file('xl/worksheets/sheet1.xml', sheetXml(3_100, 195)));
    expect(onlyError((await timedRefusal(dense, 'Результаты.xlsx')).result)).toBe(
      'Книга Excel «Результаты.xlsx» не принята: в книге больше 600\u00a0000 ячеек: удалите лишние листы и столбцы',
    );
  });

  it('refuses a truncated workbook and a workbook whose sheet is not XML', async () => {
    const whole = await smallWorkbook();
    expect(onlyError((await timedRefusal(whole.subarray(0, Math.floor(whole.length / 2)), 'Результаты.xlsx')).result)).toBe(
      'Не удалось прочитать книгу Excel «Результаты.xlsx»: файл повреждён или это не .xlsx',
    );
    const garbled = await rezip((zip) => zip.file('xl/worksheets/sheet1.xml', '<worksheet><sheetData><row><c r="A1"'));
    expect(onlyError((await timedRefusal(garbled, 'Результаты.xlsx')).result)).toBe(
      'Не удалось прочитать книгу Excel «Результаты.xlsx»: файл повреждён или это не .xlsx',
    );
  });
});

describe('CSV bounds: refused before the records are built', () => {
  const csv = (lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

  it('refuses a line of more than 200 columns, naming the line', async () => {
    const wide = csv([HEADER.join(';'), `000101;2024;3,5${';'.repeat(XLSX_LIMITS.columns)}`]);
    expect(onlyError(await parseAssessmentFile(wide, 'Результаты.csv'))).toBe(
      'Файл «Результаты.csv» не принят: в строке 2 больше 200 столбцов: удалите лишние (или пустые) столбцы',
    );
  });

  it('refuses 20 MiB of delimiters at once instead of building twenty million cells', async () => {
    const started = Date.now();
    const result = await parseAssessmentFile(Buffer.from(`${HEADER.join(';')}\n${';'.repeat(20 * 1024 * 1024)}`), 'Результаты.csv');
    expect(onlyError(result)).toMatch(/больше 200 столбцов/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refuses more filled lines than a file may hold, but not blank ones', async () => {
    const lines = [HEADER.join(';'), ...Array.from({ length: XLSX_LIMITS.rows }, (_, i) => `${String(i).padStart(6, '0')};2024;3,5`)];
    expect(onlyError(await parseAssessmentFile(csv(lines), 'Результаты.csv'))).toMatch(/^Файл «Результаты.csv» не принят: в файле больше 25\u00a0000 заполненных строк/);
    const blank = csv([HEADER.join(';'), '000101;2024;3,5', ...Array(XLSX_LIMITS.rows).fill(';;')]);
    expect((await parseAssessmentFile(blank, 'Результаты.csv')).errors).toEqual([]);
  });

  it('counts a delimiter inside quotes as text, as csv-parse reads it', async () => {
    const quoted = csv(['Код ОО;Год;Средний балл;Примечание', `000101;2024;3,5;"${';'.repeat(500)}"`]);
    expect((await parseAssessmentFile(quoted, 'Результаты.csv')).errors).toEqual([]);
  });

  it('refuses a truncated CSV (a quote never closed) with the row where it opened', async () => {
    const truncated = csv([HEADER.join(';'), '000101;2024;3,5', '000102;"2024;3']);
    expect(onlyError(await parseAssessmentFile(truncated, 'Результаты.csv'))).toBe(
      'Не закрыта кавычка в строке 3: ячейка, начатая с «"», должна им и заканчиваться',
    );
  });
});

describe('uploaded file names', () => {
  it('drops right-to-left overrides and other invisible format characters, so «\\u202Efdp.exe» shows as it is', () => {
    expect(sanitizeFileName('\u202Efdp.exe')).toBe('fdp.exe');
    expect(sanitizeFileName('План\u2066.pdf\u2069.exe')).toBe('План.pdf.exe');
    expect(sanitizeFileName('\u200Fотчёт\u200B\uFEFF.docx')).toBe('отчёт.docx');
  });

  it('drops control characters and keeps only the last segment of a path', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\Иванов\\План\u0000.pdf')).toBe('План.pdf');
    expect(sanitizeFileName('..')).toBe('..');
    expect(sanitizeFileName('Результаты ВПР.xlsx')).toBe('Результаты ВПР.xlsx');
  });
});
