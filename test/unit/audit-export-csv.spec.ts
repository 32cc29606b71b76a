import { auditEventLabel } from '../../libs/audit/audit-event-labels';
import { csvCell, CSV_HEADERS, toCsv, type AuditExport } from '../../libs/audit/audit-export';

function exportWith(entries: AuditExport['entries']): AuditExport {
  return {
    scope: { kind: 'task', id: 't1', includeHistories: true },
    generatedAt: '2026-11-24T00:00:00.000Z',
    scopeOrganizationIds: [],
    organizations: [{ id: 'demo-mun-severny', name: 'Управление образования Северного района', kind: 'municipality' }],
    entries,
    tasks: [
      {
        id: 't1',
        workflowId: 'task:t1',
        title: 'План "поддержки", ред. 2',
        assigneeOrganizationId: 'demo-mun-severny',
        supervisorOrganizationId: 'demo-ministry',
        subjectOrganizationId: null,
        cycleId: null,
        dueAt: '2026-12-15T13:00:00.000Z',
        status: 'completed',
        completedAt: '2026-12-16T05:00:00.000Z',
        completedBy: 'head@severny',
        late: true,
        legalBasis: null,
      },
    ],
    notifications: [],
    workflows: [],
    verification: { ok: true, checked: entries.length, failures: [] },
  };
}

const entry = (chainSeq: string, occurredAt: string, type: string, data: Record<string, unknown> = {}) => ({
  chainSeq,
  prevHash: null,
  hash: 'a'.repeat(64),
  occurredAt,
  actor: 'head@severny.demo-region.example',
  type,
  typeLabel: auditEventLabel(type),
  subjectType: 'task',
  subjectId: 't1',
  seq: Number(chainSeq),
  cycleId: null,
  organizationIds: ['demo-ministry', 'demo-mun-severny'],
  data,
});

/** A minimal RFC 4180 reader, so the test checks what a spreadsheet would read rather than string fragments. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      endCell();
    } else if (c === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else {
      cell += c;
    }
  }
  return rows;
}

describe('auditors’ CSV', () => {
  it('starts with a UTF-8 BOM and Russian headers, ends rows with CRLF', () => {
    const csv = toCsv(exportWith([]));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toBe(`\uFEFF${CSV_HEADERS.join(',')}\r\n`);
    expect(Buffer.from(csv, 'utf8').subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  });

  it('writes one row per entry with quoting that round-trips through an RFC 4180 reader', () => {
    const exp = exportWith([
      entry('7', '2026-12-16T05:00:00.000Z', 'completed', { comment: 'Сдано, с опозданием;\nсм. "письмо"' }),
      entry('3', '2026-11-23T10:00:00.000Z', 'created'),
    ]);
    const [header, first, second, ...rest] = parseCsv(toCsv(exp).slice(1));
    expect(rest).toEqual([]);
    expect(header).toEqual([...CSV_HEADERS]);
    // toCsv keeps the export's order, which buildAuditExport makes chronological.
    expect(first[0]).toBe('2026-12-16T05:00:00.000Z');
    expect(first.slice(2, 4)).toEqual(['Задача выполнена', 'completed']);
    expect(first[4]).toBe('задача t1 «План "поддержки", ред. 2»');
    expect(first[5]).toBe('demo-ministry; Управление образования Северного района (demo-mun-severny)');
    expect(first[6]).toBe('2026-12-15T13:00:00.000Z');
    expect(JSON.parse(first[7])).toEqual({ comment: 'Сдано, с опозданием;\nсм. "письмо"' });
    expect(first[8]).toBe('7');
    expect(second.slice(2, 4)).toEqual(['Задача создана', 'created']);
  });

  it('puts the Russian label of each event beside its code, and the bare code for a type it does not know', () => {
    const exp = exportWith([
      entry('1', '2026-11-23T10:00:00.000Z', 'submission_made'),
      entry('2', '2026-11-24T10:00:00.000Z', 'agreement_confirmed'),
      entry('3', '2026-11-25T10:00:00.000Z', 'cycle_launched'),
      entry('4', '2026-11-26T10:00:00.000Z', 'written_by_a_newer_version'),
    ]);
    const [header, ...rows] = parseCsv(toCsv(exp).slice(1));
    expect(header.slice(2, 4)).toEqual(['Событие', 'Код события']);
    expect(rows.map((row) => row.slice(2, 4))).toEqual([
      ['Материалы представлены', 'submission_made'],
      ['Соглашение подтверждено стороной', 'agreement_confirmed'],
      ['Цикл запущен', 'cycle_launched'],
      ['written_by_a_newer_version', 'written_by_a_newer_version'],
    ]);
  });

  it('quotes only when needed and defuses spreadsheet formulas', () => {
    expect(csvCell('простой текст')).toBe('простой текст');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('a;b')).toBe('a;b');
    expect(csvCell('a;b', ';')).toBe('"a;b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
  });

  it('can use semicolons for Excel with Russian regional settings', () => {
    const csv = toCsv(exportWith([entry('1', '2026-11-23T10:00:00.000Z', 'created')]), { delimiter: ';' });
    expect(csv.split('\r\n')[0]).toBe(`\uFEFF${CSV_HEADERS.join(';')}`);
  });
});
