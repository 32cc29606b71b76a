/**
 * The social passport file: one row per school with the shares (%) that feed the social-disadvantage index.
 *
 * Columns, matched by name like the assessment file's (other columns are ignored):
 * - «Код ОО» — required; «Наименование ОО» — optional;
 * - the five indicators, all required as columns (the ministry's passport form has them all), each recognised by
 *   its key words, so short names work: «оба родителя … высшее» («Оба родителя с высшим образованием, %»),
 *   «неполн…» («Неполные семьи»), «многодет…», «“хорошо” и “отлично”» / «на 4 и 5» / «хорошисты и отличники»,
 *   «учёт» («На профилактическом учёте», «Состоят на учёте в ПДН»).
 * A column of counts («Количество…», «Кол-во…», «Число…») is never taken for a share.
 * An empty cell means «no data» (the index uses the school's other indicators); a row must have at least one.
 */
import { SOCIAL_INDICATORS, type SocialIndicatorKey } from '../domain/analytics/types';
import { SCHOOL_CODE_COLUMN, SCHOOL_NAME_COLUMN } from './assessment';
import { cellAt, countRecognised, dataRowsAfter, isCountColumn, locateHeader, type ColumnSpec } from './columns';
import { readTable } from './table';
import { unknownSchoolMessage, type ImportError, type ImportOptions, type ImportResult, type SocialPassportRow } from './types';
import { parseShare, parseText } from './values';

export type SocialColumn = 'schoolCode' | 'schoolName' | SocialIndicatorKey;

const INDICATOR_RULES: Record<SocialIndicatorKey, { matches: (name: string) => boolean; aliases: string[] }> = {
  bothParentsHigherEducation: {
    matches: (name) => /высш/.test(name) && /(^| )(оба|обоих|обоими)( |$)/.test(name),
    aliases: ['Оба родителя с высшим образованием, %', 'Доля детей, у обоих родителей которых высшее образование'],
  },
  singleParentFamilies: { matches: (name) => /неполн/.test(name), aliases: ['Неполные семьи, %', 'Доля детей из неполных семей'] },
  largeFamilies: { matches: (name) => /многодет/.test(name), aliases: ['Многодетные семьи, %', 'Доля детей из многодетных семей'] },
  goodAndExcellent: {
    matches: (name) => /отличн|хорошист|(^| )4 и 5( |$)/.test(name),
    aliases: ['Хорошисты и отличники, %', 'Обучаются на «4» и «5», %'],
  },
  preventiveRegister: {
    matches: (name) => /(^| )(учете|учет)( |$)|профилактич|(^| )(пдн|кдн|кдн и зп|вшу)( |$)/.test(name),
    aliases: ['На профилактическом учёте, %', 'Состоят на учёте в ПДН, %', 'Внутришкольный учёт (ВШУ), %'],
  },
};

export const SOCIAL_PASSPORT_COLUMNS: readonly ColumnSpec<SocialColumn>[] = [
  SCHOOL_CODE_COLUMN,
  SCHOOL_NAME_COLUMN,
  ...SOCIAL_INDICATORS.map(
    (indicator): ColumnSpec<SocialColumn> => ({
      key: indicator.key,
      title: indicator.title,
      required: true,
      matches: (name) => !isCountColumn(name) && INDICATOR_RULES[indicator.key].matches(name),
      aliases: INDICATOR_RULES[indicator.key].aliases,
      description:
        `${indicator.phrase[0].toUpperCase()}${indicator.phrase.slice(1)}, в процентах от числа обучающихся, 0–100; ` +
        'пустая ячейка — нет данных (индекс считается по остальным показателям школы)',
    }),
  ),
];

export async function parseSocialPassportFile(
  content: Buffer,
  fileName: string,
  options: ImportOptions = {},
): Promise<ImportResult<SocialPassportRow>> {
  const read = await readTable(content, fileName, (cells) => countRecognised(cells, SOCIAL_PASSPORT_COLUMNS));
  if ('error' in read) return { rows: [], errors: [read.error] };

  const header = locateHeader(read.table.rows, SOCIAL_PASSPORT_COLUMNS, 'schoolCode');
  if (!header) return { rows: [], errors: [{ row: 0, column: '', message: `В файле «${fileName}» нет данных` }] };
  if (header.errors.length > 0) return { rows: [], errors: header.errors };
  const { columns } = header;

  const data = dataRowsAfter(read.table.rows, header.rowNumber);
  if ('error' in data) return { rows: [], errors: [data.error] };

  const rows: SocialPassportRow[] = [];
  const errors: ImportError[] = [];
  const seen = new Map<string, number>();
  for (const raw of data.rows) {
    const rowErrors: ImportError[] = [];
    const report = (column: string, message: string) => rowErrors.push({ row: raw.rowNumber, column, message });
    const codeHeader = columns.schoolCode!.header;

    const schoolCode = parseText(cellAt(raw, columns.schoolCode));
    if (schoolCode === null) {
      report(codeHeader, 'Пустой код ОО');
    } else if (options.knownSchoolCodes && !options.knownSchoolCodes.has(schoolCode)) {
      report(codeHeader, unknownSchoolMessage(schoolCode, options.regionCode));
    } else {
      const first = seen.get(schoolCode);
      if (first !== undefined) report(codeHeader, `Повтор школы (см. строку ${first})`);
      else seen.set(schoolCode, raw.rowNumber);
    }

    const values = {} as Record<SocialIndicatorKey, number | null>;
    for (const indicator of SOCIAL_INDICATORS) {
      const column = columns[indicator.key]!;
      const parsed = parseShare(cellAt(raw, column));
      if (parsed.ok) values[indicator.key] = parsed.value;
      else report(column.header, parsed.message);
    }
    if (SOCIAL_INDICATORS.every((indicator) => values[indicator.key] === null)) {
      report(codeHeader, 'Не заполнен ни один показатель социального паспорта');
    }

    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    rows.push({ schoolCode: schoolCode!, schoolName: parseText(cellAt(raw, columns.schoolName)), ...values });
  }
  return { rows, errors };
}
