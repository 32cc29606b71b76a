import { suggestPartners, type PartnerCandidate } from '../../libs/domain/analytics';

const participant = { schoolCode: 'P', municipalityId: 'mun-a' };
// mun-a lists mun-b; mun-c lists mun-a but mun-a does not list mun-c; mun-d is nobody's neighbour.
const neighbours = { 'mun-a': ['mun-b'], 'mun-c': ['mun-a'] };

function candidate(schoolCode: string, municipalityId: string, score: number, currentLoad = 0): PartnerCandidate {
  return { schoolCode, municipalityId, score, currentLoad };
}

/**
 * 17 candidates besides the participant: the top quartile is the ⌈17/4⌉ = 5 best, i.e. score ≥ 4.8 (5.0, 4.9, 4.85,
 * 4.8, 4.8, 4.8). Of those, s3 is in a municipality that is no neighbour and s4 is full (3 of 3).
 */
const candidates: PartnerCandidate[] = [
  candidate('P', 'mun-a', 3.0),
  candidate('s1', 'mun-a', 4.8, 0),
  candidate('s2', 'mun-b', 4.9, 1),
  candidate('s3', 'mun-d', 5.0, 0),
  candidate('s4', 'mun-a', 4.8, 3),
  candidate('s5', 'mun-c', 4.85, 2),
  candidate('s13', 'mun-a', 4.8, 1),
  candidate('s6', 'mun-a', 4.7, 0),
  ...Array.from({ length: 10 }, (_, i) => candidate(`low${i}`, 'mun-a', 3 + i / 10)),
];

describe('suggestPartners', () => {
  it('suggests top-quartile schools with room, same municipality first, then neighbours, by score then load', () => {
    const suggestions = suggestPartners({ participant, candidates, neighbours, maxLoad: 3 });
    expect(suggestions.map((s) => [s.schoolCode, s.sameMunicipality])).toEqual([
      ['s1', true],
      ['s13', true],
      ['s2', false],
      ['s5', false],
    ]);
  });

  it('explains each suggestion in Russian', () => {
    const [first, , neighbour] = suggestPartners({ participant, candidates, neighbours, maxLoad: 3 });
    expect(first.reason).toBe(
      'Школа того же муниципалитета; результаты в верхней четверти школ региона (балл 4,80); ' +
        'пока не сопровождает ни одной школы (можно до 3)',
    );
    expect(neighbour.reason).toBe(
      'Школа соседнего муниципалитета; результаты в верхней четверти школ региона (балл 4,90); сопровождает 1 школу из 3 возможных',
    );
  });

  it('stops at the limit', () => {
    const suggestions = suggestPartners({ participant, candidates, neighbours, maxLoad: 3, limit: 2 });
    expect(suggestions.map((s) => s.schoolCode)).toEqual(['s1', 's13']);
  });

  it('leaves out full schools and schools of municipalities that are no neighbours; an empty list when none is left', () => {
    const suggestions = suggestPartners({ participant, candidates, neighbours: {}, maxLoad: 1 });
    // With no neighbours and a load limit of 1, only s1 (mun-a, load 0) is left.
    expect(suggestions.map((s) => s.schoolCode)).toEqual(['s1']);
    expect(suggestPartners({ participant, candidates: [candidate('P', 'mun-a', 3)], neighbours, maxLoad: 3 })).toEqual([]);
  });
});
