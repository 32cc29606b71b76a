import { apportion, countRegions, generateNation, NATION } from '../bench/nation';

describe("the benchmarks' seeded nation", () => {
  const nation = generateNation();

  it('has exactly the regions, municipalities and schools the issue names, a tenth of the schools in the programme', () => {
    const counts = countRegions(nation.regions);
    expect(counts).toMatchObject({ regions: 85, municipalities: 2300, schools: 40_000 });
    expect(counts.participants).toBeGreaterThanOrEqual(3_900);
    expect(counts.participants).toBeLessThanOrEqual(4_100);
  });

  it('is the same for the same seed and different for another', () => {
    // Compared as text: a deep toEqual over 40,000 schools takes seconds.
    expect(JSON.stringify(generateNation())).toBe(JSON.stringify(nation));
    const other = generateNation({ ...NATION, seed: NATION.seed + 1 });
    expect(other.regions.map((r) => r.schools.length)).not.toEqual(nation.regions.map((r) => r.schools.length));
  });

  it('has regions of unequal size, each with a ministry, an institute, municipalities and schools under them', () => {
    const sizes = nation.regions.map((r) => r.schools.length).sort((a, b) => a - b);
    expect(sizes[sizes.length - 1]).toBeGreaterThan(3 * sizes[0]);
    for (const region of nation.regions) {
      expect(region.municipalities.length).toBeGreaterThanOrEqual(3);
      const municipalityIds = new Set(region.municipalities.map((m) => m.id));
      expect(region.schools.every((s) => municipalityIds.has(s.municipalityId))).toBe(true);
      // Every municipality has at least one school, so every one can take part.
      expect(new Set(region.schools.map((s) => s.municipalityId)).size).toBe(region.municipalities.length);
      const schoolIds = new Set(region.schools.map((s) => s.id));
      expect(region.participantIds.every((id) => schoolIds.has(id))).toBe(true);
      expect(new Set(region.participantIds).size).toBe(region.participantIds.length);
    }
  });

  it('gives every organisation, school code and log-in address once in the whole nation', () => {
    const ids = nation.regions.flatMap((r) => [r.ministryId, r.instituteId, ...r.municipalities.map((m) => m.id), ...r.schools.map((s) => s.id)]);
    expect(new Set(ids).size).toBe(ids.length);
    const codes = nation.regions.flatMap((r) => r.schools.map((s) => s.code));
    expect(new Set(codes).size).toBe(codes.length);
    const emails = nation.regions.flatMap((r) => [
      r.admin.email,
      r.reviewer.email,
      r.auditor.email,
      r.curator.email,
      r.minister.email,
      ...r.municipalities.flatMap((m) => [m.head.email, m.coordinator.email]),
      ...r.schools.map((s) => s.director.email),
    ]);
    expect(new Set(emails).size).toBe(emails.length);
    expect(emails.length).toBe(countRegions(nation.regions).people);
  });

  it('puts every school in the programme in the stress case', () => {
    const stress = generateNation({ ...NATION, programmeShare: 1 });
    expect(countRegions(stress.regions).participants).toBe(40_000);
    // The directory is the same: only the participants differ.
    expect(JSON.stringify(stress.regions.map((r) => r.schools))).toBe(JSON.stringify(nation.regions.map((r) => r.schools)));
  });

  it('apportions a total exactly, proportionally, with a minimum per part', () => {
    expect(apportion(10, [1, 1, 1], 1)).toEqual([4, 3, 3]);
    expect(apportion(100, [1, 3], 0)).toEqual([25, 75]);
    expect(apportion(7, [0, 0, 5], 2)).toEqual([2, 2, 3]);
    expect(() => apportion(2, [1, 1, 1], 1)).toThrow();
  });
});
