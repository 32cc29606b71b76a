/**
 * Monitoring dynamics («школа – муниципалитет – регион») and the choice of schools with the largest and steadiest
 * improvement, who are invited to describe their practice. Pure and deterministic (sandbox-safe).
 *
 * Per school and indicator:
 * - series: the reported values in period order; an empty value (null) is a gap, not a zero;
 * - change = last − first, as reported; improvement = change × (higherIsBetter ? 1 : −1), so an improvement is
 *   positive whichever way the indicator points;
 * - steadiness = the share of steps between consecutive reported values that did not worsen (a sign-adjusted
 *   step ≥ 0); null with fewer than two values.
 * Per municipality and indicator: per period the mean of its schools' reported values and how many reported.
 *
 * selectMostImproved: among the schools with at least two reported values and a positive improvement,
 * score = improvement × steadiness; highest score first, ties broken by organisation id (code-point order).
 * A school that rose in one jump and then stayed put (steadiness 1) beats one that rose as much but fell on the way.
 * If an organisation reports twice for one period, the later report in the input wins.
 */

export interface MonitoringReportInput {
  organizationId: string;
  municipalityId: string;
  periodId: string;
  /** The period's position in the cycle: 1, 2, … */
  periodOrder: number;
  /** indicator id → value; null or absent = not reported. */
  values: Record<string, number | null>;
}

export interface DynamicsIndicator {
  id: string;
  /** Default true. */
  higherIsBetter?: boolean;
}

export interface SeriesPoint {
  periodId: string;
  periodOrder: number;
  value: number;
}

export interface SchoolIndicatorDynamics {
  organizationId: string;
  municipalityId: string;
  indicatorId: string;
  higherIsBetter: boolean;
  series: SeriesPoint[];
  first: number | null;
  last: number | null;
  /** last − first as reported; null with fewer than two values. */
  change: number | null;
  /** change turned so that positive = better; null with fewer than two values. */
  improvement: number | null;
  /** Steps between consecutive reported values. */
  steps: number;
  nonWorseningSteps: number;
  /** nonWorseningSteps / steps; null when there is no step. */
  steadiness: number | null;
}

export interface MunicipalityPoint {
  periodId: string;
  periodOrder: number;
  mean: number;
  /** How many of the municipality's schools reported a value. */
  reported: number;
}

export interface MunicipalityIndicatorDynamics {
  municipalityId: string;
  indicatorId: string;
  series: MunicipalityPoint[];
}

export interface MonitoringDynamics {
  /** Sorted by organisation id, then by the order of `indicators`. */
  schools: SchoolIndicatorDynamics[];
  /** Sorted by municipality id, then by the order of `indicators`. */
  municipalities: MunicipalityIndicatorDynamics[];
}

export interface ImprovedSchool {
  organizationId: string;
  improvement: number;
  steadiness: number;
  score: number;
}

export function computeDynamics(reports: MonitoringReportInput[], indicators: DynamicsIndicator[]): MonitoringDynamics {
  const latest = new Map<string, MonitoringReportInput>();
  for (const report of reports) latest.set(`${report.organizationId}\u0000${report.periodId}`, report);

  const byOrganization = new Map<string, MonitoringReportInput[]>();
  for (const report of latest.values()) {
    const list = byOrganization.get(report.organizationId);
    if (list) list.push(report);
    else byOrganization.set(report.organizationId, [report]);
  }

  const schools: SchoolIndicatorDynamics[] = [];
  for (const organizationId of [...byOrganization.keys()].sort(compareIds)) {
    const ordered = byOrganization.get(organizationId)!.sort(comparePeriods);
    // A school moved between municipalities is counted where it reported last.
    const municipalityId = ordered[ordered.length - 1].municipalityId;
    for (const indicator of indicators) {
      const higherIsBetter = indicator.higherIsBetter ?? true;
      const sign = higherIsBetter ? 1 : -1;
      const series: SeriesPoint[] = [];
      for (const report of ordered) {
        const value = report.values[indicator.id];
        if (typeof value === 'number' && Number.isFinite(value)) {
          series.push({ periodId: report.periodId, periodOrder: report.periodOrder, value });
        }
      }
      let nonWorseningSteps = 0;
      for (let i = 1; i < series.length; i++) {
        if (sign * (series[i].value - series[i - 1].value) >= 0) nonWorseningSteps++;
      }
      const steps = Math.max(0, series.length - 1);
      const first = series.length > 0 ? series[0].value : null;
      const last = series.length > 0 ? series[series.length - 1].value : null;
      const change = steps > 0 ? last! - first! : null;
      schools.push({
        organizationId,
        municipalityId,
        indicatorId: indicator.id,
        higherIsBetter,
        series,
        first,
        last,
        change,
        improvement: change === null ? null : sign * change,
        steps,
        nonWorseningSteps,
        steadiness: steps > 0 ? nonWorseningSteps / steps : null,
      });
    }
  }

  return { schools, municipalities: municipalityMeans(schools, indicators) };
}

function municipalityMeans(
  schools: SchoolIndicatorDynamics[],
  indicators: DynamicsIndicator[],
): MunicipalityIndicatorDynamics[] {
  const municipalities = [...new Set(schools.map((s) => s.municipalityId))].sort(compareIds);
  const result: MunicipalityIndicatorDynamics[] = [];
  for (const municipalityId of municipalities) {
    for (const indicator of indicators) {
      const points = new Map<string, { periodOrder: number; sum: number; reported: number }>();
      for (const school of schools) {
        if (school.municipalityId !== municipalityId || school.indicatorId !== indicator.id) continue;
        for (const point of school.series) {
          const acc = points.get(point.periodId) ?? { periodOrder: point.periodOrder, sum: 0, reported: 0 };
          acc.sum += point.value;
          acc.reported += 1;
          points.set(point.periodId, acc);
        }
      }
      const series = [...points]
        .map(([periodId, acc]) => ({
          periodId,
          periodOrder: acc.periodOrder,
          mean: acc.sum / acc.reported,
          reported: acc.reported,
        }))
        .sort(comparePeriods);
      result.push({ municipalityId, indicatorId: indicator.id, series });
    }
  }
  return result;
}

export function selectMostImproved(dynamics: MonitoringDynamics, indicatorId: string, top: number): ImprovedSchool[] {
  if (!Number.isInteger(top) || top < 0) throw new RangeError('top must be a non-negative integer');
  return dynamics.schools
    .filter((s) => s.indicatorId === indicatorId && s.series.length >= 2 && s.improvement !== null && s.improvement > 0)
    .map((s) => ({
      organizationId: s.organizationId,
      improvement: s.improvement!,
      steadiness: s.steadiness!,
      // Multiplying before dividing keeps 30 × 2/3 and 20 × 1 an exact tie, which the id then breaks.
      score: (s.improvement! * s.nonWorseningSteps) / s.steps,
    }))
    .sort((a, b) => b.score - a.score || compareIds(a.organizationId, b.organizationId))
    .slice(0, top);
}

type PeriodKey = { periodOrder: number; periodId: string };

function comparePeriods(a: PeriodKey, b: PeriodKey): number {
  return a.periodOrder - b.periodOrder || compareIds(a.periodId, b.periodId);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
