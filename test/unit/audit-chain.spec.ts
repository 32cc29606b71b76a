import { createHash } from 'node:crypto';
import {
  canonicalEntry,
  canonicalJson,
  chainHash,
  ChainVerifier,
  diagnoseBreak,
  GENESIS_HASH,
  normalizeOrganizationIds,
  type ChainedContent,
  type ChainedRow,
} from '../../libs/audit/audit-chain';

const content: ChainedContent = {
  chainSeq: '1',
  subjectType: 'task',
  subjectId: 'plan-2026',
  seq: 1,
  type: 'created',
  actor: 'programme@demo-region.example',
  occurredAt: new Date('2026-11-23T10:00:00Z'),
  data: { title: 'План', nested: { b: 2, a: [{ z: 1, y: null }] } },
  cycleId: 'demo-2026',
  organizationIds: ['demo-ministry', 'demo-mun-severny'],
};

describe('canonical JSON', () => {
  it('sorts keys at every depth, keeps array order and drops what jsonb would drop', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { y: 1, x: 2 }], c: undefined }, when: new Date('2026-01-02T03:04:05.006Z') })).toBe(
      '{"a":{"d":[3,{"x":2,"y":1}]},"b":1,"when":"2026-01-02T03:04:05.006Z"}',
    );
  });

  it('is the same text for the same content written in any key order', () => {
    expect(canonicalJson({ x: 1, y: { q: 'ё', p: [1] } })).toBe(canonicalJson({ y: { p: [1], q: 'ё' }, x: 1 }));
  });

  it('writes plain data exactly as the definition does: stringify(sortKeys(normalize(value)))', () => {
    // The definition as it was first written: every stored hash was computed with it, so the fast path must match it.
    const sortKeys = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(sortKeys);
      if (value !== null && typeof value === 'object') {
        const sorted: Record<string, unknown> = {};
        for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
        return sorted;
      }
      return value;
    };
    const definition = (value: unknown) => JSON.stringify(sortKeys(value === undefined ? null : JSON.parse(JSON.stringify(value))));
    let state = 42;
    const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const keys = ['a', 'b', 'B', 'ё', 'я', '', ' ', '0', '1', '2', '10', '01', '-1', '1.5', '4294967294', '4294967295', '__proto__', 'toJSON', 'a"b', '\u{1F600}', '\ud800'];
    const strings = ['', 'x', 'План', '"quoted"', 'back\\slash', 'line\nbreak', '\u0000\u001f', '\ud800 lone', '\u{1F600}', '\u2028'];
    const numbers = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 2 ** 53 + 2, Number.MAX_VALUE, NaN, Infinity, -Infinity];
    const generate = (depth: number): unknown => {
      const roll = random();
      if (depth > 3 || roll < 0.3) return [null, true, false, strings[Math.floor(random() * strings.length)], numbers[Math.floor(random() * numbers.length)]][Math.floor(random() * 5)];
      if (roll < 0.5) return Array.from({ length: Math.floor(random() * 4) }, () => generate(depth + 1));
      const object: Record<string, unknown> = {};
      for (let i = Math.floor(random() * 6); i > 0; i--) {
        Object.defineProperty(object, keys[Math.floor(random() * keys.length)], { value: generate(depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return object;
    };
    for (let i = 0; i < 3000; i++) {
      const value = generate(0);
      expect(canonicalJson(value)).toBe(definition(value));
      // What pg hands back for a jsonb column: JSON.parse of the stored text, with an own "__proto__" where one was stored.
      const parsed: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
      expect(canonicalJson(parsed)).toBe(definition(parsed));
    }
    const other = { when: new Date(0), gone: undefined, list: [undefined, () => 1], nested: Object.create(null) as object, big: new Map() };
    expect(canonicalJson(other)).toBe(definition(other));
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ toJSON: () => ({ b: 1, a: 2 }) })).toBe('{"a":2,"b":1}');
  });

  it('treats organisation lists as sorted sets', () => {
    expect(normalizeOrganizationIds(['b', 'a', 'b', '', undefined, null])).toEqual(['a', 'b']);
  });
});

describe('chain hash', () => {
  it('is sha256 of the previous hash, a newline and the canonical entry with its documented fields', () => {
    const text =
      '{"actor":"programme@demo-region.example","chain_seq":"1","cycle_id":"demo-2026",' +
      '"data":{"nested":{"a":[{"y":null,"z":1}],"b":2},"title":"План"},' +
      '"occurred_at":"2026-11-23T10:00:00.000Z","organization_ids":["demo-ministry","demo-mun-severny"],' +
      '"seq":1,"subject_id":"plan-2026","subject_type":"task","type":"created"}';
    expect(canonicalEntry(content)).toBe(text);
    const expected = createHash('sha256').update(`${GENESIS_HASH}\n${text}`, 'utf8').digest('hex');
    expect(chainHash(null, content)).toBe(expected);
    expect(chainHash(GENESIS_HASH, content)).toBe(expected);
  });

  it('changes with any covered field and with the previous hash', () => {
    const base = chainHash(null, content);
    expect(chainHash(null, { ...content, actor: 'someone@else' })).not.toBe(base);
    expect(chainHash(null, { ...content, data: { ...content.data, title: 'План 2' } })).not.toBe(base);
    expect(chainHash(null, { ...content, occurredAt: new Date('2026-11-23T10:00:00.001Z') })).not.toBe(base);
    expect(chainHash(null, { ...content, organizationIds: ['demo-ministry'] })).not.toBe(base);
    expect(chainHash('f'.repeat(64), content)).not.toBe(base);
  });

  it('refuses an invalid date instead of hashing "null"', () => {
    expect(() => chainHash(null, { ...content, occurredAt: new Date('not a date') })).toThrow(/occurredAt/);
  });
});

describe('chain verifier', () => {
  function chain(length: number): ChainedRow[] {
    const rows: ChainedRow[] = [];
    let prev: string | null = null;
    for (let i = 1; i <= length; i++) {
      const row: ChainedRow = { ...content, chainSeq: String(i), seq: i, prevHash: prev, hash: '' };
      row.hash = chainHash(prev, row);
      rows.push(row);
      prev = row.hash;
    }
    return rows;
  }

  it('accepts an intact chain', () => {
    const verifier = new ChainVerifier();
    expect(chain(5).every((row) => verifier.push(row))).toBe(true);
    expect(verifier.checked).toBe(5);
    expect(verifier.brokenAt).toBeUndefined();
  });

  it('names the first edited entry', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2], actor: 'forger@example' };
    const verifier = new ChainVerifier();
    rows.forEach((row) => verifier.push(row));
    expect(verifier.checked).toBe(2);
    expect(verifier.brokenAt).toEqual({ chainSeq: '3', reason: expect.stringContaining('изменена') });
  });

  it('names the deleted entry itself, whether or not the numbering was closed up', () => {
    const rows = chain(5);
    const gap = new ChainVerifier();
    [rows[0], rows[1], rows[3], rows[4]].forEach((row) => gap.push(row));
    expect(gap.brokenAt).toEqual({ chainSeq: '3', reason: expect.stringMatching(/запись № 3 отсутствует: удалена/) });
    expect(gap.checked).toBe(2);

    const renumbered = new ChainVerifier();
    [rows[0], rows[1], { ...rows[3], chainSeq: '3' }].forEach((row) => renumbered.push(row));
    expect(renumbered.brokenAt).toEqual({ chainSeq: '3', reason: expect.stringMatching(/запись № 3 удалена.*перенумерованы/) });
  });

  it('names the missing first entry of a chain that does not start at the genesis', () => {
    const verifier = new ChainVerifier();
    verifier.push(chain(3)[1]);
    expect(verifier.brokenAt).toEqual({ chainSeq: '1', reason: expect.stringContaining('начальные записи удалены') });
  });

  /** A forged entry with a correct hash, linked after `prev`: what someone who can write the table can make. */
  function forged(chainSeq: number, prev: string | null): ChainedRow {
    const row: ChainedRow = { ...content, chainSeq: String(chainSeq), actor: 'forger@example', prevHash: prev, hash: '' };
    row.hash = chainHash(prev, row);
    return row;
  }

  it('names an inserted entry, not the shifted one after it', () => {
    const rows = chain(5);
    const shifted = [rows[0], rows[1], forged(3, rows[1].hash), ...rows.slice(2).map((r) => ({ ...r, chainSeq: String(Number(r.chainSeq) + 1) }))];
    const verifier = new ChainVerifier();
    shifted.forEach((row) => verifier.push(row));
    expect(verifier.brokenAt).toEqual({ chainSeq: '3', reason: expect.stringMatching(/запись № 3 вставлена/) });
    expect(verifier.checked).toBe(2);
  });

  it('names an entry replaced with a recomputed hash by the link of the entry after it', () => {
    const rows = chain(5);
    const verifier = new ChainVerifier();
    [rows[0], rows[1], forged(3, rows[1].hash), rows[3], rows[4]].forEach((row) => verifier.push(row));
    expect(verifier.brokenAt).toEqual({ chainSeq: '3', reason: expect.stringContaining('подменена') });
  });

  it('names a moved entry once the entry that belongs there is looked up', () => {
    const rows = chain(5);
    // Entries 3 and 4 swapped their positions.
    const swapped = [rows[0], rows[1], { ...rows[3], chainSeq: '3' }, { ...rows[2], chainSeq: '4' }, rows[4]];
    const verifier = new ChainVerifier();
    swapped.forEach((row) => verifier.push(row));
    expect(verifier.brokenAt?.chainSeq).toBe('3');
    // What the repository does: find the rows that link to the last good one.
    const successors = swapped.filter((r) => r.prevHash === rows[1].hash);
    expect(diagnoseBreak(verifier.breakContext!, successors)).toEqual({
      chainSeq: '3',
      reason: 'порядок записей изменён: запись № 3 перемещена на место № 4',
    });
  });
});
