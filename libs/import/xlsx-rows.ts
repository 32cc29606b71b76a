/**
 * A workbook's first sheet as rows of cells, read by exceljs. Runs in the import's worker thread
 * (libs/import/xlsx-worker.ts), never in the API's own: exceljs holds every cell of every sheet in memory.
 */
import ExcelJS from 'exceljs';
import type { RawCell, RawRow } from './table';

export type WorkbookRows = { rows: RawRow[] } | { unreadable: true } | { noSheet: true };

export async function readWorkbookRows(content: Buffer): Promise<WorkbookRows> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its argument as its own ArrayBuffer-like `Buffer`; it reads Node's Buffer (JSZip underneath).
    await workbook.xlsx.load(content as unknown as ArrayBuffer);
  } catch {
    return { unreadable: true };
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return { noSheet: true };
  const rows: RawRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: RawCell[] = [];
    row.eachCell({ includeEmpty: false }, (cell, columnNumber) => {
      while (cells.length < columnNumber - 1) cells.push({ text: '', number: null, percent: false });
      cells[columnNumber - 1] = xlsxCell(cell.value, cell.numFmt);
    });
    rows.push({ rowNumber, cells });
  });
  return { rows };
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
