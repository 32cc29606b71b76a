import ExcelJS from 'exceljs';
import { MAX_IMPORT_ROWS, parseAssessmentFile } from '../../libs/import';
import { brokenResultsCsv, csvFile } from '../support/fixtures/identification-files';

const HEADER = ['Код ОО', 'Наименование ОО', 'Год', 'Средний балл', 'Доля неудовлетворительных результатов, %'];

async function workbook(rows: ExcelJS.CellValue[][], decorate?: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('Лист1');
  rows.forEach((row) => sheet.addRow(row));
  decorate?.(sheet);
  // Only the first sheet is read: a second one with other data must not leak in.
  book.addWorksheet('Лист2').addRow(['Код ОО', 'Год', 'Средний балл']).commit();
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('parseAssessmentFile: what officials save', () => {
  it('reads Excel’s «CSV UTF-8»: BOM, semicolons, decimal commas, codes with leading zeros', async () => {
    const content = csvFile(
      [HEADER, ['000123', 'МБОУ СОШ № 1', '2024', '3,75', '12,5'], ['0456', 'МБОУ «Лицей № 2»', '2024', '4', '0']],
      { delimiter: ';', encoding: 'utf-8-bom' },
    );
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { schoolCode: '000123', schoolName: 'МБОУ СОШ № 1', year: 2024, subject: null, meanScore: 3.75, failureShare: 12.5 },
      { schoolCode: '0456', schoolName: 'МБОУ «Лицей № 2»', year: 2024, subject: null, meanScore: 4, failureShare: 0 },
    ]);
  });

  it('reports a school code missing from the region\'s directory at its row and «Код ОО» cell', async () => {
    const content = csvFile(
      [HEADER, ['000123', 'МБОУ СОШ № 1', '2024', '3,75', '12,5'], ['999999', 'Чужая школа', '2024', '4', '0']],
      { delimiter: ';', encoding: 'utf-8-bom' },
    );
    const result = await parseAssessmentFile(content, 'results.csv', { knownSchoolCodes: new Set(['000123']), regionCode: 'demo' });
    expect(result.errors).toEqual([
      {
        row: 3,
        column: 'Код ОО',
        message:
          'Код школы «999999» не найден в справочнике организаций региона: коды школ видны в ' +
          'GET /api/organizations?regionCode=demo&kind=school и задаются при создании школы (POST /api/organizations, поле code)',
      },
    ]);
  });

  it('reads a comma-delimited file whose decimal commas are quoted, without a BOM', async () => {
    const content = csvFile([HEADER, ['000123', 'Школа, филиал', '2024', '3,75', '12,5']], { delimiter: ',', encoding: 'utf-8' });
    expect(content.toString('utf-8')).toContain('"3,75"');
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { schoolCode: '000123', schoolName: 'Школа, филиал', year: 2024, subject: null, meanScore: 3.75, failureShare: 12.5 },
    ]);
  });

  it('reads a tab-delimited .txt and a Windows-1251 file (Excel’s legacy CSV)', async () => {
    const rows = [HEADER, ['000123', 'Школа № 1 им. Ёлкина', '2024', '3,75', '12,5']];
    for (const [content, name] of [
      [csvFile(rows, { delimiter: '\t', encoding: 'utf-8' }), 'results.txt'],
      [csvFile(rows, { delimiter: ';', encoding: 'windows-1251' }), 'results.csv'],
    ] as const) {
      const result = await parseAssessmentFile(content, name);
      expect(result.errors).toEqual([]);
      expect(result.rows[0]).toMatchObject({ schoolCode: '000123', schoolName: 'Школа № 1 им. Ёлкина', meanScore: 3.75 });
    }
  });

  it('reads UTF-16 with its BOM (Excel’s «Unicode text»)', async () => {
    const text = `${HEADER.join('\t')}\r\n000123\tШкола\t2024\t3,75\t12,5\r\n`;
    const content = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const result = await parseAssessmentFile(content, 'results.txt');
    expect(result.errors).toEqual([]);
    expect(result.rows[0]).toMatchObject({ schoolCode: '000123', meanScore: 3.75, failureShare: 12.5 });
  });

  it('recognises renamed columns, ignores unknown ones, and names the assessment from procedure, subject and grade', async () => {
    const content = csvFile(
      [
        ['№ п/п', 'Муниципалитет', ' код  школы ', 'Учебный год', 'Оценочная процедура', 'Предмет', 'Класс', 'Ср. балл', 'Доля «2», %'],
        ['1', 'Северный', '000123', '2023/2024', 'ВПР', 'математика', '5', '3,9', '7 %'],
        ['2', 'Северный', '000123', '2023-24', 'ВПР', 'русский язык', '5', '3,8', ''],
        ['3', 'Северный', '000124', '2024 г.', 'ВПР', 'математика', '5', '', '−0'],
      ],
      { delimiter: ';', encoding: 'utf-8-bom' },
    );
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { schoolCode: '000123', schoolName: null, year: 2023, subject: 'ВПР / математика / 5 класс', meanScore: 3.9, failureShare: 7 },
      { schoolCode: '000123', schoolName: null, year: 2023, subject: 'ВПР / русский язык / 5 класс', meanScore: 3.8, failureShare: null },
      { schoolCode: '000124', schoolName: null, year: 2024, subject: 'ВПР / математика / 5 класс', meanScore: null, failureShare: 0 },
    ]);
  });

  it('reads the first sheet of a workbook below its title rows, with numbers, percentages, padded codes and formulas', async () => {
    const content = await workbook(
      [
        ['Результаты ВПР, 2024 год'],
        [],
        ['Код ОО', 'Наименование ОО', 'Год', 'Средний балл', 'Доля неудовлетворительных результатов, %'],
        [123, 'Школа № 1', 2024, 3.75, 0.125],
        [
          '000124',
          { richText: [{ text: 'Школа ' }, { text: '№ 2', font: { bold: true } }] },
          '2023/2024',
          { formula: 'B1', result: 4.1 },
          0.05,
        ],
      ],
      (sheet) => {
        sheet.getCell('A4').numFmt = '000000';
        sheet.getCell('E4').numFmt = '0.0%';
        sheet.getCell('E5').numFmt = '0%';
      },
    );
    const result = await parseAssessmentFile(content, 'Результаты.XLSX');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual([
      { schoolCode: '000123', schoolName: 'Школа № 1', year: 2024, subject: null, meanScore: 3.75, failureShare: 12.5 },
      { schoolCode: '000124', schoolName: 'Школа № 2', year: 2023, subject: null, meanScore: 4.1, failureShare: 5 },
    ]);
  });

  it('reads a workbook renamed to .csv by its content', async () => {
    const content = await workbook([HEADER, ['000123', 'Школа', 2024, 3.75, 12.5]]);
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toHaveLength(1);
  });
});

describe('parseAssessmentFile: every bad cell, with the row and the column the official sees', () => {
  it('reports all the bad cells of a file at once', async () => {
    const result = await parseAssessmentFile(brokenResultsCsv(), 'results.csv');
    const share = 'Доля неудовлетворительных результатов, %';
    expect(result.errors).toEqual([
      { row: 3, column: 'Средний балл', message: 'Не число: "abc"' },
      { row: 4, column: 'Год', message: 'Год вне диапазона 2000–2100: 1999' },
      { row: 5, column: 'Код ОО', message: 'Повтор школы, года и оценочной процедуры (см. строку 2)' },
      { row: 6, column: 'Код ОО', message: 'Пустой код ОО' },
      { row: 7, column: share, message: 'Доля вне диапазона 0–100: 120' },
      { row: 8, column: 'Год', message: 'Учебный год записан неверно: "2023/2025" (ожидается 2023/2024)' },
      { row: 9, column: 'Средний балл', message: 'Нет ни среднего балла, ни доли неудовлетворительных результатов' },
      { row: 11, column: 'Год', message: 'Год не распознан: "двадцать" (ожидается 2024 или 2023/2024)' },
      { row: 11, column: 'Средний балл', message: 'Средний балл вне диапазона 0–100: 1 234,5' },
      { row: 11, column: share, message: 'Не число: "x"' },
    ]);
    expect(result.rows.map((r) => r.schoolCode)).toEqual(['000101', '000109']);
  });

  it('reports a bad cell of a workbook by its sheet row', async () => {
    const content = await workbook([
      ['Сводная таблица'],
      HEADER,
      ['000123', 'Школа', 2024, 'н.д.', 12.5],
      ['000124', 'Школа', 2024.5, 4, 10],
    ]);
    const result = await parseAssessmentFile(content, 'results.xlsx');
    expect(result.errors).toEqual([
      { row: 3, column: 'Средний балл', message: 'Не число: "н.д."' },
      { row: 4, column: 'Год', message: 'Год не распознан: "2024.5" (ожидается 2024 или 2023/2024)' },
    ]);
  });

  it('takes a dash or «н/д» for an empty cell, and an empty required cell is an error', async () => {
    const content = csvFile(
      [
        ['Код ОО', 'Год', 'Средний балл'],
        ['000123', '2024', '—'],
        ['000124', '', '4'],
      ],
      { delimiter: ';', encoding: 'utf-8' },
    );
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.errors).toEqual([
      { row: 2, column: 'Средний балл', message: 'Пустое значение' },
      { row: 3, column: 'Год', message: 'Не указан год' },
    ]);
  });

  it('names every missing required column in the header row', async () => {
    const content = csvFile([['Наименование ОО', 'Предмет'], ['Школа', 'математика']], { delimiter: ';', encoding: 'utf-8' });
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.rows).toEqual([]);
    expect(result.errors).toEqual([
      { row: 1, column: 'Код ОО', message: 'Нет обязательного столбца «Код ОО»' },
      { row: 1, column: 'Год', message: 'Нет обязательного столбца «Год»' },
      { row: 1, column: 'Средний балл', message: 'Нет столбца «Средний балл» или «Доля неудовлетворительных результатов, %»' },
    ]);
  });

  it('refuses two columns for one field, and does not take a count for a share', async () => {
    const content = csvFile(
      [
        ['Код ОО', 'Код школы', 'Год', 'Количество неудовлетворительных результатов'],
        ['000123', '000123', '2024', '3'],
      ],
      { delimiter: ';', encoding: 'utf-8' },
    );
    const result = await parseAssessmentFile(content, 'results.csv');
    expect(result.errors).toEqual([
      { row: 1, column: 'Код школы', message: 'Столбец «Код ОО» встречается дважды (уже есть «Код ОО»): оставьте один' },
      { row: 1, column: 'Средний балл', message: 'Нет столбца «Средний балл» или «Доля неудовлетворительных результатов, %»' },
    ]);
  });

  it('refuses a file with more data rows than the limit, and accepts one at the limit', async () => {
    const line = (i: number) => `${String(i).padStart(6, '0')};2024;4`;
    const file = (count: number) =>
      Buffer.from(['Код ОО;Год;Средний балл', ...Array.from({ length: count }, (_, i) => line(i))].join('\n'));
    const atLimit = await parseAssessmentFile(file(MAX_IMPORT_ROWS), 'results.csv');
    expect(atLimit.errors).toEqual([]);
    expect(atLimit.rows).toHaveLength(MAX_IMPORT_ROWS);
    const over = await parseAssessmentFile(file(MAX_IMPORT_ROWS + 1), 'results.csv');
    expect(over.rows).toEqual([]);
    expect(over.errors).toEqual([
      { row: 0, column: '', message: 'В файле 20\u00a0001 строка данных, допускается не более 20\u00a0000: разделите файл' },
    ]);
  });
});

describe('parseAssessmentFile: files that are not a table', () => {
  const refusal = async (content: Buffer, name: string) => {
    const result = await parseAssessmentFile(content, name);
    expect(result.rows).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ row: 0, column: '' });
    return result.errors[0].message;
  };

  it('refuses an unknown extension, an old .xls, a .xlsx that is no workbook, a binary .csv and an empty file', async () => {
    expect(await refusal(Buffer.from('%PDF-1.7'), 'Результаты.pdf')).toBe(
      'Неподдерживаемый тип файла «.pdf»: загрузите таблицу в формате .csv или .xlsx',
    );
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);
    expect(await refusal(ole, 'results.xls')).toBe('Файл «results.xls» в старом формате Excel (.xls): сохраните его как .xlsx или .csv');
    expect(await refusal(ole, 'results.xlsx')).toBe(
      'Файл «results.xlsx» в старом формате Excel (.xls): сохраните его как .xlsx или .csv',
    );
    expect(await refusal(Buffer.from('Код ОО;Год'), 'results.xlsx')).toBe(
      'Файл «results.xlsx» не является книгой Excel .xlsx: он повреждён или другого формата',
    );
    expect(await refusal(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'results.xlsx')).toBe(
      'Не удалось прочитать книгу Excel «results.xlsx»: файл повреждён или это не .xlsx',
    );
    expect(await refusal(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), 'results.csv')).toBe(
      'Файл «results.csv» не является текстовым CSV: загрузите таблицу в формате .csv или .xlsx',
    );
    expect(await refusal(Buffer.alloc(0), 'results.csv')).toBe('Файл «results.csv» пуст');
    expect(await refusal(Buffer.from('\ufeff\r\n;;\r\n'), 'results.csv')).toBe('В файле «results.csv» нет данных');
  });

  it('refuses a CSV with an unclosed quote, naming the line', async () => {
    const content = Buffer.from('Код ОО;Год;Средний балл\n000123;"2024;4\n000124;2024;4\n000125;2024;4\n');
    expect(await refusal(content, 'results.csv')).toBe(
      'Не закрыта кавычка в строке 2: ячейка, начатая с «"», должна им и заканчиваться',
    );
  });
});
