import ExcelJS from 'exceljs';
import { parseSocialPassportFile } from '../../libs/import';
import { csvFile } from '../support/fixtures/identification-files';

const FULL_HEADER = [
  'Код ОО',
  'Наименование ОО',
  'Доля обучающихся из семей, где оба родителя имеют высшее образование, %',
  'Доля обучающихся из неполных семей, %',
  'Доля обучающихся из многодетных семей, %',
  'Доля обучающихся на «хорошо» и «отлично», %',
  'Доля обучающихся, состоящих на профилактическом учёте, %',
];

describe('parseSocialPassportFile', () => {
  it('reads the ministry’s form in Windows-1251 with semicolons, even though its column names contain commas', async () => {
    const content = csvFile([FULL_HEADER, ['000123', 'Школа № 1', '12,5', '30', '15,2', '20', '3,1']], {
      delimiter: ';',
      encoding: 'windows-1251',
    });
    const result = await parseSocialPassportFile(content, 'паспорт.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      {
        schoolCode: '000123',
        schoolName: 'Школа № 1',
        bothParentsHigherEducation: 12.5,
        singleParentFamilies: 30,
        largeFamilies: 15.2,
        goodAndExcellent: 20,
        preventiveRegister: 3.1,
      },
    ]);
  });

  it('reads the same form comma-delimited with quoted names and decimals', async () => {
    const content = csvFile([FULL_HEADER, ['000123', 'Школа № 1', '12,5', '30', '15,2', '20', '3,1']], {
      delimiter: ',',
      encoding: 'utf-8',
    });
    const result = await parseSocialPassportFile(content, 'паспорт.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({ schoolCode: '000123', bothParentsHigherEducation: 12.5, largeFamilies: 15.2 });
  });

  it('accepts short names, ё written as е, and takes an empty cell as «no data»', async () => {
    const content = csvFile(
      [
        [
          'код школы',
          'Оба родителя с высшим образованием, %',
          'Неполные семьи',
          'Многодетные семьи',
          'Хорошисты и отличники',
          'На учете в ПДН, КДН',
        ],
        ['000123', '10', '', '5', '40', '0'],
      ],
      { delimiter: ';', encoding: 'utf-8-bom' },
    );
    const result = await parseSocialPassportFile(content, 'паспорт.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      {
        schoolCode: '000123',
        schoolName: null,
        bothParentsHigherEducation: 10,
        singleParentFamilies: null,
        largeFamilies: 5,
        goodAndExcellent: 40,
        preventiveRegister: 0,
      },
    ]);
  });

  it('reads a workbook with shares stored as Excel percentages', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('Паспорт');
    sheet.addRow(FULL_HEADER);
    sheet.addRow(['000123', 'Школа', 0.125, 0.3, 0.15, 0.2, 0.031]);
    for (const column of ['C', 'D', 'E', 'F', 'G']) sheet.getCell(`${column}2`).numFmt = '0.0%';
    const result = await parseSocialPassportFile(Buffer.from(await book.xlsx.writeBuffer()), 'паспорт.xlsx');
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({
      bothParentsHigherEducation: 12.5,
      singleParentFamilies: 30,
      largeFamilies: 15,
      goodAndExcellent: 20,
      preventiveRegister: 3.1,
    });
  });

  it('reports every bad cell: not a number, out of range, a repeated school, an empty code, an empty row of indicators', async () => {
    const content = csvFile(
      [
        FULL_HEADER,
        ['000123', 'Школа № 1', '12,5', 'тридцать', '15', '20', '3'],
        ['000124', 'Школа № 2', '101', '30', '15', '20', '-1'],
        ['000123', 'Школа № 1', '12', '30', '15', '20', '3'],
        ['', 'Школа № 4', '12', '30', '15', '20', '3'],
        ['000125', 'Школа № 5', '', '', '', '', ''],
        ['000126', 'Школа № 6', '12', '30', '15', '20', '3'],
      ],
      { delimiter: ';', encoding: 'utf-8-bom' },
    );
    const result = await parseSocialPassportFile(content, 'паспорт.csv');
    expect(result.errors).toEqual([
      { row: 2, column: FULL_HEADER[3], message: 'Не число: "тридцать"' },
      { row: 3, column: FULL_HEADER[2], message: 'Доля вне диапазона 0–100: 101' },
      { row: 3, column: FULL_HEADER[6], message: 'Доля вне диапазона 0–100: -1' },
      { row: 4, column: 'Код ОО', message: 'Повтор школы (см. строку 2)' },
      { row: 5, column: 'Код ОО', message: 'Пустой код ОО' },
      { row: 6, column: 'Код ОО', message: 'Не заполнен ни один показатель социального паспорта' },
    ]);
    expect(result.rows.map((r) => r.schoolCode)).toEqual(['000126']);
  });

  it('names every missing indicator column, and does not take a column of counts for a share', async () => {
    const content = csvFile(
      [
        ['Код ОО', 'Количество обучающихся из неполных семей', 'Доля обучающихся из многодетных семей, %'],
        ['000123', '12', '5'],
      ],
      { delimiter: ';', encoding: 'utf-8' },
    );
    const result = await parseSocialPassportFile(content, 'паспорт.csv');
    expect(result.errors.map((e) => [e.row, e.column, e.message])).toEqual([
      [1, FULL_HEADER[2], `Нет обязательного столбца «${FULL_HEADER[2]}»`],
      [1, FULL_HEADER[3], `Нет обязательного столбца «${FULL_HEADER[3]}»`],
      [1, FULL_HEADER[5], `Нет обязательного столбца «${FULL_HEADER[5]}»`],
      [1, FULL_HEADER[6], `Нет обязательного столбца «${FULL_HEADER[6]}»`],
    ]);
  });

  it('refuses a file that is not a table', async () => {
    const result = await parseSocialPassportFile(Buffer.from('PK'), 'паспорт.docx');
    expect(result.errors).toEqual([
      { row: 0, column: '', message: 'Неподдерживаемый тип файла «.docx»: загрузите таблицу в формате .csv или .xlsx' },
    ]);
  });
});
