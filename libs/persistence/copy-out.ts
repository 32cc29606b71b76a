/**
 * `COPY (SELECT …) TO STDOUT` read row by row on the connection's own socket, for the reads that walk a whole table
 * (the audit chain's verification): PostgreSQL sends the rows as one stream, with no per-batch round trip, and
 * decoding a text-format row costs far less than pg's row objects and per-column parsers. Repositories only: the SQL
 * is theirs.
 */
import { types as pgTypes, type Connection, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';

/** One row's columns as COPY's text format gives them: the type's text output (what pg parses), null for SQL NULL. */
export type CopyRow = (string | null)[];

/** Return false to stop decoding: the rest of the stream is then read and dropped, leaving the connection usable. */
export type CopyRowHandler = (row: CopyRow) => boolean | void;

const NEWLINE = 0x0a;
const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * COPY TO's text format escapes a backslash, the control characters it names and the delimiter with a backslash
 * (octal and hex escapes exist only on input); `\N` alone is NULL.
 */
function copyField(field: string): string | null {
  if (!field.includes('\\')) return field;
  if (field === '\\N') return null;
  return field.replace(/\\([\s\S])/g, (_, c: string) => ESCAPES[c] ?? c);
}

/**
 * Rows of a text-format COPY stream from its bytes as they arrive. A row may be split over CopyData messages (and a
 * UTF-8 character with it), so bytes are joined up to each newline; UTF-8 never uses the newline byte inside a
 * character, so every line decodes whole.
 */
export class CopyTextDecoder {
  private carry: Buffer | null = null;
  private stopped = false;

  constructor(private readonly onRow: CopyRowHandler) {}

  /** Decodes the complete rows in `chunk`; false once onRow has asked to stop (later chunks are then dropped). */
  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    let bytes = chunk;
    if (this.carry) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      const fields = bytes.toString('utf8', start, end).split('\t');
      start = end + 1;
      const row: CopyRow = new Array<string | null>(fields.length);
      for (let i = 0; i < fields.length; i++) row[i] = copyField(fields[i]);
      if (this.onRow(row) === false) {
        this.stopped = true;
        return false;
      }
    }
    if (start < bytes.length) this.carry = Buffer.from(bytes.subarray(start));
    return true;
  }

  /** Whether bytes of an unfinished row are left: a stream that ended here was cut. */
  get pending(): boolean {
    return this.carry !== null;
  }
}

/** pg's Submittable for one COPY TO: decodes each CopyData message as it comes off the socket. */
class CopyOutQuery {
  readonly done: Promise<void>;
  private settle!: (error?: unknown) => void;
  private readonly decoder: CopyTextDecoder;
  private failure: unknown;

  constructor(
    readonly text: string,
    onRow: CopyRowHandler,
  ) {
    this.decoder = new CopyTextDecoder(onRow);
    this.done = new Promise((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error as Error));
    });
  }

  /** The simple query protocol, which is how COPY is started. */
  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleCopyData(message: { chunk: Buffer }): void {
    if (this.failure !== undefined) return;
    try {
      this.decoder.push(message.chunk);
    } catch (error) {
      // Thrown by onRow: reported once PostgreSQL has finished the statement, so the connection goes back clean.
      this.failure = error;
    }
  }

  handleCommandComplete(): void {
    if (this.failure === undefined && this.decoder.pending) this.failure = new Error('COPY ended inside a row');
  }

  handleReadyForQuery(): void {
    this.settle(this.failure);
  }

  handleError(error: unknown): void {
    this.settle(error ?? new Error('COPY failed'));
  }

  // Not sent for COPY TO; present because pg hands every message to the active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handleCopyInResponse(): void {}
}

/**
 * Runs `COPY (<select>) TO STDOUT` on a connection of the data source's pool and hands each row to `onRow` as it
 * arrives, so memory does not grow with the table. An error thrown by `onRow` rejects once the stream has ended.
 */
export async function copyOutRows(dataSource: DataSource, select: string, onRow: CopyRowHandler): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const query = new CopyOutQuery(`COPY (${select}) TO STDOUT`, onRow);
    client.query(query);
    await query.done;
  } finally {
    await runner.release();
  }
}

/** text[]: pg-types names the array types' parsers by oid only. */
const TEXT_ARRAY_OID = 1009 as Parameters<typeof pgTypes.getTypeParser>[0];

const pgInteger = pgTypes.getTypeParser(pgTypes.builtins.INT4, 'text') as (text: string) => number;
const pgTimestamptz = pgTypes.getTypeParser(pgTypes.builtins.TIMESTAMPTZ, 'text') as (text: string) => Date;
const pgJsonb = pgTypes.getTypeParser(pgTypes.builtins.JSONB, 'text') as (text: string) => unknown;
const pgTextArray = pgTypes.getTypeParser(TEXT_ARRAY_OID, 'text') as (text: string) => (string | null)[];

/** Two decimal digits at `at`, or NaN. */
function digits2(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]+00', what timestamptz_out writes in a UTC session, from year 1000 on (no BC, no
 * two-digit years, no other zone): postgres-date's arithmetic for it (fractional milliseconds go to Date.UTC, which
 * truncates them), read by position instead of its regular expressions. Null for any other text.
 */
function utcTimestamp(text: string): Date | null {
  const n = text.length;
  if (n < 22 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || text.charCodeAt(10) !== 0x20) return null;
  if (text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a || text.charCodeAt(n - 3) !== 0x2b || text.charCodeAt(n - 2) !== 0x30 || text.charCodeAt(n - 1) !== 0x30) return null;
  const century = digits2(text, 0);
  const year = century * 100 + digits2(text, 2);
  const month = digits2(text, 5);
  const day = digits2(text, 8);
  const hour = digits2(text, 11);
  const minute = digits2(text, 14);
  const second = digits2(text, 17);
  if (!(century >= 10) || Number.isNaN(year + month + day + hour + minute + second)) return null;
  let ms = 0;
  if (n > 22) {
    const fraction = text.slice(19, n - 3);
    if (!/^\.\d{1,6}$/.test(fraction)) return null;
    ms = 1000 * parseFloat(fraction);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms));
}

/**
 * pg's parsers of the text outputs COPY gives, so that a row read by COPY is the row a query returns; the two that a
 * walk over a whole table spends its time in have a fast path for their common form, with pg's own parser for the rest.
 */
export const copyParsers = {
  integer: pgInteger,
  jsonb: pgJsonb,
  timestamptz(text: string): Date {
    return utcTimestamp(text) ?? pgTimestamptz(text);
  },
  /**
   * A one-dimensional array whose elements needed no quoting (no quote, backslash, brace, comma or blank in any of
   * them) is its elements between the commas, unquoted NULL being null, as postgres-array reads it.
   */
  textArray(text: string): (string | null)[] {
    const last = text.length - 1;
    if (last < 1 || text.charCodeAt(0) !== 0x7b || text.charCodeAt(last) !== 0x7d || /["\\{}]/.test(text.slice(1, last))) return pgTextArray(text);
    const entries: (string | null)[] = [];
    if (last === 1) return entries;
    for (const entry of text.slice(1, last).split(',')) if (entry.length > 0) entries.push(entry === 'NULL' ? null : entry);
    return entries;
  },
};
