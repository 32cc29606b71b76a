import { rankSchools } from '../../libs/domain/analytics';
import { parseAssessmentFile, parseSocialPassportFile } from '../../libs/import';
import { buildIdentificationFiles, fixtureSchools } from '../support/fixtures/identification-files';

const YEARS = [2022, 2023, 2024];

describe('identification files → ranking', () => {
  // 30 schools: the bottom decile has 3 places a year. Two low schools leave one place a year to rotating fillers.
  const schools = fixtureSchools(30);
  const lowSchools = ['000105', '000117'];
  const disadvantagedSchools = ['000117', '000122', '000130'];

  it('ranks the chosen schools, and only them, from the CSV files and from the workbook alike', async () => {
    const files = await buildIdentificationFiles({ schools, years: YEARS, lowSchools, disadvantagedSchools, seed: 7 });
    expect(files.resultsCsv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));

    const fromCsv = await parseAssessmentFile(files.resultsCsv, 'results.csv');
    const fromXlsx = await parseAssessmentFile(files.resultsXlsx, 'results.xlsx');
    const social = await parseSocialPassportFile(files.socialCsv, 'social.csv');
    expect([fromCsv.errors, fromXlsx.errors, social.errors]).toEqual([[], [], []]);
    expect(fromCsv.rows).toHaveLength(30 * 3 * 2);
    expect(social.rows).toHaveLength(30);
    // The workbook holds the same results: its academic years «2022/2023» start the CSV's calendar years.
    const numbers = (rows: typeof fromCsv.rows) => rows.map((r) => [r.schoolCode, r.year, r.meanScore, r.failureShare]);
    expect(numbers(fromXlsx.rows)).toEqual(numbers(fromCsv.rows));

    for (const results of [fromCsv.rows, fromXlsx.rows]) {
      const ranking = rankSchools({ results, social: social.rows, years: YEARS });
      const categorised = ranking.filter((r) => r.category !== null);
      expect(Object.fromEntries(categorised.map((r) => [r.schoolCode, r.category]))).toEqual({
        '000117': 'both',
        '000105': 'low_results',
        '000122': 'social_risk',
        '000130': 'social_risk',
      });
      expect(categorised.slice(0, 2).map((r) => [r.rank, r.schoolCode])).toEqual([
        [1, '000117'],
        [2, '000105'],
      ]);
      expect(ranking.find((r) => r.schoolCode === '000105')!.lowYears).toEqual(YEARS);
    }
  });

  it('keeps every school clear when none is chosen', async () => {
    const files = await buildIdentificationFiles({ schools, years: YEARS, seed: 3 });
    const results = await parseAssessmentFile(files.resultsCsv, 'results.csv');
    const social = await parseSocialPassportFile(files.socialCsv, 'social.csv');
    const ranking = rankSchools({ results: results.rows, social: social.rows, years: YEARS });
    expect(ranking.filter((r) => r.category !== null)).toEqual([]);
    // Each year's three places went to different schools: nobody is low twice.
    expect(ranking.filter((r) => r.lowYears.length === 1)).toHaveLength(9);
  });

  it('refuses to promise more low schools than the bottom decile holds', async () => {
    await expect(
      buildIdentificationFiles({ schools, years: YEARS, lowSchools: ['000101', '000102', '000103', '000104'] }),
    ).rejects.toThrow('at most 3 of 30 schools');
  });
});
