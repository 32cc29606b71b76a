/**
 * The rules that decide when a roadmap's tasks are issued, shared by the run and the dry run: stages that do not wait
 * for the list, tasks issued late, dates set later («по специальному графику»), and the ladder of a partner school.
 */
import type { CycleTemplate, TemplateStep } from '../../libs/contracts/cycle-template';
import { datesToBeSet, dryRun, resolveCyclePlan, validateTemplateSemantics } from '../../libs/domain/cycle-template';
import { openingTask, reviewTask, stagesAwaitingList } from '../../libs/domain/cycle-template/step-tasks';
import { resolveIssuedDeadline } from '../../libs/domain/deadline';
import { clone, minimalTemplate } from './cycle-template-support';

const orgs = {
  ministryId: 'min',
  instituteId: 'iro',
  municipalities: ['mun-a', 'mun-b'],
  schools: [
    { id: 'school-a1', municipalityId: 'mun-a' },
    { id: 'school-b1', municipalityId: 'mun-b' },
  ],
};
const longAgo = new Date('2000-01-01T00:00:00Z');

/** The minimal template with a set-up stage that depends on nothing: an agreement signed, a regulation «по графику». */
function withSetUp(regulation: Partial<TemplateStep> = {}): CycleTemplate {
  const template = minimalTemplate();
  template.stages.unshift({
    id: 'setup',
    title: 'Организационные меры',
    steps: [
      { id: 'agreement', title: 'Соглашение о сотрудничестве', kind: 'task', actor: 'ministry', deadline: { date: '2026-09-10' } },
      {
        id: 'regulation',
        title: 'Положение о стажировочных площадках',
        kind: 'task',
        actor: 'institute',
        deadline: { setLater: 'по специальному графику' },
        ...regulation,
      },
    ],
  });
  return template;
}

describe('stages that do not wait for the list', () => {
  it('are the ones that depend on no identification stage, directly or through others', () => {
    const plan = resolveCyclePlan(withSetUp(), { academicYear: 2026 });
    expect([...stagesAwaitingList(plan.stages)].sort()).toEqual(['best-practices', 'identification', 'monitoring', 'partnership', 'plans']);
  });

  it('issue the ministry’s task at launch in the dry run, so a launch after its date gives it three working days', () => {
    const plan = resolveCyclePlan(withSetUp(), { academicYear: 2026 });
    // Launched on Friday 11 September 2026, the day after the agreement's date.
    const [agreement] = dryRun(plan, orgs, new Date('2026-09-11T06:00:00Z')).filter((r) => r.stepKey === 'agreement');
    expect(agreement).toMatchObject({ organizationId: 'min', plannedDueLocal: '2026-09-10T18:00:00', dueLocal: '2026-09-16T18:00:00' });
    expect(agreement.lateIssueNote).toContain('3 рабочих дня после выдачи');
  });
});

describe('a task issued late', () => {
  const request = { localDateTime: '2026-10-23T18:00:00', timeZone: 'Europe/Moscow', calendar: 'working-days' as const };
  const policy = { reminders: [{ daysBefore: 3 }], escalations: [], minimumLeadWorkingDays: 3 };

  it('keeps the planned deadline when it leaves the lead', () => {
    expect(resolveIssuedDeadline(request, policy, new Date('2026-10-20T06:00:00Z')).leadFromIssue).toBeUndefined();
  });

  it('is due three working days after issue, past a weekend, with the planned date kept', () => {
    const due = resolveIssuedDeadline(request, policy, new Date('2026-10-22T06:00:00Z'));
    expect(due.localDateTime).toBe('2026-10-27T18:00:00');
    expect(due.leadFromIssue).toEqual({ plannedLocalDateTime: '2026-10-23T18:00:00', workingDays: 3 });
  });

  it('does not apply to calendar-day deadlines, nor to reviews, which are due a set time after the version', () => {
    expect(resolveIssuedDeadline({ ...request, calendar: 'calendar-days' }, policy, new Date('2026-10-23T06:00:00Z')).leadFromIssue).toBeUndefined();
    const plan = resolveCyclePlan(minimalTemplate(), { academicYear: 2026 });
    const step = plan.stages.flatMap((s) => s.steps).find((s) => s.key === 'municipal-plan')!;
    expect(openingTask(step, { organizationId: 'mun-a' }, orgs).policy.minimumLeadWorkingDays).toBe(3);
    expect(reviewTask(step, step.review!, { organizationId: 'mun-a' }, orgs, 1, Date.now(), plan).policy.minimumLeadWorkingDays).toBeUndefined();
  });

  it('takes the template’s own lead', () => {
    const template = minimalTemplate();
    template.notificationPolicy = { reminders: [{ daysBefore: 1 }], escalations: [], minimumLeadWorkingDays: 5 };
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    expect(plan.stages[0].steps[0].policy.minimumLeadWorkingDays).toBe(5);
  });
});

describe('a date set later («по специальному графику»)', () => {
  it('resolves to a step with the roadmap’s words, bounded by the roadmap’s last deadline', () => {
    const plan = resolveCyclePlan(withSetUp(), { academicYear: 2026 });
    const regulation = plan.stages[0].steps.find((s) => s.key === 'regulation')!;
    expect(regulation.deadlineSetLater).toBe('по специальному графику');
    expect(regulation.dueLocal).toBe('2027-08-27T18:00:00');
  });

  it('is not in the dry run’s tasks until set, but in the dates to be set, once per organisation', () => {
    const plan = resolveCyclePlan(withSetUp(), { academicYear: 2026 });
    expect(dryRun(plan, orgs, longAgo).filter((r) => r.stepKey === 'regulation')).toEqual([]);
    expect(datesToBeSet(plan, orgs)).toEqual([
      expect.objectContaining({ stepKey: 'regulation', organizationId: 'iro', wording: 'по специальному графику', text: 'срок будет установлен' }),
    ]);
    const set = { ...orgs, stepDeadlines: { regulation: '2026-12-01T18:00:00' } };
    expect(datesToBeSet(plan, set)).toEqual([]);
    expect(dryRun(plan, set, longAgo).filter((r) => r.stepKey === 'regulation')).toEqual([
      expect.objectContaining({ organizationId: 'iro', dueLocal: '2026-12-01T18:00:00', action: 'perform' }),
    ]);
  });

  it('is refused where it cannot work, with the path', () => {
    const problems = (template: CycleTemplate) => validateTemplateSemantics(template).map((p) => `${p.path}: ${p.message}`);
    expect(problems(withSetUp({ repeat: 'yearly' }))).toEqual([expect.stringMatching(/^\/stages\/0\/steps\/1\/repeat: .*не повторяется/)]);
    const monitored = clone(minimalTemplate());
    monitored.stages[3].steps[0].deadline = { setLater: 'по графику' };
    expect(problems(monitored)).toEqual([expect.stringMatching(/^\/stages\/3\/steps\/0\/deadline: .*только для шагов вида task и submission/)]);
    const after = withSetUp();
    after.stages[0].steps.push({ id: 'follow', title: 'После положения', kind: 'task', actor: 'institute', deadline: { after: 'regulation', days: 5 } });
    expect(problems(after)).toEqual([expect.stringMatching(/^\/stages\/0\/steps\/2\/deadline\/after: .*устанавливается позже/)]);
    const blank = withSetUp({ deadline: { setLater: ' ' } });
    expect(problems(blank)).toEqual([expect.stringMatching(/^\/stages\/0\/steps\/1\/deadline\/setLater: /)]);
  });
});

describe('the ladder of a partner school', () => {
  it('escalates its own steps to its own municipality, not the ministry', () => {
    const template = minimalTemplate();
    template.stages[2].steps.push({ id: 'partner-plan', title: 'План партнёра', kind: 'task', actor: 'partner_school', deadline: { date: '2026-12-18' } });
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    const pairs = [{ schoolId: 'school-a1', partnerSchoolId: 'strong-b', partnerMunicipalityId: 'mun-b' }];
    const rows = dryRun(plan, { ...orgs, pairs }, longAgo).filter((r) => r.stepKey === 'partner-plan');
    expect(rows).toEqual([expect.objectContaining({ organizationId: 'strong-b', supervisorOrganizationId: 'mun-b' })]);
    expect(rows[0].escalations.find((e) => e.notify === 'supervisor')?.organizationId).toBe('mun-b');
  });
});
