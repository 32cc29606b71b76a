/**
 * The identification files as officials should fill them in: a description of each format (columns with the other
 * names accepted, the general rules) and a template with an example to download as CSV or XLSX. The columns come
 * from the parsers' own specs (ASSESSMENT_COLUMNS, SOCIAL_PASSPORT_COLUMNS), so what is documented is what is read.
 */
import ExcelJS from 'exceljs';
import { formatRussianNumber } from '../domain/russian';
import { ASSESSMENT_COLUMNS, type AssessmentColumn } from './assessment';
import { HEADER_SEARCH_ROWS, type ColumnSpec } from './columns';
import { SOCIAL_PASSPORT_COLUMNS, type SocialColumn } from './social-passport';
import { CSV_DELIMITERS } from './table';
import { MAX_IMPORT_ROWS } from './types';

export type ImportFileKind = 'results' | 'social';
export const IMPORT_FILE_KINDS: readonly ImportFileKind[] = ['results', 'social'];

export type TemplateFormat = 'csv' | 'xlsx';
export const TEMPLATE_FORMATS: readonly TemplateFormat[] = ['csv', 'xlsx'];

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

type ExampleValue = string | number;

interface FileDefinition<K extends string> {
  title: string;
  /** The downloaded template's name, without the extension. */
  fileName: string;
  columns: readonly ColumnSpec<K>[];
  /** Decimal places of the numeric columns, for the workbook's number formats. */
  decimals: Partial<Record<K, number>>;
  example: readonly Partial<Record<K, ExampleValue>>[];
}

/**
 * The demo region's schools (libs/persistence/seed/demo-region.ts), so that the example imports into the demo as it
 * is; in any other region the codes are replaced by the region's own.
 */
const EXAMPLE_SCHOOLS = [
  { code: '000101', name: 'МБОУ «СОШ № 1» п. Северный', mean: 3.42, failures: 18.5, social: [12, 38.4, 21, 24.5, 6.1] },
  { code: '000102', name: 'МБОУ «ООШ № 2» с. Заречье', mean: 3.81, failures: 9.2, social: [21.5, 24, 15.2, 41, 2.3] },
  { code: '000201', name: 'МБОУ «Лицей № 1» г. Южный', mean: 4.27, failures: 2.5, social: [48.3, 11.7, 8, 63.2, 0] },
] as const;

/** Three years, because the ranking compares a school's years: it needs results for at least two of them. */
const EXAMPLE_YEARS = [2022, 2023, 2024] as const;
const EXAMPLE_ASSESSMENTS = [
  { procedure: 'ВПР', subject: 'Математика', grade: 5, shift: 0 },
  { procedure: 'ВПР', subject: 'Русский язык', grade: 5, shift: 0.12 },
] as const;

const RESULTS: FileDefinition<AssessmentColumn> = {
  title: 'Результаты оценочных процедур',
  fileName: 'Шаблон — результаты оценочных процедур',
  columns: ASSESSMENT_COLUMNS,
  decimals: { meanScore: 2, failureShare: 1 },
  example: EXAMPLE_SCHOOLS.flatMap((school) =>
    EXAMPLE_YEARS.flatMap((year, y) =>
      EXAMPLE_ASSESSMENTS.map((a) => ({
        schoolCode: school.code,
        schoolName: school.name,
        year,
        procedure: a.procedure,
        subject: a.subject,
        grade: a.grade,
        meanScore: round(school.mean + a.shift + 0.04 * y, 2),
        failureShare: round(Math.max(0, school.failures - 1.5 * y - 10 * a.shift), 1),
      })),
    ),
  ),
};

const SOCIAL: FileDefinition<SocialColumn> = {
  title: 'Социальные паспорта школ',
  fileName: 'Шаблон — социальные паспорта школ',
  columns: SOCIAL_PASSPORT_COLUMNS,
  decimals: {
    bothParentsHigherEducation: 1,
    singleParentFamilies: 1,
    largeFamilies: 1,
    goodAndExcellent: 1,
    preventiveRegister: 1,
  },
  example: EXAMPLE_SCHOOLS.map((school) => ({
    schoolCode: school.code,
    schoolName: school.name,
    bothParentsHigherEducation: school.social[0],
    singleParentFamilies: school.social[1],
    largeFamilies: school.social[2],
    goodAndExcellent: school.social[3],
    preventiveRegister: school.social[4],
  })),
};

const FILES: { [K in ImportFileKind]: FileDefinition<K extends 'results' ? AssessmentColumn : SocialColumn> } = {
  results: RESULTS,
  social: SOCIAL,
};

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface FileColumnDescription {
  title: string;
  required: boolean;
  aliases: string[];
  description: string;
}

export interface FileFormatDescription {
  kind: ImportFileKind;
  title: string;
  columns: FileColumnDescription[];
  /** What holds for every column and file (Russian). */
  rules: string[];
}

const DELIMITER_NAMES: Record<(typeof CSV_DELIMITERS)[number], string> = { ';': '«;»', ',': '«,»', '\t': 'табуляция' };

/** What table.ts, columns.ts and values.ts accept, in the official's words. */
const GENERAL_RULES: readonly string[] = [
  'Формат: книга Excel .xlsx (читается первый лист) или таблица .csv; старый формат .xls не принимается — сохраните файл как .xlsx или .csv.',
  `CSV: разделитель ${CSV_DELIMITERS.map((d) => DELIMITER_NAMES[d]).join(', ')} определяется сам; кодировка UTF-8 (с BOM или без), UTF-16 с BOM или Windows-1251 («CSV (разделители — запятые)» русского Excel).`,
  `Первая строка таблицы — названия столбцов; над ней могут быть строки с названием таблицы (заголовок ищется в первых ${HEADER_SEARCH_ROWS} непустых строках). Названия сравниваются без учёта регистра, пробелов, знаков препинания и различия «е»/«ё»; порядок столбцов любой, лишние столбцы не читаются.`,
  'Числа: десятичная запятая или точка, пробелы между разрядами, знак «%» допускается; «-», «—», «н/д», «нет данных» — пустая ячейка.',
  'Коды школ — как в справочнике организаций региона: GET /api/organizations?regionCode=<код региона>&kind=school; код задаётся при создании школы (POST /api/organizations, поле code).',
  `Не более ${formatRussianNumber(MAX_IMPORT_ROWS)} строк данных. Файл с ошибками не загружается целиком: в ответе перечислена каждая ошибка со строкой и столбцом.`,
];

export function describeImportFile(kind: ImportFileKind): FileFormatDescription {
  const file: FileDefinition<string> = FILES[kind];
  return {
    kind,
    title: file.title,
    columns: file.columns.map((c) => ({ title: c.title, required: c.required, aliases: [...c.aliases], description: c.description })),
    rules: [...GENERAL_RULES],
  };
}

export interface TemplateFile {
  fileName: string;
  mediaType: string;
  content: Buffer;
}

/** The template with its example rows: the header is every column's expected name, in the parser's order. */
export async function buildImportTemplate(kind: ImportFileKind, format: TemplateFormat): Promise<TemplateFile> {
  const file: FileDefinition<string> = FILES[kind];
  return format === 'csv'
    ? { fileName: `${file.fileName}.csv`, mediaType: 'text/csv; charset=utf-8', content: templateCsv(file) }
    : { fileName: `${file.fileName}.xlsx`, mediaType: XLSX_MEDIA_TYPE, content: await templateXlsx(file) };
}

/** «CSV UTF-8» as Excel with Russian settings writes and opens it: ';', decimal commas, CRLF, a byte order mark. */
function templateCsv(file: FileDefinition<string>): Buffer {
  const cell = (value: string) => (/[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  // No grouping of thousands: a year is 2024, not «2 024».
  const text = (value: ExampleValue | undefined): string =>
    value === undefined ? '' : typeof value === 'number' ? String(value).replace('.', ',') : value;
  const rows = [file.columns.map((c) => c.title), ...file.example.map((row) => file.columns.map((c) => text(row[c.key])))];
  return Buffer.from('\uFEFF' + rows.map((row) => row.map(cell).join(';')).join('\r\n') + '\r\n', 'utf8');
}

async function templateXlsx(file: FileDefinition<string>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  // The importer reads the first sheet: the data come first, the description after.
  const data = workbook.addWorksheet('Данные', { views: [{ state: 'frozen', ySplit: 1 }] });
  data.columns = file.columns.map((c) => ({
    header: c.title,
    key: c.key,
    width: Math.min(60, Math.max(12, c.title.length + 2)),
    // Codes are text, so that their leading zeros survive anyone's editing.
    style: c.key === 'schoolCode' ? { numFmt: '@' } : file.decimals[c.key] ? { numFmt: `0.${'0'.repeat(file.decimals[c.key]!)}` } : {},
  }));
  data.getRow(1).font = { bold: true };
  data.getRow(1).alignment = { wrapText: true, vertical: 'top' };
  for (const row of file.example) data.addRow(row);

  const about = workbook.addWorksheet('Описание');
  about.columns = [
    { header: 'Столбец', width: 45 },
    { header: 'Обязательный', width: 14 },
    { header: 'Другие допустимые названия', width: 55 },
    { header: 'Что указывать', width: 90 },
  ];
  about.getRow(1).font = { bold: true };
  for (const c of file.columns) about.addRow([c.title, c.required ? 'да' : 'нет', c.aliases.join('; '), c.description]);
  about.addRow([]);
  for (const rule of GENERAL_RULES) {
    const row = about.addRow([rule]);
    about.mergeCells(row.number, 1, row.number, 4);
  }
  about.eachRow((row) => {
    row.alignment = { wrapText: true, vertical: 'top' };
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
