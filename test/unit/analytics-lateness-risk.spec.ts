import {
  rankLatenessRisk,
  workingDaysLate,
  type LatenessRiskMunicipality,
  type LatenessRiskTask,
} from '../../libs/domain/analytics';

const ZONE = 'Asia/Yekaterinburg'; // UTC+5
/** Monday 2 November 2026, 18:00 local: the end of the working day. 4 November is a holiday (День народного единства). */
const DUE = '2026-11-02T13:00:00Z';
/** Friday 20 November 2026, 12:00 local: 13 working days after DUE (3, 5, 6, 9–13, 16–20 November). */
const AS_OF = '2026-11-20T07:00:00Z';

let seq = 0;
function task(o: Partial<LatenessRiskTask> = {}): LatenessRiskTask {
  seq += 1;
  return { taskId: `t${String(seq).padStart(3, '0')}`, status: 'open', dueAt: DUE, timeZone: ZONE, escalations: 0, ...o };
}
const onTime = (o: Partial<LatenessRiskTask> = {}) => task({ status: 'completed', completedAt: '2026-11-01T05:00:00Z', ...o });
/** Completed on Monday 9 November, 10:00 local: 4 working days late (3, 5, 6, 9 November). */
const lateBy4 = (o: Partial<LatenessRiskTask> = {}) => task({ status: 'completed', completedAt: '2026-11-09T05:00:00Z', ...o });
/** Open at AS_OF: 13 working days overdue. */
const overdue = (o: Partial<LatenessRiskTask> = {}) => task({ status: 'open', ...o });
const notYetDue = (o: Partial<LatenessRiskTask> = {}) => task({ status: 'open', dueAt: '2026-12-01T13:00:00Z', ...o });

function municipality(municipalityId: string, tasks: LatenessRiskTask[], name = `Управление образования ${municipalityId}`): LatenessRiskMunicipality {
  return { municipalityId, name, tasks };
}

describe('workingDaysLate', () => {
  it('counts the working days after the deadline by the production calendar, skipping the 4 November holiday', () => {
    // Tuesday 3 and Thursday 5 November: 2 working days by Thursday 11:00 local.
    expect(workingDaysLate(DUE, '2026-11-05T06:00:00Z', ZONE)).toBe(2);
    expect(workingDaysLate(DUE, AS_OF, ZONE)).toBe(13);
  });

  it('is 1 for a deadline missed the same day, 0 before or at it', () => {
    expect(workingDaysLate(DUE, '2026-11-02T15:00:00Z', ZONE)).toBe(1);
    expect(workingDaysLate(DUE, DUE, ZONE)).toBe(0);
    expect(workingDaysLate(DUE, '2026-10-30T10:00:00Z', ZONE)).toBe(0);
  });

  it('counts local days in the task’s zone, not UTC days', () => {
    // 20:00 UTC on Monday is already Tuesday 01:00 in UTC+5: one working day late there.
    expect(workingDaysLate('2026-11-02T13:00:00Z', '2026-11-02T20:00:00Z', ZONE)).toBe(1);
    // 20:00 UTC on Thursday 5 November: Friday 6 November in UTC+5 (3, 5, 6), still Thursday in Moscow (3, 5).
    expect(workingDaysLate('2026-11-02T13:00:00Z', '2026-11-05T20:00:00Z', ZONE)).toBe(3);
    expect(workingDaysLate('2026-11-02T13:00:00Z', '2026-11-05T20:00:00Z', 'Europe/Moscow')).toBe(2);
  });

  it('falls back to calendar days outside the production calendar’s years', () => {
    expect(workingDaysLate('2035-01-01T10:00:00Z', '2035-01-05T10:00:00Z', ZONE)).toBe(4);
  });
});

describe('rankLatenessRisk', () => {
  it('scores the share of late tasks, escalations per task and the mean lateness, weighted 0.5 / 0.25 / 0.25', () => {
    const [row] = rankLatenessRisk(
      [
        municipality('mun-a', [
          overdue({ escalations: 2 }),
          lateBy4({ escalations: 1 }),
          onTime(),
          onTime(),
          notYetDue(),
          task({ status: 'cancelled', escalations: 2 }),
        ]),
      ],
      { asOf: AS_OF },
    );
    // late 2 of 4 assessed; 3 escalations / 4 = 0.75 per task (÷ 2 cap); mean lateness (13 + 4) / 2 = 8.5 (÷ 10 cap).
    expect(row).toMatchObject({
      rank: 1,
      municipalityId: 'mun-a',
      insufficientData: false,
      counts: { tasks: 5, assessed: 4, late: 2, openOverdue: 1, completedLate: 1, notYetDue: 1, escalations: 3, maxOverdueWorkingDays: 13 },
      components: { overdueShare: 0.5, escalationsPerTask: 0.75, averageLatenessWorkingDays: 8.5 },
      contributions: { overdue: 0.25, escalations: 0.0938, lateness: 0.2125 },
    });
    expect(row.score).toBe(0.5563); // 0.25 + 0.09375 + 0.2125 = 0.55625
    expect(row.level).toBe('high');
  });

  it('ranks the most likely to be late first, and explains each row in Russian', () => {
    const rows = rankLatenessRisk(
      [
        municipality('mun-good', [onTime(), onTime(), onTime(), notYetDue()], 'Южный'),
        municipality('mun-late', [overdue({ escalations: 2 }), overdue({ escalations: 1 }), lateBy4(), onTime(), onTime(), onTime(), onTime(), onTime()], 'Северный'),
        municipality('mun-some', [lateBy4({ escalations: 1 }), onTime(), onTime(), onTime(), onTime()], 'Восточный'),
      ],
      { asOf: AS_OF },
    );
    expect(rows.map((r) => [r.rank, r.municipalityId])).toEqual([
      [1, 'mun-late'],
      [2, 'mun-some'],
      [3, 'mun-good'],
    ]);
    // The README's first two examples.
    expect(rows.map((r) => [r.score, r.level])).toEqual([
      [0.4844, 'high'],
      [0.225, 'medium'],
      [0, 'low'],
    ]);
    expect(rows[0].reasons).toEqual([
      'просрочено 3 задачи из 8 (38\u00a0%)',
      'ещё не выполнены 2 просроченные задачи, самая давняя — 13 рабочих дней после срока',
      'с опозданием выполнена 1 задача',
      'эскалаций: 3',
      // (13 + 13 + 4) / 3 = 10
      'средняя просрочка 10 рабочих дней',
    ]);
    expect(rows[1].reasons).toEqual([
      'просрочена 1 задача из 5 (20\u00a0%)',
      'с опозданием выполнена 1 задача',
      'эскалаций: 1',
      'средняя просрочка 4 рабочих дня',
    ]);
    expect(rows[2]).toMatchObject({ score: 0, level: 'low', reasons: ['просроченных задач нет: в срок 3 из 3'] });
  });

  it('writes fractional lateness and Russian plurals as officials read them', () => {
    // Open overdue 13 days and completed 4 days late: mean 8,5; five late tasks take «просрочено … задач».
    const [half] = rankLatenessRisk([municipality('m', [overdue(), lateBy4(), onTime()])], { asOf: AS_OF });
    expect(half.reasons).toContain('средняя просрочка 8,5 рабочих дня');
    expect(half.reasons).toContain('ещё не выполнена 1 просроченная задача: 13 рабочих дней после срока');

    const [five] = rankLatenessRisk([municipality('m', [overdue(), overdue(), overdue(), overdue(), overdue(), onTime()])], { asOf: AS_OF });
    expect(five.reasons[0]).toBe('просрочено 5 задач из 6 (83\u00a0%)');
    expect(five.reasons[1]).toBe('ещё не выполнено 5 просроченных задач, самая давняя — 13 рабочих дней после срока');

    // A task completed the same evening it was due: 1 working day late.
    const sameDay = () => task({ status: 'completed', completedAt: '2026-11-02T14:00:00Z' });
    const [one] = rankLatenessRisk([municipality('m', [sameDay(), sameDay(), onTime()])], { asOf: AS_OF });
    expect(one.reasons).toEqual([
      'просрочено 2 задачи из 3 (67\u00a0%)',
      'с опозданием выполнены 2 задачи',
      'средняя просрочка 1 рабочий день',
    ]);
  });

  it('breaks ties by municipality id in code-point order, not by name or locale', () => {
    const same = () => [overdue(), onTime(), onTime()];
    const rows = rankLatenessRisk(
      [municipality('mun-b', same(), 'А'), municipality('mun-B', same(), 'Я'), municipality('mun-a', same(), 'Б')],
      { asOf: AS_OF },
    );
    expect(new Set(rows.map((r) => r.score)).size).toBe(1);
    // 'B' (0x42) sorts before 'a' (0x61) in code points; a Russian or English collation would not.
    expect(rows.map((r) => r.municipalityId)).toEqual(['mun-B', 'mun-a', 'mun-b']);
  });

  it('gives the same output in any row order', () => {
    const input = [
      municipality('mun-1', [overdue({ escalations: 2 }), lateBy4(), onTime(), notYetDue()]),
      municipality('mun-2', [onTime(), onTime(), lateBy4({ escalations: 1 })]),
      municipality('mun-3', [overdue(), onTime(), onTime()]),
      municipality('mun-4', []),
      municipality('mun-5', [overdue()]),
    ];
    const expected = rankLatenessRisk(input, { asOf: AS_OF });
    const reversed = [...input].reverse().map((m) => ({ ...m, tasks: [...m.tasks].reverse() }));
    const rotated = [...input.slice(2), ...input.slice(0, 2)].map((m) => ({ ...m, tasks: [...m.tasks.slice(1), ...m.tasks.slice(0, 1)] }));
    expect(rankLatenessRisk(reversed, { asOf: AS_OF })).toEqual(expected);
    expect(rankLatenessRisk(rotated, { asOf: AS_OF })).toEqual(expected);
  });

  it('flags municipalities with too few assessed tasks and ranks them after every row with enough data', () => {
    const rows = rankLatenessRisk(
      [
        municipality('mun-one-late', [overdue({ escalations: 2 }), notYetDue(), notYetDue()]),
        municipality('mun-empty', []),
        municipality('mun-waiting', [notYetDue(), notYetDue()]),
        municipality('mun-mild', [lateBy4(), onTime(), onTime()]),
      ],
      { asOf: AS_OF },
    );
    expect(rows.map((r) => [r.municipalityId, r.insufficientData, r.level])).toEqual([
      ['mun-mild', false, 'medium'],
      // Its score (1 late of 1) is the highest, but one task says little.
      ['mun-one-late', true, 'insufficient_data'],
      ['mun-empty', true, 'insufficient_data'],
      ['mun-waiting', true, 'insufficient_data'],
    ]);
    expect(rows[1].score).toBeGreaterThan(rows[0].score);
    expect(rows[1].reasons[0]).toBe('мало данных для оценки: срок наступил у 1 задачи из 3, нужно не меньше 3');
    expect(rows[2]).toMatchObject({ score: 0, reasons: ['в цикле нет задач муниципалитета и его школ'], counts: { tasks: 0, assessed: 0 } });
    expect(rows[3].reasons).toEqual(['мало данных для оценки: срок ещё не наступил ни у одной из 2 задач']);

    const relaxed = rankLatenessRisk([municipality('mun-one-late', [overdue()])], { asOf: AS_OF, minAssessedTasks: 1 });
    expect(relaxed[0]).toMatchObject({ insufficientData: false, level: 'high' });
  });

  it('leaves cancelled and not-yet-due tasks out of the score, but counts an escalated task whose deadline was extended', () => {
    const [row] = rankLatenessRisk(
      [municipality('m', [onTime(), onTime(), notYetDue({ escalations: 1 }), notYetDue(), task({ status: 'cancelled' })])],
      { asOf: AS_OF },
    );
    expect(row.counts).toMatchObject({ tasks: 4, assessed: 3, late: 0, notYetDue: 1, escalations: 1 });
    expect(row.components).toEqual({ overdueShare: 0, escalationsPerTask: 0.3333, averageLatenessWorkingDays: 0 });
    expect(row.reasons).toEqual(['просроченных задач нет: в срок 3 из 3', 'эскалаций: 1']);
  });

  it('caps escalations at 2 per task and lateness at 10 working days, so the score stays within 0..1', () => {
    const [row] = rankLatenessRisk([municipality('m', [overdue({ escalations: 9 }), overdue({ escalations: 9 }), overdue({ escalations: 9 })])], {
      asOf: AS_OF,
    });
    expect(row.components).toEqual({ overdueShare: 1, escalationsPerTask: 9, averageLatenessWorkingDays: 13 });
    expect(row.contributions).toEqual({ overdue: 0.5, escalations: 0.25, lateness: 0.25 });
    expect(row.score).toBe(1);
  });

  it('refuses duplicate ids and a bad asOf rather than guessing', () => {
    const t = overdue();
    expect(() => rankLatenessRisk([municipality('m', []), municipality('m', [])], { asOf: AS_OF })).toThrow(/listed twice/);
    expect(() => rankLatenessRisk([municipality('m', [t]), municipality('n', [t])], { asOf: AS_OF })).toThrow(/listed twice/);
    expect(() => rankLatenessRisk([], { asOf: 'yesterday' })).toThrow(RangeError);
    expect(rankLatenessRisk([], { asOf: AS_OF })).toEqual([]);
  });
});
