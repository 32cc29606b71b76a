/**
 * Identification of participant schools: who has stably low results, who works in disadvantaged social conditions.
 * Pure and deterministic (sandbox-safe): the same rows give the same ranking, in any order.
 *
 * The formula (also in ./README.md):
 *
 * 1. Results. For every assessment (year × subject, where `subject` may be null) each school's mean score and
 *    failure share are turned into z-scores among the schools that wrote it: z = (x − μ) / σ, population σ, and
 *    z = 0 when σ = 0. A row's performance is the mean of the components it has: z(mean score) and −z(failure
 *    share). A school's yearly score is the mean of its rows' performances that year (every assessment counts the
 *    same). z-scores make a 2–5 mark, a 0–100 test score and a failure share comparable; higher = better.
 * 2. Low year. Among the schools with a score that year (n), the k = ⌈n × lowDecile⌉ lowest (at least one) are low;
 *    a school tied with the k-th lowest score is low too. A school without results that year is not low in it.
 * 3. Stably low: low in at least `minLowYears` of `years`, or in every analysed year with results when fewer years have
 *    results than that (lowYearsRequired). With one year of results, «stably low» therefore means «low in the only
 *    year there is»: the ranking still works, and the reasons say that stability across years was not checked.
 * 4. Social-disadvantage index. Each passport indicator is min–max scaled across the region's schools to 0..1 and
 *    turned so that 1 = most disadvantaged (the shares of «both parents with higher education» and «good and
 *    excellent» count negatively: 1 − x). An indicator that is the same for every school is dropped. The index is
 *    the weighted mean (weights in SOCIAL_INDICATORS: 0.25, 0.2, 0.15, 0.2, 0.2) over the indicators the school
 *    has, min–max scaled once more across the schools, so the best-off school has 0 and the worst-off 1.
 * 5. Disadvantaged: index ≥ socialThreshold (default 0.6: at least 60 % of the way from the best-off school to the
 *    worst-off). A share of the range, not a quota: the worst-off school always reaches 1, and how many join it
 *    depends on the spread (a lone outlier is flagged alone); identical passports flag nobody.
 * 6. Category: stably low and disadvantaged → 'both'; stably low → 'low_results'; disadvantaged → 'social_risk'.
 * 7. Rank: 'both', 'low_results', 'social_risk', then schools without a category; within each, by the mean of the
 *    yearly scores, lowest first (schools without results last), then by the index, highest first, then by code.
 */
import { countOf, NOUNS } from '../russian';
import { formatDecimal, formatShare, yearsPrepositional } from './format';
import { SOCIAL_INDICATORS, type AssessmentRow, type SocialIndicatorKey, type SocialPassportRow } from './types';

export type IdentificationCategory = 'low_results' | 'social_risk' | 'both';

export interface RankingOptions {
  /** Share of the schools with results that counts as low in a year; default 0.1 (the bottom decile). */
  lowDecile?: number;
  /**
   * How many of the years a school must be low in to be stably low; default 2. Lowered to the number of analysed
   * years that have results when there are fewer (see lowYearsRequired).
   */
  minLowYears?: number;
  /** The social-disadvantage index (0..1) from which a school is disadvantaged; default 0.6. */
  socialThreshold?: number;
}

export const DEFAULT_RANKING_OPTIONS: Readonly<Required<RankingOptions>> = {
  lowDecile: 0.1,
  minLowYears: 2,
  socialThreshold: 0.6,
};

export interface RankSchoolsInput {
  results: AssessmentRow[];
  social: SocialPassportRow[];
  /** The years analysed (usually three); results of other years are ignored. */
  years: number[];
  options?: RankingOptions;
}

export interface YearlyScore {
  year: number;
  /** Mean of the school's standardised performances that year (0 = the region's average); null without results. */
  score: number | null;
  low: boolean;
  /** 1 = the lowest score of the year; equal scores share a place. Null without results. */
  placeFromBottom: number | null;
  /** How many schools had a score that year. */
  schoolsRanked: number;
}

export interface SocialFactor {
  key: SocialIndicatorKey;
  /** The share as imported, %. */
  value: number;
  /** The indicator's weighted contribution to the school's index before the final scaling. */
  contribution: number;
}

export interface SchoolRanking {
  schoolCode: string;
  schoolName: string | null;
  /** One per analysed year, ascending. */
  yearlyScores: YearlyScore[];
  /** The years the school was low in, ascending. */
  lowYears: number[];
  stablyLow: boolean;
  /** Mean of the yearly scores the school has; null without results. */
  averageScore: number | null;
  /** 0..1; null without a social passport. */
  socialIndex: number | null;
  disadvantaged: boolean;
  /** The indicators behind the index, largest contribution first. */
  socialFactors: SocialFactor[];
  category: IdentificationCategory | null;
  /** 1-based, unique. */
  rank: number;
  /** Russian, for the ministry's approval screen. */
  reasons: string[];
}

const CATEGORY_ORDER: Record<IdentificationCategory, number> = { both: 0, low_results: 1, social_risk: 2 };

/**
 * How many low years make a school stably low, given how many of the analysed years have results: `minLowYears`, or
 * all of those years when there are fewer (at least one). One truth for the ranking and for what the API says of it.
 */
export function lowYearsRequired(yearsWithResults: number, options?: RankingOptions): number {
  const minLowYears = options?.minLowYears ?? DEFAULT_RANKING_OPTIONS.minLowYears;
  return Math.max(1, Math.min(minLowYears, yearsWithResults));
}
// Scores are sums of quotients; schools whose data are identical must tie even if the sums were taken in another order.
const EPSILON = 1e-9;

export function rankSchools(input: RankSchoolsInput): SchoolRanking[] {
  const options = resolveOptions(input.years, input.options);
  const years = [...input.years].sort((a, b) => a - b);
  const yearSet = new Set(years);

  const names = new Map<string, string>();
  for (const row of [...input.results, ...input.social]) {
    if (row.schoolName && !names.has(row.schoolCode)) names.set(row.schoolCode, row.schoolName);
  }

  const scores = yearlyScores(input.results.filter((row) => yearSet.has(row.year)));
  const lowByYear = new Map<number, Map<string, Placement>>();
  const rankedByYear = new Map<number, number>();
  for (const year of years) {
    const ofYear = scores.get(year) ?? new Map<string, number>();
    rankedByYear.set(year, ofYear.size);
    lowByYear.set(year, lowSchoolsOfYear(ofYear, options.lowDecile));
  }
  const yearsWithResults = years.filter((year) => (rankedByYear.get(year) ?? 0) > 0).length;
  const required = lowYearsRequired(yearsWithResults, options);
  const social = socialIndices(input.social);

  const codes = new Set<string>([...input.results.map((r) => r.schoolCode), ...input.social.map((r) => r.schoolCode)]);
  const rankings: Omit<SchoolRanking, 'rank'>[] = [...codes].map((schoolCode) => {
    const yearly: YearlyScore[] = years.map((year) => {
      const score = scores.get(year)?.get(schoolCode) ?? null;
      const placement = lowByYear.get(year)!.get(schoolCode);
      return {
        year,
        score,
        low: placement?.low ?? false,
        placeFromBottom: placement?.place ?? null,
        schoolsRanked: rankedByYear.get(year)!,
      };
    });
    const lowYears = yearly.filter((y) => y.low).map((y) => y.year);
    const present = yearly.filter((y) => y.score !== null).map((y) => y.score!);
    const averageScore = present.length > 0 ? present.reduce((sum, s) => sum + s, 0) / present.length : null;
    const stablyLow = lowYears.length >= required;
    const schoolSocial = social.get(schoolCode);
    const socialIndex = schoolSocial?.index ?? null;
    const disadvantaged = socialIndex !== null && socialIndex >= options.socialThreshold - EPSILON;
    const category: IdentificationCategory | null =
      stablyLow && disadvantaged ? 'both' : stablyLow ? 'low_results' : disadvantaged ? 'social_risk' : null;
    const ranking = {
      schoolCode,
      schoolName: names.get(schoolCode) ?? null,
      yearlyScores: yearly,
      lowYears,
      stablyLow,
      averageScore,
      socialIndex,
      disadvantaged,
      socialFactors: schoolSocial?.factors ?? [],
      category,
      reasons: [] as string[],
    };
    ranking.reasons = explain(ranking, options, years.length, { required, yearsWithResults });
    return ranking;
  });

  rankings.sort(compareRankings);
  return rankings.map((ranking, index) => ({ ...ranking, rank: index + 1 }));
}

function resolveOptions(years: number[], options: RankingOptions | undefined): Required<RankingOptions> {
  const resolved = { ...DEFAULT_RANKING_OPTIONS, ...stripUndefined(options ?? {}) };
  if (years.length === 0 || new Set(years).size !== years.length || !years.every(Number.isInteger)) {
    throw new RangeError('years must be distinct integers, at least one');
  }
  if (!(resolved.lowDecile > 0 && resolved.lowDecile <= 1)) throw new RangeError('lowDecile must be in (0, 1]');
  // Above the number of years it is lowered, like any requirement above the years that have results.
  if (!Number.isInteger(resolved.minLowYears) || resolved.minLowYears < 1) {
    throw new RangeError('minLowYears must be a positive integer');
  }
  if (!(resolved.socialThreshold >= 0 && resolved.socialThreshold <= 1)) {
    throw new RangeError('socialThreshold must be in [0, 1]');
  }
  return resolved;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** year → school → yearly score (step 1 of the formula). */
function yearlyScores(rows: AssessmentRow[]): Map<number, Map<string, number>> {
  // Floating-point sums depend on their order: a canonical order makes the scores independent of the file's.
  const canonical = [...rows].sort(
    (a, b) =>
      a.year - b.year ||
      compareCodes(a.subject ?? '', b.subject ?? '') ||
      compareCodes(a.schoolCode, b.schoolCode) ||
      (a.meanScore ?? -1) - (b.meanScore ?? -1) ||
      (a.failureShare ?? -1) - (b.failureShare ?? -1),
  );
  const assessments = new Map<string, AssessmentRow[]>();
  for (const row of canonical) {
    const key = `${row.year}\u0000${row.subject ?? ''}`;
    const group = assessments.get(key);
    if (group) group.push(row);
    else assessments.set(key, [row]);
  }

  const sums = new Map<number, Map<string, { sum: number; count: number }>>();
  for (const group of assessments.values()) {
    const meanZ = zScorer(group.map((r) => r.meanScore));
    const failureZ = zScorer(group.map((r) => r.failureShare));
    for (const row of group) {
      const components: number[] = [];
      if (row.meanScore !== null) components.push(meanZ(row.meanScore));
      if (row.failureShare !== null) components.push(-failureZ(row.failureShare));
      if (components.length === 0) continue;
      const performance = components.reduce((sum, c) => sum + c, 0) / components.length;
      let ofYear = sums.get(row.year);
      if (!ofYear) sums.set(row.year, (ofYear = new Map()));
      const acc = ofYear.get(row.schoolCode) ?? { sum: 0, count: 0 };
      acc.sum += performance;
      acc.count += 1;
      ofYear.set(row.schoolCode, acc);
    }
  }

  const result = new Map<number, Map<string, number>>();
  for (const [year, ofYear] of sums) {
    result.set(year, new Map([...ofYear].map(([code, acc]) => [code, acc.sum / acc.count])));
  }
  return result;
}

function zScorer(values: (number | null)[]): (value: number) => number {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return () => 0;
  const mean = present.reduce((sum, v) => sum + v, 0) / present.length;
  const variance = present.reduce((sum, v) => sum + (v - mean) ** 2, 0) / present.length;
  const sd = Math.sqrt(variance);
  return sd < EPSILON ? () => 0 : (value) => (value - mean) / sd;
}

/** Step 2 of the formula: the place from the bottom of every school with a score, and whether it is low. */
type Placement = { place: number; low: boolean };

function lowSchoolsOfYear(scores: Map<string, number>, lowDecile: number): Map<string, Placement> {
  const sorted = [...scores].sort(([codeA, a], [codeB, b]) => a - b || compareCodes(codeA, codeB));
  const placements = new Map<string, Placement>();
  if (sorted.length === 0) return placements;
  // 0.1 × 30 is 3.0000000000000004 in binary floating point: without the tolerance a fourth school would be low.
  const quota = Math.max(1, Math.ceil(sorted.length * lowDecile - EPSILON));
  const cutoff = sorted[quota - 1][1];
  let place = 0;
  sorted.forEach(([code, score], index) => {
    if (index === 0 || score - sorted[index - 1][1] > EPSILON) place = index + 1;
    placements.set(code, { place, low: score <= cutoff + EPSILON });
  });
  return placements;
}

/** Step 4 of the formula: school → index and the indicators behind it. */
function socialIndices(rows: SocialPassportRow[]): Map<string, { index: number; factors: SocialFactor[] }> {
  const bySchool = new Map<string, SocialPassportRow>();
  const canonical = [...rows].sort((a, b) => compareCodes(a.schoolCode, b.schoolCode));
  for (const row of canonical) if (!bySchool.has(row.schoolCode)) bySchool.set(row.schoolCode, row);

  const ranges = new Map<SocialIndicatorKey, { min: number; max: number }>();
  for (const indicator of SOCIAL_INDICATORS) {
    const values = [...bySchool.values()].map((r) => r[indicator.key]).filter((v): v is number => v !== null);
    if (values.length === 0) continue;
    const min = Math.min(...values);
    const max = Math.max(...values);
    if (max - min > EPSILON) ranges.set(indicator.key, { min, max });
  }

  const raw = new Map<string, { value: number; factors: SocialFactor[] }>();
  for (const [code, row] of bySchool) {
    let weightSum = 0;
    let weighted = 0;
    const factors: SocialFactor[] = [];
    for (const indicator of SOCIAL_INDICATORS) {
      const value = row[indicator.key];
      const range = ranges.get(indicator.key);
      if (value === null || !range) continue;
      const scaled = (value - range.min) / (range.max - range.min);
      const disadvantage = indicator.direction > 0 ? scaled : 1 - scaled;
      weightSum += indicator.weight;
      weighted += indicator.weight * disadvantage;
      factors.push({ key: indicator.key, value, contribution: indicator.weight * disadvantage });
    }
    factors.sort((a, b) => b.contribution - a.contribution || indicatorOrder(a.key) - indicatorOrder(b.key));
    raw.set(code, { value: weightSum > 0 ? weighted / weightSum : 0, factors });
  }

  const values = [...raw.values()].map((r) => r.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const result = new Map<string, { index: number; factors: SocialFactor[] }>();
  for (const [code, { value, factors }] of raw) {
    result.set(code, { index: max - min > EPSILON ? (value - min) / (max - min) : 0, factors });
  }
  return result;
}

function indicatorOrder(key: SocialIndicatorKey): number {
  return SOCIAL_INDICATORS.findIndex((i) => i.key === key);
}

function compareRankings(a: Omit<SchoolRanking, 'rank'>, b: Omit<SchoolRanking, 'rank'>): number {
  const categoryA = a.category === null ? 3 : CATEGORY_ORDER[a.category];
  const categoryB = b.category === null ? 3 : CATEGORY_ORDER[b.category];
  return (
    categoryA - categoryB ||
    compareNullsLast(a.averageScore, b.averageScore, (x, y) => x - y) ||
    compareNullsLast(a.socialIndex, b.socialIndex, (x, y) => y - x) ||
    compareCodes(a.schoolCode, b.schoolCode)
  );
}

function compareNullsLast(a: number | null, b: number | null, compare: (x: number, y: number) => number): number {
  if (a === null || b === null) return a === null ? (b === null ? 0 : 1) : -1;
  return Math.abs(a - b) <= EPSILON ? 0 : compare(a, b);
}

/** Code-point order, not localeCompare: the same on every host, whatever its ICU data. */
function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function explain(
  ranking: Omit<SchoolRanking, 'rank'>,
  options: Required<RankingOptions>,
  yearCount: number,
  rule: { required: number; yearsWithResults: number },
): string[] {
  const reasons: string[] = [];
  const decile = `${formatShare(options.lowDecile * 100)}%`;
  const lowYears = `${yearsPrepositional(ranking.lowYears.length)} из ${yearCount} (${ranking.lowYears.join(', ')})`;
  // Fewer years have results than the rule asks for: say what «stably low» was reduced to.
  const unchecked = `устойчивость по годам не проверена: для неё нужны результаты не менее чем за ${countOf(options.minLowYears, NOUNS.year)}`;
  if (ranking.stablyLow && rule.required < options.minLowYears) {
    reasons.push(
      rule.yearsWithResults === 1
        ? `Низкие результаты в единственном году с данными (${ranking.lowYears.join(', ')}): в нижних ${decile} школ региона; ${unchecked}`
        : `Низкие результаты во всех годах с данными — в ${lowYears}: в нижних ${decile} школ региона; ${unchecked}`,
    );
  } else if (ranking.stablyLow) {
    reasons.push(`Стабильно низкие результаты: в нижних ${decile} школ региона в ${lowYears}`);
  } else if (ranking.lowYears.length > 0) {
    reasons.push(
      `Низкие результаты только в ${lowYears}; для стабильно низких нужно не менее ${rule.required}`,
    );
  } else if (ranking.averageScore !== null) {
    reasons.push(`Результаты выше нижних ${decile} школ региона во все годы с данными`);
  }
  for (const year of ranking.yearlyScores) {
    if (!year.low || year.score === null) continue;
    const place = `${year.placeFromBottom}-е место снизу из ${countOf(year.schoolsRanked, NOUNS.schoolGenitive)}`;
    reasons.push(`${year.year} г.: сводный балл ${formatDecimal(year.score)}, ${place}`);
  }
  const missing = ranking.yearlyScores.filter((y) => y.score === null).map((y) => y.year);
  if (missing.length > 0) {
    reasons.push(`Нет результатов за ${missing.join(', ')} ${missing.length === 1 ? 'г.' : 'гг.'}`);
  }

  const threshold = formatDecimal(options.socialThreshold);
  if (ranking.socialIndex === null) {
    reasons.push('Нет социального паспорта');
  } else if (ranking.disadvantaged) {
    const index = formatDecimal(ranking.socialIndex);
    reasons.push(`Неблагоприятные социальные условия: индекс социального неблагополучия ${index} при пороге ${threshold}`);
    const main = ranking.socialFactors.filter((f) => f.contribution > EPSILON).slice(0, 2);
    if (main.length > 0) {
      const phrases = main.map((f) => {
        const indicator = SOCIAL_INDICATORS.find((i) => i.key === f.key)!;
        return `${indicator.direction < 0 ? 'низкая' : 'высокая'} ${indicator.phrase} (${formatShare(f.value)}%)`;
      });
      reasons.push(`Основные факторы: ${phrases.join('; ')}`);
    }
  } else {
    reasons.push(`Индекс социального неблагополучия ${formatDecimal(ranking.socialIndex)} — ниже порога ${threshold}`);
  }
  return reasons;
}
