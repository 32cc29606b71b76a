import ExcelJS from 'exceljs';
import { rankSchools } from '../../libs/domain/analytics';
import {
  ASSESSMENT_COLUMNS,
  buildImportTemplate,
  describeImportFile,
  IMPORT_FILE_KINDS,
  parseAssessmentFile,
  parseSocialPassportFile,
  SOCIAL_PASSPORT_COLUMNS,
  TEMPLATE_FORMATS,
} from '../../libs/import';
import { normaliseHeader, type ColumnSpec } from '../../libs/import/columns';

const EXAMPLE_CODES = new Set(['000101', '000102', '000201']);

describe('identification file templates', () => {
  it.each([
    ['results', ASSESSMENT_COLUMNS],
    ['social', SOCIAL_PASSPORT_COLUMNS],
  ] as [string, readonly ColumnSpec<string>[]][])(
    'documents only names the %s parser takes for that very column',
    (_kind, specs) => {
      for (const spec of specs) {
        for (const name of [spec.title, ...spec.aliases]) {
          const taker = specs.find((s) => s.matches(normaliseHeader(name)));
          expect({ name, column: taker?.key }).toEqual({ name, column: spec.key });
        }
        expect(spec.description).toMatch(/[А-Яа-яЁё]{3}/);
      }
    },
  );

  it('describes every column of the parser, in its order, with the general rules', () => {
    const results = describeImportFile('results');
    expect(results.columns.map((c) => c.title)).toEqual(ASSESSMENT_COLUMNS.map((c) => c.title));
    expect(results.columns[0]).toEqual(expect.objectContaining({ title: 'Код ОО', required: true, aliases: expect.arrayContaining(['Код школы']) }));
    expect(results.rules.join('\n')).toEqual(expect.stringContaining('Windows-1251'));
    expect(results.rules.join('\n')).toEqual(expect.stringContaining('20\u00a0000 строк'));
    expect(describeImportFile('social').columns.map((c) => c.title)).toEqual(SOCIAL_PASSPORT_COLUMNS.map((c) => c.title));
  });

  it.each(TEMPLATE_FORMATS)('writes a results template (%s) that the importer reads without an error, and that ranks', async (format) => {
    const file = await buildImportTemplate('results', format);
    expect(file.fileName).toBe(`Шаблон — результаты оценочных процедур.${format}`);
    const parsed = await parseAssessmentFile(file.content, file.fileName, { knownSchoolCodes: EXAMPLE_CODES });
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows).toHaveLength(3 * 3 * 2);
    expect(parsed.rows[0]).toEqual({
      schoolCode: '000101',
      schoolName: 'МБОУ «СОШ № 1» п. Северный',
      year: 2022,
      subject: 'ВПР / Математика / 5 класс',
      meanScore: 3.42,
      failureShare: 18.5,
    });
    const years = [...new Set(parsed.rows.map((r) => r.year))];
    expect(years).toEqual([2022, 2023, 2024]);
    expect(rankSchools({ results: parsed.rows, social: [], years })).toHaveLength(3);
  });

  it.each(TEMPLATE_FORMATS)('writes a social-passport template (%s) that the importer reads without an error', async (format) => {
    const file = await buildImportTemplate('social', format);
    const parsed = await parseSocialPassportFile(file.content, file.fileName, { knownSchoolCodes: EXAMPLE_CODES });
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows.map((r) => r.schoolCode)).toEqual([...EXAMPLE_CODES]);
    expect(parsed.rows[0]).toEqual(expect.objectContaining({ bothParentsHigherEducation: 12, singleParentFamilies: 38.4, preventiveRegister: 6.1 }));
  });

  it('writes CSV as Excel with Russian settings does: a BOM, semicolons, decimal commas, CRLF', async () => {
    const { content, mediaType } = await buildImportTemplate('results', 'csv');
    expect(mediaType).toBe('text/csv; charset=utf-8');
    expect([...content.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = content.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toBe(ASSESSMENT_COLUMNS.map((c) => c.title).join(';'));
    expect(lines[1]).toBe('000101;МБОУ «СОШ № 1» п. Северный;2022;ВПР;Математика;5;3,42;18,5');
    expect(lines.at(-1)).toBe('');
  });

  it('writes XLSX with the data on the first sheet, codes as text, and a sheet describing the columns', async () => {
    for (const kind of IMPORT_FILE_KINDS) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await buildImportTemplate(kind, 'xlsx')).content as unknown as ArrayBuffer);
      expect(workbook.worksheets.map((s) => s.name)).toEqual(['Данные', 'Описание']);
      const data = workbook.worksheets[0];
      expect(data.getCell('A1').value).toBe('Код ОО');
      expect(data.getCell('A2').value).toBe('000101');
      const about = workbook.worksheets[1];
      expect(about.getRow(2).values).toEqual([undefined, 'Код ОО', 'да', expect.stringContaining('Код школы'), expect.stringContaining('справочнике')]);
    }
  });
});
