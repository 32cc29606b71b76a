import { lowYearsRequired, rankSchools, type AssessmentRow, type SocialPassportRow } from '../../libs/domain/analytics';

const YEARS = [2022, 2023, 2024];

function result(
  schoolCode: string,
  year: number,
  meanScore: number | null,
  failureShare: number | null = null,
  subject: string | null = null,
): AssessmentRow {
  return { schoolCode, schoolName: null, year, subject, meanScore, failureShare };
}

type Share = number | null;

function passport(schoolCode: string, both: Share, single: Share, large: Share, good: Share, register: Share): SocialPassportRow {
  return {
    schoolCode,
    schoolName: null,
    bothParentsHigherEducation: both,
    singleParentFamilies: single,
    largeFamilies: large,
    goodAndExcellent: good,
    preventiveRegister: register,
  };
}

/**
 * Five schools, mean scores only (so a yearly score is the z-score of the mean score):
 *   2022: A 3.0  B 3.5  C 4.0  D 4.5  E 5.0   μ 4.00, σ 0.7071 → A −1.41421, B −0.70711
 *   2023: A 3.2  B 4.2  C 4.0  D 3.0  E 4.4   μ 3.76, σ 0.5571 → D −1.36412, A −1.00514
 *   2024: A 3.0  B 4.0  C 4.1  D 3.5  E 5.0   μ 3.92, σ 0.6675 → A −1.37821, D −0.62918
 * lowDecile 0.4 → ⌈5 × 0.4⌉ = 2 low per year: A (3 years), D (2023, 2024), B (2022 only).
 * Passports (the large-family share is the same everywhere, so it drops out; the other weights sum to 0.85):
 *   A: both 0, single 30, good 20, register 10        → every indicator at the worst end → raw 1
 *   B: both 10 (0.75), single 20 (0.5), good 50 (0.25), register 10 (1)
 *      → (0.25·0.75 + 0.2·0.5 + 0.2·0.25 + 0.2·1) / 0.85 = 0.5375 / 0.85 = 0.632353
 *   C, D, E: both 40, single 10, good 60, register 0   → raw 0
 * Threshold 0.6 → A and B disadvantaged.
 */
function region() {
  const scores: Record<string, number[]> = {
    A: [3.0, 3.2, 3.0],
    B: [3.5, 4.2, 4.0],
    C: [4.0, 4.0, 4.1],
    D: [4.5, 3.0, 3.5],
    E: [5.0, 4.4, 5.0],
  };
  const results = Object.entries(scores).flatMap(([code, byYear]) => byYear.map((score, i) => result(code, YEARS[i], score)));
  const social = [
    passport('A', 0, 30, 10, 20, 10),
    passport('B', 10, 20, 10, 50, 10),
    passport('C', 40, 10, 10, 60, 0),
    passport('D', 40, 10, 10, 60, 0),
    passport('E', 40, 10, 10, 60, 0),
  ];
  return { results, social };
}

describe('rankSchools', () => {
  it('ranks a hand-computed region: both, then low results, then social risk, then the rest by score', () => {
    const ranking = rankSchools({ ...region(), years: YEARS, options: { lowDecile: 0.4 } });

    expect(ranking.map((r) => [r.rank, r.schoolCode, r.category])).toEqual([
      [1, 'A', 'both'],
      [2, 'D', 'low_results'],
      [3, 'B', 'social_risk'],
      [4, 'C', null],
      [5, 'E', null],
    ]);
    const [a, d, b] = ranking;
    expect(a.yearlyScores.map((y) => y.score)).toEqual([
      expect.closeTo(-1.41421, 5),
      expect.closeTo(-1.00514, 5),
      expect.closeTo(-1.37821, 5),
    ]);
    expect(a.lowYears).toEqual([2022, 2023, 2024]);
    expect(a.averageScore).toBeCloseTo(-1.26585, 5);
    expect(d.lowYears).toEqual([2023, 2024]);
    expect(d.yearlyScores.map((y) => y.placeFromBottom)).toEqual([4, 1, 2]);
    expect(b.lowYears).toEqual([2022]);
    expect(b.stablyLow).toBe(false);
    expect(a.socialIndex).toBeCloseTo(1, 10);
    expect(b.socialIndex).toBeCloseTo(0.5375 / 0.85, 10);
    expect(d.socialIndex).toBe(0);
    expect(b.socialFactors.map((f) => [f.key, f.value])).toEqual([
      ['preventiveRegister', 10],
      ['bothParentsHigherEducation', 10],
      ['singleParentFamilies', 20],
      ['goodAndExcellent', 50],
    ]);
  });

  it('explains each decision in Russian for the approval screen', () => {
    const ranking = rankSchools({ ...region(), years: YEARS, options: { lowDecile: 0.4 } });
    const bySchool = Object.fromEntries(ranking.map((r) => [r.schoolCode, r.reasons]));

    expect(bySchool.A).toEqual([
      'Стабильно низкие результаты: в нижних 40% школ региона в 3 годах из 3 (2022, 2023, 2024)',
      '2022 г.: сводный балл −1,41, 1-е место снизу из 5 школ',
      '2023 г.: сводный балл −1,01, 2-е место снизу из 5 школ',
      '2024 г.: сводный балл −1,38, 1-е место снизу из 5 школ',
      'Неблагоприятные социальные условия: индекс социального неблагополучия 1,00 при пороге 0,60',
      'Основные факторы: низкая доля обучающихся из семей, где оба родителя имеют высшее образование (0%); ' +
        'высокая доля обучающихся из неполных семей (30%)',
    ]);
    expect(bySchool.B).toEqual([
      'Низкие результаты только в 1 году из 3 (2022); для стабильно низких нужно не менее 2',
      '2022 г.: сводный балл −0,71, 2-е место снизу из 5 школ',
      'Неблагоприятные социальные условия: индекс социального неблагополучия 0,63 при пороге 0,60',
      'Основные факторы: высокая доля обучающихся, состоящих на профилактическом учёте (10%); ' +
        'низкая доля обучающихся из семей, где оба родителя имеют высшее образование (10%)',
    ]);
    expect(bySchool.E).toEqual([
      'Результаты выше нижних 40% школ региона во все годы с данными',
      'Индекс социального неблагополучия 0,00 — ниже порога 0,60',
    ]);
  });

  it('agrees the nouns of its reasons with their numbers', () => {
    const one = rankSchools({ results: [result('A', 2024, 3)], social: [], years: [2024], options: { minLowYears: 1 } });
    expect(one[0].reasons).toContain('2024 г.: сводный балл 0,00, 1-е место снизу из 1 школы');
    const codes = Array.from({ length: 21 }, (_, i) => `S${String(i).padStart(2, '0')}`);
    const many = rankSchools({
      results: codes.flatMap((code, i) => [2021, 2022].map((year) => result(code, year, 3 + i / 10))),
      social: [],
      years: [2021, 2022],
    });
    expect(many[0].reasons).toEqual([
      'Стабильно низкие результаты: в нижних 10% школ региона в 2 годах из 2 (2021, 2022)',
      '2021 г.: сводный балл −1,65, 1-е место снизу из 21 школы',
      '2022 г.: сводный балл −1,65, 1-е место снизу из 21 школы',
      'Нет социального паспорта',
    ]);
  });

  it('combines mean score and failure share as the mean of z(mean) and −z(failures)', () => {
    // Mean scores X 4, Y 3, Z 3.5: μ 3.5, σ 0.40825 → X 1.22474, Y −1.22474, Z 0.
    // Failure shares X 10, Y 30 (Z has none): μ 20, σ 10 → X −1, Y 1.
    // Performance: X (1.22474 + 1) / 2 = 1.11237, Y −1.11237, Z 0 (its only component).
    const ranking = rankSchools({
      results: [result('X', 2024, 4, 10), result('Y', 2024, 3, 30), result('Z', 2024, 3.5, null)],
      social: [],
      years: [2024],
      options: { minLowYears: 1 },
    });
    const score = (code: string) => ranking.find((r) => r.schoolCode === code)!.yearlyScores[0].score;
    expect(score('X')).toBeCloseTo(1.11237, 5);
    expect(score('Y')).toBeCloseTo(-1.11237, 5);
    expect(score('Z')).toBe(0);
    expect(ranking[0]).toMatchObject({ schoolCode: 'Y', category: 'low_results', rank: 1 });
  });

  it('compares each assessment on its own scale and averages the assessments of a year; ties at the cut-off are all low', () => {
    // Mathematics: P 4, Q 3 → P +1, Q −1. Russian (a 0–100 test score): P 40, Q 80 → P −1, Q +1. Both average 0,
    // and the one place of the bottom decile (⌈2 × 0.1⌉ = 1) goes to both.
    const ranking = rankSchools({
      results: [
        result('P', 2024, 4, null, 'ВПР / математика'),
        result('Q', 2024, 3, null, 'ВПР / математика'),
        result('P', 2024, 40, null, 'ЕГЭ / русский язык'),
        result('Q', 2024, 80, null, 'ЕГЭ / русский язык'),
      ],
      social: [],
      years: [2024],
      options: { minLowYears: 1 },
    });
    expect(ranking.map((r) => [r.schoolCode, r.yearlyScores[0].score, r.yearlyScores[0].placeFromBottom, r.lowYears])).toEqual([
      ['P', 0, 1, [2024]],
      ['Q', 0, 1, [2024]],
    ]);
  });

  it('takes ⌈n × decile⌉ low schools per year without floating-point surprises (30 schools → 3, not 4)', () => {
    const results = Array.from({ length: 30 }, (_, i) => result(`S${String(i).padStart(2, '0')}`, 2024, 3 + i / 10));
    const ranking = rankSchools({ results, social: [], years: [2024], options: { minLowYears: 1 } });
    expect(ranking.filter((r) => r.category === 'low_results').map((r) => r.schoolCode)).toEqual(['S00', 'S01', 'S02']);
  });

  it('ignores results outside the analysed years and reports the years without results', () => {
    const ranking = rankSchools({
      results: [result('A', 2021, 2.0), result('A', 2022, 3.0), result('B', 2022, 4.0), result('B', 2023, 4.0)],
      social: [],
      years: YEARS,
      options: { minLowYears: 1 },
    });
    const a = ranking.find((r) => r.schoolCode === 'A')!;
    expect(a.yearlyScores.map((y) => [y.year, y.score])).toEqual([
      [2022, -1],
      [2023, null],
      [2024, null],
    ]);
    expect(a.reasons).toContain('Нет результатов за 2023, 2024 гг.');
    expect(a.reasons).toContain('Нет социального паспорта');
    // B is the only school of 2023, so it is that year's bottom decile by itself.
    expect(ranking.find((r) => r.schoolCode === 'B')!.lowYears).toEqual([2023]);
  });

  it('builds the index from the indicators a school has, and from none that is the same for every school', () => {
    // Equal everywhere: both parents (30) and large families (5) drop out. single 10..30: M 0, N 1, O 0.5;
    // good 60..20 (counts negatively): M 0, N 1, O 0.5; register 0..5: M 0, N 1, O none.
    // Raw: M 0; N (0.2 + 0.2 + 0.2) / 0.6 = 1; O (0.2·0.5 + 0.2·0.5) / 0.4 = 0.5 — its weights alone, not 0.6.
    const ranking = rankSchools({
      results: [],
      social: [passport('M', 30, 10, 5, 60, 0), passport('N', 30, 30, 5, 20, 5), passport('O', 30, 20, 5, 40, null)],
      years: YEARS,
    });
    const index = (code: string) => ranking.find((r) => r.schoolCode === code)!.socialIndex;
    expect(index('M')).toBe(0);
    expect(index('N')).toBeCloseTo(1, 10);
    expect(index('O')).toBeCloseTo(0.5, 10);
    // Without results, schools of one category follow the index, highest first.
    expect(ranking.map((r) => [r.schoolCode, r.category])).toEqual([
      ['N', 'social_risk'],
      ['O', null],
      ['M', null],
    ]);
  });

  it('gives the same ranking whatever the order of the rows', () => {
    const { results, social } = region();
    const forward = rankSchools({ results, social, years: YEARS, options: { lowDecile: 0.4 } });
    const backward = rankSchools({
      results: [...results].reverse(),
      social: [...social].reverse(),
      years: [...YEARS].reverse(),
      options: { lowDecile: 0.4 },
    });
    expect(backward.map((r) => [r.schoolCode, r.rank, r.averageScore, r.socialIndex])).toEqual(
      forward.map((r) => [r.schoolCode, r.rank, r.averageScore, r.socialIndex]),
    );
  });

  it('ranks one year of results with the default rule: «stably low» is low in that year, and the reasons say stability was not checked', () => {
    const { results, social } = region();
    const ranking = rankSchools({ results: results.filter((r) => r.year === 2024), social, years: [2024], options: { lowDecile: 0.4 } });
    expect(ranking.filter((r) => r.stablyLow).map((r) => r.schoolCode)).toEqual(['A', 'D']);
    const a = ranking.find((r) => r.schoolCode === 'A')!;
    expect(a.category).toBe('both');
    expect(a.reasons[0]).toBe(
      'Низкие результаты в единственном году с данными (2024): в нижних 40% школ региона; ' +
        'устойчивость по годам не проверена: для неё нужны результаты не менее чем за 2 года',
    );
    // Three years asked for, one with results: the same reduced rule, over the year there is.
    const asked = rankSchools({ results: results.filter((r) => r.year === 2024), social, years: YEARS, options: { lowDecile: 0.4 } });
    expect(asked.filter((r) => r.stablyLow).map((r) => r.schoolCode)).toEqual(['A', 'D']);
    expect(lowYearsRequired(1)).toBe(1);
    expect(lowYearsRequired(3)).toBe(2);
    expect(lowYearsRequired(0)).toBe(1);
  });

  it('lowers a requirement of more low years than there are years with results to those years', () => {
    const { results, social } = region();
    const ranking = rankSchools({ results, social, years: YEARS, options: { minLowYears: 4, lowDecile: 0.4 } });
    expect(ranking.filter((r) => r.stablyLow).map((r) => r.schoolCode)).toEqual(['A']);
    expect(ranking.find((r) => r.schoolCode === 'A')!.reasons[0]).toMatch(/^Низкие результаты во всех годах с данными — в 3 годах из 3/);
  });

  it('refuses options that cannot describe a selection', () => {
    const { results, social } = region();
    expect(() => rankSchools({ results, social, years: YEARS, options: { minLowYears: 0 } })).toThrow(RangeError);
    expect(() => rankSchools({ results, social, years: YEARS, options: { lowDecile: 0 } })).toThrow(RangeError);
    expect(() => rankSchools({ results, social, years: [2024, 2024] })).toThrow(RangeError);
    expect(() => rankSchools({ results, social, years: YEARS, options: { socialThreshold: 1.5 } })).toThrow(RangeError);
  });
});
