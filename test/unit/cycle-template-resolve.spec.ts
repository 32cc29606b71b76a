import type { CycleTemplate, ResolvedCyclePlan, ResolvedStep } from '../../libs/contracts/cycle-template';
import { isWorkingDay } from '../../libs/domain/calendar';
import { compressPlan, dryRun, resolveCyclePlan, TemplateInvalidError } from '../../libs/domain/cycle-template';
import { resolveDeadline } from '../../libs/domain/deadline';
import { loadBuiltinTemplates } from '../../libs/templates';
import { clone, minimalTemplate } from './cycle-template-support';

function stepOf(plan: ResolvedCyclePlan, key: string): ResolvedStep {
  const found = plan.stages.flatMap((s) => s.steps).find((s) => s.key === key);
  if (!found) throw new Error(`no step ${key}`);
  return found;
}

function withDeadline(template: CycleTemplate, stepId: string, deadline: CycleTemplate['stages'][0]['steps'][0]['deadline']): CycleTemplate {
  const copy = clone(template);
  for (const stage of copy.stages) for (const s of stage.steps) if (s.id === stepId) s.deadline = deadline;
  return copy;
}

/** Probe steps live in a stage of their own, so that their dates cannot upset the order of the real stages. */
function withProbes(template: CycleTemplate, ...deadlines: CycleTemplate['stages'][0]['steps'][0]['deadline'][]): CycleTemplate {
  const copy = clone(template);
  copy.stages.push({
    id: 'probes',
    title: 'Проверка сроков',
    steps: deadlines.map((deadline, i) => ({ id: `probe-${i + 1}`, title: `Проба ${i + 1}`, kind: 'task', actor: 'ministry', deadline })),
  });
  return copy;
}

describe('resolveCyclePlan: date forms', () => {
  const base = minimalTemplate();

  it('turns a date into that day at 18:00 (or the given time), with no opening', () => {
    const plan = resolveCyclePlan(base, { academicYear: 2026 });
    expect(stepOf(plan, 'school-list')).toMatchObject({ dueLocal: '2026-09-25T18:00:00' });
    expect(stepOf(plan, 'school-list').opensAt).toBeUndefined();
    const atNoon = resolveCyclePlan(withDeadline(base, 'municipal-plan', { date: '2026-10-23', time: '12:30' }), { academicYear: 2026 });
    expect(stepOf(atNoon, 'municipal-plan').dueLocal).toBe('2026-10-23T12:30:00');
  });

  it('turns a month into its first day 00:00 … last day 18:00, and a range into first month … last month', () => {
    const plan = resolveCyclePlan(withProbes(base, { month: '2027-02' }, { months: { from: '2026-10', to: '2026-11' } }), { academicYear: 2026 });
    expect(stepOf(plan, 'probe-1')).toMatchObject({ opensAt: '2027-02-01T00:00:00', dueLocal: '2027-02-28T18:00:00' });
    expect(stepOf(plan, 'probe-2')).toMatchObject({ opensAt: '2026-10-01T00:00:00', dueLocal: '2026-11-30T18:00:00' });
  });

  it('opens the last week of June seven days before 30 June', () => {
    const plan = resolveCyclePlan(base, { academicYear: 2026 });
    expect(stepOf(plan, 'report')).toMatchObject({ opensAt: '2027-06-23T00:00:00', dueLocal: '2027-06-30T18:00:00' });
  });

  it('shifts every date by the difference of academic years, keeping 29 February inside February', () => {
    const plan = resolveCyclePlan(base, { academicYear: 2027 });
    expect(plan.academicYear).toBe(2027);
    expect(stepOf(plan, 'school-list').dueLocal).toBe('2027-09-25T18:00:00');
    expect(stepOf(plan, 'report').dueLocal).toBe('2028-06-30T18:00:00');
    expect(stepOf(resolveCyclePlan(withProbes(base, { date: '2028-02-29' }), { academicYear: 2027 }), 'probe-1').dueLocal).toBe('2029-02-28T18:00:00');
  });

  it('counts `after` in working days across the New Year holidays, and in calendar days when asked', () => {
    const template = withProbes(
      base,
      { date: '2026-12-30' },
      { after: 'probe-1', days: 1 },
      { after: 'probe-1', days: 3, calendar: 'calendar', time: '10:00' },
      { after: 'probe-2', days: 2 },
    );
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    // 31 December 2026 and 1–8 January 2027 are days off, 9–10 January a weekend.
    expect(stepOf(plan, 'probe-2').dueLocal).toBe('2027-01-11T18:00:00');
    expect(stepOf(plan, 'probe-3').dueLocal).toBe('2027-01-02T10:00:00');
    expect(stepOf(plan, 'probe-4').dueLocal).toBe('2027-01-13T18:00:00');
  });

  it('unrolls a yearly step into one instance per programme year, keyed step@year', () => {
    const template = clone(base);
    template.programme.years = 2;
    template.stages[3].steps[0].deadline = { lastWeekOf: '2028-06' };
    template.stages[4].steps[0].deadline = { date: '2028-08-25' };
    template.stages[3].steps.push({ id: 'equipment', title: 'Оборудование', kind: 'task', actor: 'school', deadline: { month: '2027-06' }, repeat: 'yearly' });
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    expect(stepOf(plan, 'equipment@2026')).toMatchObject({ stepId: 'equipment', dueLocal: '2027-06-30T18:00:00' });
    expect(stepOf(plan, 'equipment@2027')).toMatchObject({ stepId: 'equipment', dueLocal: '2028-06-30T18:00:00' });
  });

  it('lists quarterly periods (December, March, June per academic year) with Russian titles', () => {
    const template = clone(base);
    template.programme.years = 2;
    template.stages[3].steps[0].deadline = { lastWeekOf: '2028-06' };
    template.stages[4].steps[0].deadline = { date: '2028-08-25' };
    const periods = stepOf(resolveCyclePlan(template, { academicYear: 2026 }), 'report').periods!;
    expect(periods.map((p) => p.id)).toEqual(['2026-12', '2027-03', '2027-06', '2027-12', '2028-03', '2028-06']);
    expect(periods[0]).toEqual({ id: '2026-12', title: 'IV квартал 2026', opensAt: '2026-12-24T00:00:00', dueLocal: '2026-12-31T18:00:00' });
    expect(periods[1].title).toBe('I квартал 2027');
  });

  it('lists semi-annual periods as the school half-years and explicit periods as written', () => {
    const semi = clone(base);
    semi.stages[3].steps[0].monitoring!.cadence = 'semiannual';
    expect(stepOf(resolveCyclePlan(semi, { academicYear: 2026 }), 'report').periods!.map((p) => `${p.id} ${p.title}`)).toEqual([
      '2026-12 I полугодие 2026/2027',
      '2027-06 II полугодие 2026/2027',
    ]);
    const explicit = clone(base);
    explicit.stages[3].steps[0].monitoring!.cadence = {
      periods: [
        { id: 'mid', title: 'Промежуточный', window: { months: { from: '2027-01', to: '2027-02' } } },
        { id: 'final', title: 'Итоговый', window: { date: '2027-05-20' } },
      ],
    };
    const periods = stepOf(resolveCyclePlan(explicit, { academicYear: 2027 }), 'report').periods!;
    expect(periods).toEqual([
      { id: '2028-02', title: 'Промежуточный, февраль 2028', opensAt: '2028-01-01T00:00:00', dueLocal: '2028-02-29T18:00:00' },
      { id: '2028-05', title: 'Итоговый, май 2028', opensAt: '2028-05-13T00:00:00', dueLocal: '2028-05-20T18:00:00' },
    ]);
  });

  it('fills in policies, review durations and the legal basis text', () => {
    const template = clone(base);
    template.notificationPolicy = { reminders: [{ daysBefore: 2 }], escalations: [{ workingDaysAfter: 1, notify: 'supervisor' }] };
    template.stages[1].steps[0].policy = { reminders: [{ daysBefore: 5 }], escalations: [] };
    template.stages[2].steps[0].partnership!.confirmation = { days: 14, calendar: 'calendar' };
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    expect(plan.calendar).toBe('working-days');
    expect(stepOf(plan, 'municipal-plan').policy.reminders).toEqual([{ daysBefore: 5 }]);
    expect(stepOf(plan, 'school-list').policy.reminders).toEqual([{ daysBefore: 2 }]);
    expect(stepOf(plan, 'municipal-plan').review).toEqual({ by: 'ministry', maxRounds: 2, deadline: { workingDays: 10 } });
    expect(stepOf(plan, 'pairs').confirmation).toEqual({ calendarDays: 14 });
    expect(stepOf(plan, 'school-list').legalBasis?.text).toBe('Приказ министерства образования от 12.08.2026 № 1234, п. 2.1');
    const defaults = resolveCyclePlan(base, { academicYear: 2026 });
    expect(stepOf(defaults, 'pairs').policy.reminders).toEqual([{ daysBefore: 7 }, { daysBefore: 3 }, { daysBefore: 1 }]);
  });

  it('refuses an invalid template with its problems', () => {
    const broken = withDeadline(base, 'municipal-plan', { date: '2026-02-30' });
    expect(() => resolveCyclePlan(broken, { academicYear: 2026 })).toThrow(TemplateInvalidError);
    try {
      resolveCyclePlan(broken, { academicYear: 2026 });
    } catch (error) {
      expect((error as TemplateInvalidError).problems[0].path).toBe('/stages/1/steps/0/deadline/date');
    }
  });
});

describe('resolveCyclePlan: the production calendar', () => {
  const base = minimalTemplate();

  /** What the step's task is due at once issued: the deadline request the step workflow builds from the plan. */
  function effectiveDue(plan: ResolvedCyclePlan, key: string): string {
    const { localDateTime } = resolveDeadline({
      localDateTime: stepOf(plan, key).dueLocal,
      timeZone: plan.timeZone,
      calendar: plan.calendar,
      decreeNonWorkingDays: plan.decreeNonWorkingDays,
    });
    return localDateTime;
  }

  it('ends a deadline without a time on a shortened pre-holiday day at 17:00, in every date form', () => {
    const template = withProbes(
      base,
      { date: '2026-04-30' },
      { month: '2027-04' },
      { after: 'probe-1', days: 5 },
      { date: '2026-04-30', time: '18:00' },
      { lastWeekOf: '2026-12' },
    );
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    expect(stepOf(plan, 'probe-1').dueLocal).toBe('2026-04-30T17:00:00'); // the eve of 1 May
    expect(stepOf(plan, 'probe-2').dueLocal).toBe('2027-04-30T17:00:00');
    expect(stepOf(plan, 'probe-3').dueLocal).toBe('2026-05-08T17:00:00'); // the eve of 9 May
    expect(stepOf(plan, 'probe-4').dueLocal).toBe('2026-04-30T18:00:00'); // a written time is kept
    expect(stepOf(plan, 'probe-5').dueLocal).toBe('2026-12-31T18:00:00'); // a day off: it moves, at 18:00
    expect(effectiveDue(plan, 'probe-5')).toBe('2027-01-11T18:00:00');
  });

  it('counts the 2020–2021 decrees\' non-working days as days off unless the template says they are worked', () => {
    const probes = withProbes(base, { date: '2020-04-30' }, { date: '2020-03-27' }, { after: 'probe-2', days: 1 }, { date: '2021-11-03' });

    const byDefault = resolveCyclePlan(probes, { academicYear: 2026 });
    expect(byDefault.decreeNonWorkingDays).toBe('non-working');
    expect(stepOf(byDefault, 'probe-1').dueLocal).toBe('2020-04-30T18:00:00');
    expect(effectiveDue(byDefault, 'probe-1')).toBe('2020-05-12T18:00:00');
    expect(stepOf(byDefault, 'probe-3').dueLocal).toBe('2020-05-12T18:00:00');
    expect(effectiveDue(byDefault, 'probe-4')).toBe('2021-11-08T18:00:00');

    const worked = resolveCyclePlan({ ...probes, productionCalendar: { decreeNonWorkingDays: 'working' } }, { academicYear: 2026 });
    expect(worked.decreeNonWorkingDays).toBe('working');
    expect(stepOf(worked, 'probe-1').dueLocal).toBe('2020-04-30T17:00:00'); // a worked eve of 1 May is shortened
    expect(effectiveDue(worked, 'probe-1')).toBe('2020-04-30T17:00:00');
    expect(stepOf(worked, 'probe-3').dueLocal).toBe('2020-03-30T18:00:00');
    expect(effectiveDue(worked, 'probe-4')).toBe('2021-11-03T17:00:00');

    const explicit = resolveCyclePlan({ ...probes, productionCalendar: { decreeNonWorkingDays: 'non-working' } }, { academicYear: 2026 });
    expect(explicit).toEqual(byDefault);
    expect(compressPlan(worked, { secondsPerDay: 60, origin: new Date('2030-01-01T00:00:00Z') }).decreeNonWorkingDays).toBe('working');
  });
});

describe('compressPlan', () => {
  const plan = resolveCyclePlan(minimalTemplate(), { academicYear: 2026 });
  const origin = new Date('2030-01-01T00:00:00Z');
  const compressed = compressPlan(plan, { secondsPerDay: 60, origin });

  function seconds(local: string): number {
    // Moscow is UTC+3 all year.
    return (Date.parse(`${local}+03:00`) - origin.getTime()) / 1000;
  }

  it('maps the earliest day to the origin and every date linearly, keeping the order', () => {
    const steps = compressed.stages.flatMap((s) => s.steps);
    // The earliest date is 25 September 2026 (school-list due); its midnight is the origin.
    expect(seconds(stepOf(compressed, 'school-list').dueLocal)).toBe(45); // 18:00 = 0.75 day
    expect(seconds(stepOf(compressed, 'municipal-plan').dueLocal)).toBe(28 * 60 + 45);
    const report = stepOf(compressed, 'report');
    expect(seconds(report.periods![0].opensAt)).toBe(90 * 60); // 24 December
    const originalOrder = plan.stages.flatMap((s) => s.steps).map((s) => s.dueLocal);
    const compressedDue = steps.map((s) => seconds(s.dueLocal));
    for (let i = 0; i < originalOrder.length; i++) {
      for (let j = 0; j < originalOrder.length; j++) {
        if (originalOrder[i] < originalOrder[j]) expect(compressedDue[i]).toBeLessThan(compressedDue[j]);
      }
    }
  });

  it('switches to calendar days and second-based policies and durations, deduplicating collapsed reminders', () => {
    expect(compressed.calendar).toBe('calendar-days');
    expect(compressed.compression).toEqual({ secondsPerDay: 60, origin: '2030-01-01T00:00:00.000Z' });
    expect(stepOf(compressed, 'pairs').policy).toEqual({
      reminders: [{ secondsBefore: 420 }, { secondsBefore: 180 }, { secondsBefore: 60 }],
      escalations: [
        { secondsAfter: 1, notify: 'assignee_head' },
        { secondsAfter: 180, notify: 'supervisor' },
      ],
      // A task issued late keeps its whole reminder window: the earliest reminder a second after issue.
      minimumLeadSeconds: 421,
    });
    expect(stepOf(compressed, 'municipal-plan').review?.deadline).toEqual({ seconds: 600 });
    expect(stepOf(compressed, 'pairs').confirmation).toEqual({ seconds: 300 });
    const tiny = compressPlan(plan, { secondsPerDay: 0.2, origin });
    expect(stepOf(tiny, 'pairs').policy.reminders).toEqual([{ secondsBefore: 1 }]);
    expect(stepOf(tiny, 'pairs').policy.minimumLeadSeconds).toBe(2);
    expect(() => compressPlan(compressed, { secondsPerDay: 60, origin })).toThrow(/already compressed/);
  });
});

describe('dryRun on the default template', () => {
  const template = loadBuiltinTemplates().find((t) => t.id === 'default')!;
  const orgs = {
    ministryId: 'min',
    instituteId: 'iro',
    municipalities: ['mun-a', 'mun-b', 'mun-empty'],
    schools: [
      { id: 'school-a1', municipalityId: 'mun-a' },
      { id: 'school-a2', municipalityId: 'mun-a' },
      { id: 'school-b1', municipalityId: 'mun-b' },
      { id: 'school-b2', municipalityId: 'mun-b' },
    ],
  };
  const longAgo = new Date('2000-01-01T00:00:00Z');

  it('lists every task once per organisation that does it, sorted by due time', () => {
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), orgs, longAgo);
    const count = (stepKey: string, action?: string): number => rows.filter((r) => r.stepKey === stepKey && (!action || r.action === action)).length;
    expect(count('school-list')).toBe(1);
    expect(count('results-analysis')).toBe(1);
    expect(count('transition-programme', 'submit')).toBe(4);
    expect(count('transition-programme', 'review')).toBe(4);
    expect(count('municipal-plan', 'submit')).toBe(2);
    expect(count('municipal-plan', 'review')).toBe(2);
    expect(count('partner-agreements', 'propose_pairs')).toBe(2);
    // Each participant school's agreement is confirmed by the school, its partner (chosen later: '*') and the municipality.
    expect(count('partner-agreements', 'confirm_agreement')).toBe(4 * 3);
    expect(count('quarterly-monitoring')).toBe(4 * 3);
    expect(rows.filter((r) => r.stepKey === 'best-practice' && r.action === 'describe_practice').map((r) => r.organizationId)).toEqual(['*']);
    expect(rows).toHaveLength(44);
    expect(rows.some((r) => r.organizationId === 'mun-empty')).toBe(false);
    const due = rows.map((r) => Date.parse(r.dueAt));
    expect([...due].sort((a, b) => a - b)).toEqual(due);
  });

  it('reviews the school programme in the school’s own municipality, counted from the submission deadline', () => {
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), orgs, longAgo);
    const review = rows.find((r) => r.stepKey === 'transition-programme' && r.action === 'review' && r.subjectOrganizationId === 'school-b2')!;
    expect(review.organizationId).toBe('mun-b');
    expect(review.dueLocal).toBe('2026-10-23T18:00:00'); // 16 October + 5 working days
    const planReview = rows.find((r) => r.stepKey === 'municipal-plan' && r.action === 'review')!;
    expect(planReview.organizationId).toBe('min');
  });

  it('puts every deadline on a working day: a Saturday moves to Monday, 31 December past the holidays', () => {
    const saturday = clone(template);
    saturday.stages.find((s) => s.id === 'approval')!.steps[0].deadline = { date: '2026-11-21' };
    const rows = dryRun(resolveCyclePlan(saturday, { academicYear: 2026 }), orgs, longAgo);
    for (const row of rows) expect(isWorkingDay(row.dueLocal.slice(0, 10))).toBe(true);
    const order = rows.find((r) => r.stepKey === 'plans-approval-order')!;
    expect(order).toMatchObject({ dueLocal: '2026-11-23T18:00:00', dueAt: '2026-11-23T15:00:00Z', movedFromNonWorkingDay: true, organizationId: 'min' });
    const december = rows.find((r) => r.periodId === '2026-12' && r.organizationId === 'school-a1')!;
    expect(december).toMatchObject({ dueLocal: '2027-01-11T18:00:00', movedFromNonWorkingDay: true, opensAt: '2026-12-24T00:00:00' });
  });

  it('escalates up the ladder: a school to its municipality, a municipality to the ministry, the ministry to its head once', () => {
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), orgs, longAgo);
    const programme = rows.find((r) => r.stepKey === 'transition-programme' && r.action === 'submit' && r.organizationId === 'school-b1')!;
    expect(programme.supervisorOrganizationId).toBe('mun-b');
    expect(programme.escalations.map((e) => [e.notify, e.organizationId])).toEqual([
      ['assignee_head', 'school-b1'],
      ['supervisor', 'mun-b'],
    ]);
    const plan = rows.find((r) => r.stepKey === 'municipal-plan' && r.action === 'submit' && r.organizationId === 'mun-a')!;
    expect(plan.escalations.map((e) => [e.notify, e.organizationId])).toEqual([
      ['assignee_head', 'mun-a'],
      ['supervisor', 'min'],
    ]);
    const order = rows.find((r) => r.stepKey === 'plans-approval-order')!;
    expect(order.escalations.map((e) => [e.notify, e.organizationId])).toEqual([['assignee_head', 'min']]);
    const confirmations = rows.filter((r) => r.action === 'confirm_agreement' && (r.subjectOrganizationId ?? r.organizationId) === 'mun-a');
    expect(confirmations.map((r) => [r.party, r.organizationId, r.supervisorOrganizationId]).sort()).toEqual([
      ['1-municipality', 'mun-a', 'min'],
      ['1-partner', '*', 'mun-a'],
      ['1-school', 'school-a1', 'mun-a'],
      ['2-municipality', 'mun-a', 'min'],
      ['2-partner', '*', 'mun-a'],
      ['2-school', 'school-a2', 'mun-a'],
    ]);
  });

  it('lists the confirmations of known pairs by their partner schools, and the partner schools’ own steps', () => {
    const pairs = [
      { schoolId: 'school-a1', partnerSchoolId: 'strong-1' },
      { schoolId: 'school-a2', partnerSchoolId: 'strong-1' },
      { schoolId: 'school-b1', partnerSchoolId: 'strong-2' },
      { schoolId: 'school-b2', partnerSchoolId: 'strong-3' },
    ];
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), { ...orgs, pairs }, longAgo);
    const partners = rows.filter((r) => r.action === 'confirm_agreement' && r.party?.endsWith('-partner')).map((r) => r.organizationId);
    expect(partners.sort()).toEqual(['strong-1', 'strong-1', 'strong-2', 'strong-3']);
  });

  it('gives each row its reminders and escalations, and the legal basis text', () => {
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), orgs, longAgo);
    const list = rows.find((r) => r.stepKey === 'school-list')!;
    // Due Friday 25 September 2026: 7, 3 and 1 days before at 09:00 Moscow, moved back off the weekend.
    expect(list.reminders).toEqual(['2026-09-18T06:00:00Z', '2026-09-22T06:00:00Z', '2026-09-24T06:00:00Z']);
    // The list is the ministry's own task: its head is told once, not a second time as the supervisor.
    expect(list.escalations).toEqual([{ at: '2026-09-25T15:00:00Z', notify: 'assignee_head', organizationId: 'min' }]);
    expect(list.legalBasis).toMatch(/^Приказ регионального органа .*, п\. 2$/);
    const confirmation = rows.find((r) => r.action === 'confirm_agreement')!;
    expect(confirmation.dueLocal).toBe('2026-12-18T18:00:00'); // 4 December + 10 working days
  });

  it('leaves out what is already past at `now`', () => {
    // Launched on Monday 21 September, three working days before the list is due: nothing moves.
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), orgs, new Date('2026-09-21T12:00:00Z'));
    const list = rows.find((r) => r.stepKey === 'school-list')!;
    expect(list.reminders).toEqual(['2026-09-22T06:00:00Z', '2026-09-24T06:00:00Z']);
    expect(list.plannedDueLocal).toBeUndefined();
  });

  it('gives a task issued late three working days from issue, and says why', () => {
    // Launched on Wednesday 23 September: the list due on Friday 25th would leave two working days.
    const rows = dryRun(resolveCyclePlan(template, { academicYear: 2026 }), orgs, new Date('2026-09-23T07:00:00Z'));
    const list = rows.find((r) => r.stepKey === 'school-list')!;
    expect(list.dueLocal).toBe('2026-09-28T18:00:00');
    expect(list.plannedDueLocal).toBe('2026-09-25T18:00:00');
    expect(list.lateIssueNote).toBe(
      'Задача выдана позже плана: до планового срока 25.09.2026 18:00 оставалось меньше 3 рабочих дней, ' +
        'поэтому срок — 3 рабочих дня после выдачи: 28.09.2026 18:00.',
    );
    expect(list.reminders).toEqual(['2026-09-25T06:00:00Z']);
    // The stages after the list wait for it: the municipalities' plans open when the list is due at the latest.
    const plan = rows.find((r) => r.action === 'submit' && r.organizationId === 'mun-a')!;
    expect(plan.plannedDueLocal).toBeUndefined();
  });

  it('moves a stage written with a date before the one it depends on to three working days after that one', () => {
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    const listDue = plan.stages.flatMap((s) => s.steps).find((s) => s.key === 'school-list')!.dueLocal;
    const plans = plan.stages.find((s) => s.id === 'plans')!;
    plans.steps[0] = { ...plans.steps[0], dueLocal: listDue.replace('-25T', '-24T'), opensAt: undefined };
    const rows = dryRun(plan, orgs, longAgo).filter((r) => r.stepKey === plans.steps[0].key && r.action === 'submit');
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.plannedDueLocal).toBe('2026-09-24T18:00:00');
      expect(row.dueLocal).toBe('2026-09-30T18:00:00'); // 25 September + 3 working days
    }
  });
});
