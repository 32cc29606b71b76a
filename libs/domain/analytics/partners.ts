/**
 * Partner-school suggestions for a participant school. Pure and deterministic (sandbox-safe).
 *
 * A candidate is suggested when all hold:
 * - it is not the participant itself;
 * - its score is in the top quartile of the candidates: at least the score of the ⌈n/4⌉-th best (ties included),
 *   so the quartile is the region's, not that of the schools that happen to be free;
 * - it is not overloaded: currentLoad < maxLoad;
 * - it is in the participant's municipality, or in a neighbouring one. Neighbourhood is symmetric: a pair
 *   written under either municipality counts, so a one-sided list still works.
 * Order: same municipality first, then neighbours; within each, higher score first, then lighter load, then code.
 */
import { countOf, NOUNS } from '../russian';
import { formatDecimal } from './format';

export interface PartnerCandidate {
  schoolCode: string;
  municipalityId: string;
  /** Higher = better results (e.g. the school's averageScore from rankSchools). */
  score: number;
  /** How many participant schools it already supports. */
  currentLoad: number;
}

export interface SuggestPartnersInput {
  participant: { schoolCode: string; municipalityId: string };
  candidates: PartnerCandidate[];
  /** municipality → neighbouring municipalities. */
  neighbours: Record<string, string[]>;
  /** How many participant schools one partner may support at once. */
  maxLoad: number;
  /** At most this many suggestions; default 5. */
  limit?: number;
}

export interface PartnerSuggestion {
  schoolCode: string;
  municipalityId: string;
  score: number;
  currentLoad: number;
  sameMunicipality: boolean;
  /** Russian, shown to the municipality proposing the pair. */
  reason: string;
}

export const DEFAULT_PARTNER_LIMIT = 5;

export function suggestPartners(input: SuggestPartnersInput): PartnerSuggestion[] {
  const limit = input.limit ?? DEFAULT_PARTNER_LIMIT;
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError('limit must be a non-negative integer');
  const { participant } = input;
  const others = input.candidates.filter((c) => c.schoolCode !== participant.schoolCode);
  if (others.length === 0 || limit === 0) return [];

  const byScore = others.map((c) => c.score).sort((a, b) => b - a);
  const topQuartileScore = byScore[Math.max(1, Math.ceil(byScore.length / 4)) - 1];

  const isNeighbour = (municipalityId: string): boolean =>
    (input.neighbours[participant.municipalityId] ?? []).includes(municipalityId) ||
    (input.neighbours[municipalityId] ?? []).includes(participant.municipalityId);

  return others
    .filter((c) => c.score >= topQuartileScore && c.currentLoad < input.maxLoad)
    .filter((c) => c.municipalityId === participant.municipalityId || isNeighbour(c.municipalityId))
    .map((c) => ({ ...c, sameMunicipality: c.municipalityId === participant.municipalityId }))
    .sort(
      (a, b) =>
        Number(b.sameMunicipality) - Number(a.sameMunicipality) ||
        b.score - a.score ||
        a.currentLoad - b.currentLoad ||
        (a.schoolCode < b.schoolCode ? -1 : a.schoolCode > b.schoolCode ? 1 : 0),
    )
    .slice(0, limit)
    .map((c) => ({
      schoolCode: c.schoolCode,
      municipalityId: c.municipalityId,
      score: c.score,
      currentLoad: c.currentLoad,
      sameMunicipality: c.sameMunicipality,
      reason: [
        c.sameMunicipality ? 'Школа того же муниципалитета' : 'Школа соседнего муниципалитета',
        `результаты в верхней четверти школ региона (балл ${formatDecimal(c.score)})`,
        c.currentLoad === 0
          ? `пока не сопровождает ни одной школы (можно до ${input.maxLoad})`
          : `сопровождает ${countOf(c.currentLoad, NOUNS.schoolAccusative)} из ${input.maxLoad} возможных`,
      ].join('; '),
    }));
}
