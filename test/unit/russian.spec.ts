import { countOf, formatRussianNumber, NOUNS, plural } from '../../libs/domain/russian';

describe('Russian plurals and numbers', () => {
  it.each([
    [0, '0 задач'],
    [1, '1 задача'],
    [2, '2 задачи'],
    [4, '4 задачи'],
    [5, '5 задач'],
    [11, '11 задач'],
    [14, '14 задач'],
    [21, '21 задача'],
    [22, '22 задачи'],
    [111, '111 задач'],
    [1001, '1\u00a0001 задача'],
  ])('%d → %s', (count, text) => {
    expect(countOf(count, NOUNS.task)).toBe(text);
  });

  it('takes the «few» form for fractions and agrees adjectives with the noun', () => {
    expect(plural(1.5, NOUNS.day)).toBe('дня');
    expect(countOf(3, NOUNS.workingDay)).toBe('3 рабочих дня');
    expect(countOf(1, NOUNS.workingDay)).toBe('1 рабочий день');
    expect(countOf(5, NOUNS.school)).toBe('5 школ');
  });

  it('has the forms the governing word asks for: из 21 школы, сопровождает 2 школы, в 21 году, в файле 2 строки', () => {
    expect([1, 2, 5, 21].map((n) => countOf(n, NOUNS.schoolGenitive))).toEqual(['1 школы', '2 школ', '5 школ', '21 школы']);
    expect([1, 2, 5, 21].map((n) => countOf(n, NOUNS.schoolAccusative))).toEqual(['1 школу', '2 школы', '5 школ', '21 школу']);
    expect([1, 2, 11, 21].map((n) => countOf(n, NOUNS.yearPrepositional))).toEqual(['1 году', '2 годах', '11 годах', '21 году']);
    expect([1, 3, 20_001].map((n) => countOf(n, NOUNS.row))).toEqual(['1 строка', '3 строки', '20\u00a0001 строка']);
    expect([1, 64, 300].map((n) => countOf(n, NOUNS.characterGenitive))).toEqual(['1 символа', '64 символов', '300 символов']);
  });

  it('groups thousands with a space and writes a decimal comma', () => {
    expect(formatRussianNumber(12345.6)).toBe('12\u00a0345,6');
    expect(formatRussianNumber(0.25, 2)).toBe('0,25');
  });
});
