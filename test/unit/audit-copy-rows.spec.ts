import { types as pgTypes } from 'pg';
import { copyParsers, CopyTextDecoder, type CopyRow } from '../../libs/persistence/copy-out';

const pgParser = (oid: number) => pgTypes.getTypeParser(oid as Parameters<typeof pgTypes.getTypeParser>[0], 'text') as (text: string) => unknown;

describe('COPY text rows (the audit chain walk reads them)', () => {
  const decode = (chunks: Buffer[]) => {
    const rows: CopyRow[] = [];
    const decoder = new CopyTextDecoder((row) => void rows.push(row));
    for (const chunk of chunks) decoder.push(chunk);
    return { rows, pending: decoder.pending };
  };

  it('splits rows and columns, reads \\N as NULL and undoes the escapes COPY TO writes', () => {
    const text = 'a\\\\b\t\\N\tline\\nbreak\\ttab\\r\\b\\f\\v\t\\\\N\t{"k": "q\\\\"x"}\n2\t\t\\N\t-\t-\n';
    expect(decode([Buffer.from(text)])).toEqual({
      rows: [
        ['a\\b', null, 'line\nbreak\ttab\r\b\f\v', '\\N', '{"k": "q\\"x"}'],
        ['2', '', null, '-', '-'],
      ],
      pending: false,
    });
  });

  it('joins a row split over messages at any byte, inside a UTF-8 character too', () => {
    const text = 'первая\tстрока ё\nвторая\t😀\n';
    const bytes = Buffer.from(text);
    const whole = decode([bytes]).rows;
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(decode([bytes.subarray(0, cut), bytes.subarray(cut)]).rows).toEqual(whole);
    }
    expect(decode(Array.from(bytes, (b) => Buffer.from([b]))).rows).toEqual(whole);
    expect(decode([bytes.subarray(0, 5)]).pending).toBe(true);
  });

  it('stops decoding when the handler says so', () => {
    const seen: CopyRow[] = [];
    const decoder = new CopyTextDecoder((row) => (seen.push(row), seen.length < 2));
    expect(decoder.push(Buffer.from('1\n2\n3\n'))).toBe(false);
    expect(decoder.push(Buffer.from('4\n'))).toBe(false);
    expect(seen).toEqual([['1'], ['2']]);
  });

  it("parses timestamps and text arrays exactly as pg's own parsers do", () => {
    const timestamps = [
      '2026-09-01 06:00:00+00',
      '2026-09-01 06:00:00.1+00',
      '2026-09-01 06:00:00.001+00',
      '2026-09-01 06:00:00.123456+00',
      '2026-09-01 06:00:00.999999+00',
      '1999-12-31 23:59:59.9995+00',
      '1000-01-01 00:00:00+00',
      '9999-12-31 23:59:59.999999+00',
      '2026-09-01 11:00:00+05',
      '2026-09-01 11:00:00.5-03:30',
      '0099-01-01 00:00:00+00',
      '0001-01-01 00:00:00+00 BC',
      '12026-01-01 00:00:00+00',
      'infinity',
      '-infinity',
    ];
    for (const text of timestamps) {
      const ours = copyParsers.timestamptz(text);
      const theirs = pgParser(1184)(text) as Date | number;
      expect(typeof ours === 'number' ? ours : ours.getTime()).toBe(typeof theirs === 'number' ? theirs : theirs.getTime());
    }
    let state = 7;
    const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1000, 0, 1) + Math.floor(random() * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1)));
      const micro = Math.floor(random() * 1_000_000).toString().padStart(6, '0').replace(/0+$/, '');
      const text = `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}${micro ? `.${micro}` : ''}+00`;
      expect(copyParsers.timestamptz(text).getTime()).toBe((pgParser(1184)(text) as Date).getTime());
    }
    const arrays = ['{}', '{a}', '{a,b}', '{r01-mun-003,r01-school-0012}', '{NULL,a}', '{null}', '{"a b",c}', '{"",x}', '{"a,b"}', '{"q\\"x"}', '{{a},{b}}', '[0:1]={a,b}', '{ё,Ж}', '{"NULL"}', '', '{'];
    for (const text of arrays) {
      let theirs: unknown;
      try {
        theirs = pgParser(1009)(text);
      } catch (error) {
        expect(() => copyParsers.textArray(text)).toThrow((error as Error).message);
        continue;
      }
      expect(copyParsers.textArray(text)).toEqual(theirs);
    }
  });
});
