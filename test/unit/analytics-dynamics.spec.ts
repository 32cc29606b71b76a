import { computeDynamics, selectMostImproved, type MonitoringReportInput } from '../../libs/domain/analytics';

const INDICATORS = [{ id: 'quality' }, { id: 'failures', higherIsBetter: false }];

function report(
  organizationId: string,
  municipalityId: string,
  periodOrder: number,
  values: Record<string, number | null>,
): MonitoringReportInput {
  return { organizationId, municipalityId, periodId: `q${periodOrder}`, periodOrder, values };
}

/**
 * quality (higher is better) over four quarters:
 *   org-1: 50 60 55 80   change +30, steps ↑ ↓ ↑ → steadiness 2/3, score 30 × 2/3 = 20
 *   org-2: 50 60 60 70   change +20, steps ↑ = ↑ → steadiness 1,   score 20 (a tie, broken by id)
 *   org-3: 70            one value: no dynamics
 *   org-4: 70 65 60 55   change −15: no improvement
 *   org-5: 40 –  50 45   a gap in q2: series 40 50 45, change +5, steadiness 1/2, score 2.5
 * failures (lower is better): org-1 20 15 15 10 → change −10, improvement +10, steadiness 1.
 */
const reports: MonitoringReportInput[] = [
  report('org-2', 'mun-a', 1, { quality: 50 }),
  report('org-2', 'mun-a', 2, { quality: 60 }),
  report('org-2', 'mun-a', 3, { quality: 60 }),
  report('org-2', 'mun-a', 4, { quality: 70 }),
  report('org-1', 'mun-a', 4, { quality: 80, failures: 10 }),
  report('org-1', 'mun-a', 3, { quality: 55, failures: 15 }),
  report('org-1', 'mun-a', 2, { quality: 60, failures: 15 }),
  report('org-1', 'mun-a', 1, { quality: 50, failures: 20 }),
  report('org-3', 'mun-b', 1, { quality: 70 }),
  report('org-4', 'mun-b', 1, { quality: 70 }),
  report('org-4', 'mun-b', 2, { quality: 65 }),
  report('org-4', 'mun-b', 3, { quality: 60 }),
  report('org-4', 'mun-b', 4, { quality: 55 }),
  report('org-5', 'mun-b', 1, { quality: 40 }),
  report('org-5', 'mun-b', 2, { quality: null }),
  report('org-5', 'mun-b', 3, { quality: 50 }),
  report('org-5', 'mun-b', 4, { quality: 45 }),
];

describe('computeDynamics', () => {
  const dynamics = computeDynamics(reports, INDICATORS);
  const of = (organizationId: string, indicatorId: string) =>
    dynamics.schools.find((s) => s.organizationId === organizationId && s.indicatorId === indicatorId)!;

  it('orders each series by period and measures the change and the share of non-worsening steps', () => {
    expect(of('org-1', 'quality')).toMatchObject({
      series: [
        { periodId: 'q1', periodOrder: 1, value: 50 },
        { periodId: 'q2', periodOrder: 2, value: 60 },
        { periodId: 'q3', periodOrder: 3, value: 55 },
        { periodId: 'q4', periodOrder: 4, value: 80 },
      ],
      first: 50,
      last: 80,
      change: 30,
      improvement: 30,
      steps: 3,
      nonWorseningSteps: 2,
      steadiness: 2 / 3,
    });
    expect(of('org-2', 'quality')).toMatchObject({ change: 20, steadiness: 1 });
  });

  it('counts a fall as an improvement when lower is better', () => {
    expect(of('org-1', 'failures')).toMatchObject({ higherIsBetter: false, change: -10, improvement: 10, steadiness: 1 });
  });

  it('skips an empty value as a gap and gives no dynamics for a single value', () => {
    expect(of('org-5', 'quality')).toMatchObject({ series: [{ value: 40 }, { value: 50 }, { value: 45 }], change: 5, steadiness: 0.5 });
    expect(of('org-3', 'quality')).toMatchObject({ first: 70, last: 70, change: null, improvement: null, steps: 0, steadiness: null });
    expect(of('org-2', 'failures')).toMatchObject({ series: [], first: null, change: null });
  });

  it('averages each municipality over the schools that reported in each period', () => {
    const munB = dynamics.municipalities.find((m) => m.municipalityId === 'mun-b' && m.indicatorId === 'quality')!;
    expect(munB.series).toEqual([
      { periodId: 'q1', periodOrder: 1, mean: 60, reported: 3 },
      { periodId: 'q2', periodOrder: 2, mean: 65, reported: 1 },
      { periodId: 'q3', periodOrder: 3, mean: 55, reported: 2 },
      { periodId: 'q4', periodOrder: 4, mean: 50, reported: 2 },
    ]);
    expect(dynamics.municipalities.map((m) => `${m.municipalityId}/${m.indicatorId}`)).toEqual([
      'mun-a/quality',
      'mun-a/failures',
      'mun-b/quality',
      'mun-b/failures',
    ]);
  });

  it('takes the later of two reports for the same period', () => {
    const corrected = computeDynamics([...reports, report('org-3', 'mun-b', 1, { quality: 72 })], INDICATORS);
    expect(corrected.schools.find((s) => s.organizationId === 'org-3' && s.indicatorId === 'quality')!.series).toEqual([
      { periodId: 'q1', periodOrder: 1, value: 72 },
    ]);
  });
});

describe('selectMostImproved', () => {
  const dynamics = computeDynamics(reports, INDICATORS);

  it('ranks by improvement × steadiness, breaks ties by id, and leaves out the flat, the falling and the single', () => {
    expect(selectMostImproved(dynamics, 'quality', 10)).toEqual([
      { organizationId: 'org-1', improvement: 30, steadiness: 2 / 3, score: 20 },
      { organizationId: 'org-2', improvement: 20, steadiness: 1, score: 20 },
      { organizationId: 'org-5', improvement: 5, steadiness: 0.5, score: 2.5 },
    ]);
  });

  it('returns at most `top` schools and works on a lower-is-better indicator', () => {
    expect(selectMostImproved(dynamics, 'quality', 1).map((s) => s.organizationId)).toEqual(['org-1']);
    expect(selectMostImproved(dynamics, 'failures', 3)).toEqual([
      { organizationId: 'org-1', improvement: 10, steadiness: 1, score: 10 },
    ]);
  });

  it('does not depend on the order of the reports', () => {
    const shuffled = computeDynamics([...reports].reverse(), INDICATORS);
    expect(selectMostImproved(shuffled, 'quality', 10)).toEqual(selectMostImproved(dynamics, 'quality', 10));
  });
});
