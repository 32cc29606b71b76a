import { describeTimeZone, dryRun, programmeFirstYear, resolveCyclePlan, timeZoneMismatch } from '../../libs/domain/cycle-template';
import { loadBuiltinTemplates } from '../../libs/templates';
import { minimalTemplate } from './cycle-template-support';

/** The demo region (libs/persistence/seed/demo-region.ts) and the Orenburg roadmap are UTC+5. */
const DEMO_ZONE = 'Asia/Yekaterinburg';

describe('a template written in one time zone, run for a region in another', () => {
  const moscowPlan = resolveCyclePlan(minimalTemplate(), { academicYear: 2026 });

  it('is a mismatch naming both zones with their offsets and where the first deadline would land', () => {
    expect(timeZoneMismatch(moscowPlan, DEMO_ZONE)).toEqual({
      planZone: 'Europe/Moscow',
      regionZone: DEMO_ZONE,
      planZoneText: 'Europe/Moscow (UTC+3)',
      regionZoneText: 'Asia/Yekaterinburg (UTC+5)',
      firstDeadline: { written: '25.09.2026 18:00', inRegion: '25.09.2026 20:00' },
    });
  });

  it('is no mismatch for the same zone, nor for another name with the same offset at every date of the plan', () => {
    expect(timeZoneMismatch(moscowPlan, 'Europe/Moscow')).toBeUndefined();
    expect(timeZoneMismatch(moscowPlan, 'Europe/Kirov')).toBeUndefined();
    // Volgograd kept UTC+4 from October 2018 to December 2020, so a 2019/2020 Moscow plan would run an hour late there.
    expect(timeZoneMismatch(resolveCyclePlan(minimalTemplate(), { academicYear: 2019 }), 'Europe/Volgograd')).toMatchObject({
      planZoneText: 'Europe/Moscow (UTC+3)',
      regionZoneText: 'Europe/Volgograd (UTC+4)',
    });
    expect(timeZoneMismatch(moscowPlan, 'Europe/Volgograd')).toBeUndefined();
  });

  it('adopted by the region, keeps every local time and reads it in the region’s zone', () => {
    const adopted = resolveCyclePlan(minimalTemplate(), { academicYear: 2026, timeZone: DEMO_ZONE });
    expect(adopted.timeZone).toBe(DEMO_ZONE);
    const dues = (plan: typeof adopted) => plan.stages.flatMap((s) => s.steps).map((s) => s.dueLocal);
    expect(dues(adopted)).toEqual(dues(moscowPlan));
    expect(timeZoneMismatch(adopted, DEMO_ZONE)).toBeUndefined();
    const first = dryRun(adopted, { ministryId: 'min', municipalities: ['m1'], schools: [{ id: 's1', municipalityId: 'm1' }] }, new Date(0))[0];
    // 25 September 2026, 18:00 in Yekaterinburg (UTC+5).
    expect(first).toMatchObject({ dueLocal: '2026-09-25T18:00:00', dueAt: '2026-09-25T13:00:00Z' });
    expect(() => resolveCyclePlan(minimalTemplate(), { academicYear: 2026, timeZone: 'Europe/Atlantis' })).toThrow(/unknown time zone/);
  });

  it('describes zones with half-hour and negative offsets', () => {
    expect(describeTimeZone('Asia/Kolkata', '2026-01-15T12:00:00')).toBe('Asia/Kolkata (UTC+5:30)');
    expect(describeTimeZone('America/New_York', '2026-01-15T12:00:00')).toBe('America/New_York (UTC−5)');
    expect(describeTimeZone('UTC', '2026-01-15T12:00:00')).toBe('UTC (UTC+0)');
  });

  it('holds for the shipped roadmaps: Orenburg runs in the demo region as written, the Moscow ones need the region to adopt them', () => {
    for (const template of loadBuiltinTemplates()) {
      const plan = resolveCyclePlan(template, { academicYear: programmeFirstYear(template) });
      const mismatch = timeZoneMismatch(plan, DEMO_ZONE);
      if (template.timeZone === DEMO_ZONE) expect(mismatch).toBeUndefined();
      else expect(mismatch).toMatchObject({ planZoneText: 'Europe/Moscow (UTC+3)', regionZoneText: 'Asia/Yekaterinburg (UTC+5)' });
    }
  });
});
