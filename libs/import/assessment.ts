/**
 * The assessment results file: one row per school per year, optionally per assessment (procedure, subject, grade).
 *
 * Columns, matched by name (case, spaces, punctuation and ё/е do not matter; other columns are ignored):
 * - «Код ОО» / «Код школы» / «Код организации» / «Код» — required, text;
 * - «Наименование ОО» / «Название школы» / «Школа» — optional;
 * - «Год» / «Учебный год» — required: 2024, or «2023/2024» → 2023 (see parseYear);
 * - «Оценочная процедура» / «Процедура», «Предмет», «Класс» / «Параллель» — optional, together name the assessment;
 * - «Средний балл» and/or «Доля неудовлетворительных результатов, %» (also «Доля двоек», «Доля не преодолевших
 *   минимальный порог») — at least one of the two columns, and a value in at least one of them on every row.
 * A school appears once per year and assessment.
 */
import { cellAt, countRecognised, dataRowsAfter, isCountColumn, locateHeader, type ColumnSpec } from './columns';
import { readTable } from './table';
import { unknownSchoolMessage, type AssessmentRow, type ImportError, type ImportOptions, type ImportResult } from './types';
import { isBlank, parseMeanScore, parseShare, parseText, parseYear } from './values';

export type AssessmentColumn =
  | 'schoolCode'
  | 'schoolName'
  | 'year'
  | 'procedure'
  | 'subject'
  | 'grade'
  | 'meanScore'
  | 'failureShare';

const SCHOOL_WORDS = /(^| )(оо|оу|ои|школы|организации|образовательной организации|учреждения)( |$)/;

export const SCHOOL_CODE_COLUMN: ColumnSpec<'schoolCode'> = {
  key: 'schoolCode',
  title: 'Код ОО',
  required: true,
  matches: (name) => name === 'код' || (name.startsWith('код ') && SCHOOL_WORDS.test(name)),
  aliases: ['Код школы', 'Код организации', 'Код образовательной организации', 'Код ОУ', 'Код'],
  description:
    'Код школы, как он записан в справочнике организаций региона (поле code), с ведущими нулями; ' +
    'в Excel храните столбец как текст',
};

export const SCHOOL_NAME_COLUMN: ColumnSpec<'schoolName'> = {
  key: 'schoolName',
  title: 'Наименование ОО',
  required: false,
  matches: (name) =>
    ['оо', 'оу', 'школа', 'организация', 'образовательная организация'].includes(name) ||
    (/^(полное |краткое |сокращенное )?(наименование|название)( |$)/.test(name) &&
      !/муницип|район|округ|предмет|процедур/.test(name)),
  aliases: ['Наименование школы', 'Название школы', 'Краткое наименование ОО', 'Школа', 'ОО'],
  description: 'Название школы: только для удобства чтения, школу находят по коду',
};

export const MEAN_SCORE_TITLE = 'Средний балл';
export const FAILURE_SHARE_TITLE = 'Доля неудовлетворительных результатов, %';

export const ASSESSMENT_COLUMNS: readonly ColumnSpec<AssessmentColumn>[] = [
  SCHOOL_CODE_COLUMN,
  SCHOOL_NAME_COLUMN,
  {
    key: 'year',
    title: 'Год',
    required: true,
    matches: (name) => /^(учебный )?год( (проведения|участия|оценочной процедуры|обучения))?$/.test(name),
    aliases: ['Учебный год', 'Год проведения'],
    description: 'Календарный год (2024, «2024 г.») или учебный год «2023/2024», «2023-24» (считается по первому году: 2023)',
  },
  {
    key: 'procedure',
    title: 'Оценочная процедура',
    required: false,
    matches: (name) => /процедур/.test(name) || ['экзамен', 'форма аттестации', 'вид аттестации'].includes(name),
    aliases: ['Процедура', 'Экзамен', 'Форма аттестации', 'Вид аттестации'],
    description: 'ВПР, ОГЭ, ЕГЭ…; вместе с предметом и классом различает результаты одной школы за один год',
  },
  {
    key: 'subject',
    title: 'Предмет',
    required: false,
    matches: (name) => /^(учебный )?предмет$/.test(name),
    aliases: ['Учебный предмет'],
    description: 'Предмет оценочной процедуры',
  },
  {
    key: 'grade',
    title: 'Класс',
    required: false,
    matches: (name) => ['класс', 'параллель', 'параллель классов'].includes(name),
    aliases: ['Параллель', 'Параллель классов'],
    description: 'Класс (параллель): 4, 5, 9, 11',
  },
  {
    key: 'meanScore',
    title: MEAN_SCORE_TITLE,
    required: false,
    matches: (name) =>
      !isCountColumn(name) &&
      (/^ср (балл|отметка)/.test(name) || /средн\S* (тестов\S* |первичн\S* )?(балл|отметк|оценк)/.test(name)),
    aliases: ['Ср. балл', 'Средняя отметка', 'Средний тестовый балл', 'Средний первичный балл'],
    description:
      'Средний балл в любой шкале процедуры (отметка 2–5 или балл 0–100): 3,75 или 3.75. ' +
      'Нужен этот столбец или доля неудовлетворительных результатов, в каждой строке — хотя бы одно из двух значений',
  },
  {
    key: 'failureShare',
    title: FAILURE_SHARE_TITLE,
    required: false,
    matches: (name) =>
      !isCountColumn(name) &&
      (/неудовлетворит|двоек|не преодолевш|не справившихся/.test(name) || /^(доля|процент) 2( х)?$/.test(name)),
    aliases: ['Доля двоек, %', 'Доля «2», %', 'Доля не преодолевших минимальный порог, %', 'Процент не справившихся с работой'],
    description:
      'Доля неудовлетворительных результатов в процентах, 0–100: 12,5 или «12,5 %» (в Excel — также ячейка в процентном формате). ' +
      'Столбец количества («Количество двоек») не подходит',
  },
];

export async function parseAssessmentFile(
  content: Buffer,
  fileName: string,
  options: ImportOptions = {},
): Promise<ImportResult<AssessmentRow>> {
  const read = await readTable(content, fileName, (cells) => countRecognised(cells, ASSESSMENT_COLUMNS));
  if ('error' in read) return { rows: [], errors: [read.error] };

  const header = locateHeader(read.table.rows, ASSESSMENT_COLUMNS, 'schoolCode');
  if (!header) return { rows: [], errors: [{ row: 0, column: '', message: `В файле «${fileName}» нет данных` }] };
  const { columns } = header;
  const errors: ImportError[] = [...header.errors];
  if (!columns.meanScore && !columns.failureShare) {
    errors.push({
      row: header.rowNumber,
      column: MEAN_SCORE_TITLE,
      message: `Нет столбца «${MEAN_SCORE_TITLE}» или «${FAILURE_SHARE_TITLE}»`,
    });
  }
  if (errors.length > 0) return { rows: [], errors };

  const data = dataRowsAfter(read.table.rows, header.rowNumber);
  if ('error' in data) return { rows: [], errors: [data.error] };

  const rows: AssessmentRow[] = [];
  const seen = new Map<string, number>();
  for (const raw of data.rows) {
    const rowErrors: ImportError[] = [];
    const report = (column: string, message: string) => rowErrors.push({ row: raw.rowNumber, column, message });

    const schoolCode = parseText(cellAt(raw, columns.schoolCode));
    if (schoolCode === null) report(columns.schoolCode!.header, 'Пустой код ОО');
    else if (options.knownSchoolCodes && !options.knownSchoolCodes.has(schoolCode)) {
      report(columns.schoolCode!.header, unknownSchoolMessage(schoolCode, options.regionCode));
    }

    const parsedYear = parseYear(cellAt(raw, columns.year));
    const year = parsedYear.ok ? parsedYear.value : null;
    if (!parsedYear.ok) report(columns.year!.header, parsedYear.message);
    else if (year === null) report(columns.year!.header, 'Не указан год');

    const meanCell = cellAt(raw, columns.meanScore);
    const mean = parseMeanScore(meanCell);
    if (!mean.ok) report(columns.meanScore!.header, mean.message);
    const failureCell = cellAt(raw, columns.failureShare);
    const failure = parseShare(failureCell);
    if (!failure.ok) report(columns.failureShare!.header, failure.message);
    if (isBlank(meanCell) && isBlank(failureCell)) {
      const scoreColumn = (columns.meanScore ?? columns.failureShare)!;
      report(
        scoreColumn.header,
        columns.meanScore && columns.failureShare
          ? 'Нет ни среднего балла, ни доли неудовлетворительных результатов'
          : 'Пустое значение',
      );
    }

    const subject = assessmentName(
      parseText(cellAt(raw, columns.procedure)),
      parseText(cellAt(raw, columns.subject)),
      parseText(cellAt(raw, columns.grade)),
    );

    if (schoolCode !== null && year !== null) {
      const key = `${schoolCode}\u0000${year}\u0000${(subject ?? '').toLowerCase()}`;
      const first = seen.get(key);
      if (first !== undefined) {
        const what = subject ? 'Повтор школы, года и оценочной процедуры' : 'Повтор школы и года';
        report(columns.schoolCode!.header, `${what} (см. строку ${first})`);
      } else {
        seen.set(key, raw.rowNumber);
      }
    }

    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    rows.push({
      schoolCode: schoolCode!,
      schoolName: parseText(cellAt(raw, columns.schoolName)),
      year: year!,
      subject,
      meanScore: mean.ok ? mean.value : null,
      failureShare: failure.ok ? failure.value : null,
    });
  }
  return { rows, errors };
}

/** «ВПР», «математика», «5» → «ВПР / математика / 5 класс»; null when the file names no assessment. */
function assessmentName(procedure: string | null, subject: string | null, grade: string | null): string | null {
  const gradeText = grade === null ? null : /^\d+$/.test(grade) ? `${grade} класс` : grade;
  const parts = [procedure, subject, gradeText].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(' / ') : null;
}
