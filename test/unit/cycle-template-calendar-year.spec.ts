import type { CycleTemplate, ResolvedCyclePlan, ResolvedStep } from '../../libs/contracts/cycle-template';
import {
  programmeFirstYear,
  programmeYearKind,
  programmeYearRu,
  resolveCyclePlan,
  TemplateInvalidError,
  validateTemplateSemantics,
} from '../../libs/domain/cycle-template';
import { validateAgainstSchema } from '../../libs/templates';
import { clone, minimalTemplate } from './cycle-template-support';

/** A roadmap that runs February to December of one calendar year, as some regions write it. */
function calendarYearTemplate(): CycleTemplate {
  const template = clone(minimalTemplate());
  template.programme = { firstCalendarYear: 2021, years: 1 };
  template.legalActs![0].date = '2021-01-20';
  const dates: Record<string, CycleTemplate['stages'][0]['steps'][0]['deadline']> = {
    identification: { date: '2021-02-19' },
    plans: { date: '2021-03-12' },
    partnership: { date: '2021-03-19' },
    monitoring: { lastWeekOf: '2021-12' },
    'best-practices': { date: '2021-12-31' },
  };
  for (const stage of template.stages) stage.steps[0].deadline = dates[stage.id];
  return template;
}

function stepOf(plan: ResolvedCyclePlan, key: string): ResolvedStep {
  const found = plan.stages.flatMap((s) => s.steps).find((s) => s.key === key);
  if (!found) throw new Error(`no step ${key}`);
  return found;
}

describe('programme.firstCalendarYear — roadmaps that run within a calendar year', () => {
  it('is valid as written and resolves for its own year and a later one, shifting every date', () => {
    const template = calendarYearTemplate();
    expect(validateTemplateSemantics(template)).toEqual([]);
    expect(validateAgainstSchema(template)).toEqual([]);
    expect([programmeYearKind(template), programmeFirstYear(template)]).toEqual(['calendar', 2021]);
    const own = resolveCyclePlan(template, { academicYear: 2021 });
    expect(own).toMatchObject({ academicYear: 2021, yearKind: 'calendar' });
    expect(stepOf(own, 'school-list').dueLocal).toBe('2021-02-19T18:00:00');
    const next = resolveCyclePlan(template, { academicYear: 2022 });
    expect(stepOf(next, 'school-list').dueLocal).toBe('2022-02-19T18:00:00');
    expect(stepOf(next, 'report').dueLocal).toBe('2022-12-31T18:00:00');
  });

  it('leaves academic-year templates as they were: no yearKind in the plan', () => {
    const plan = resolveCyclePlan(minimalTemplate(), { academicYear: 2026 });
    expect(plan.yearKind).toBeUndefined();
    expect([programmeYearKind(minimalTemplate()), programmeFirstYear(minimalTemplate())]).toEqual(['academic', 2026]);
  });

  it('reports by calendar quarters (March, June, September, December) and calendar half-years', () => {
    const quarterly = stepOf(resolveCyclePlan(calendarYearTemplate(), { academicYear: 2021 }), 'report').periods!;
    expect(quarterly.map((p) => `${p.id} ${p.title}`)).toEqual(['2021-03 I квартал 2021', '2021-06 II квартал 2021', '2021-09 III квартал 2021', '2021-12 IV квартал 2021']);
    expect(quarterly[0]).toMatchObject({ opensAt: '2021-03-24T00:00:00', dueLocal: '2021-03-31T18:00:00' });
    const semi = calendarYearTemplate();
    semi.stages[3].steps[0].monitoring!.cadence = 'semiannual';
    expect(stepOf(resolveCyclePlan(semi, { academicYear: 2021 }), 'report').periods!.map((p) => `${p.id} ${p.title}`)).toEqual([
      '2021-06 I полугодие 2021',
      '2021-12 II полугодие 2021',
    ]);
  });

  it('numbers yearly instances and monitoring years by calendar year', () => {
    const template = calendarYearTemplate();
    template.programme.years = 2;
    template.stages[3].steps[0].deadline = { lastWeekOf: '2022-12' };
    template.stages[4].steps[0].deadline = { date: '2022-12-31' };
    template.stages[3].steps.push({ id: 'equipment', title: 'Оборудование', kind: 'task', actor: 'school', deadline: { month: '2021-06' }, repeat: 'yearly' });
    expect(validateTemplateSemantics(template)).toEqual([]);
    const plan = resolveCyclePlan(template, { academicYear: 2021 });
    expect(stepOf(plan, 'equipment@2021').dueLocal).toBe('2021-06-30T18:00:00');
    expect(stepOf(plan, 'equipment@2022').dueLocal).toBe('2022-06-30T18:00:00');
    expect(stepOf(plan, 'report').periods!.map((p) => p.id)).toEqual(['2021-03', '2021-06', '2021-09', '2021-12', '2022-03', '2022-06', '2022-09', '2022-12']);
  });

  it('names the calendar year in a problem found for the launched year', () => {
    const withOffset = (template: CycleTemplate): CycleTemplate => {
      template.stages.push({
        id: 'probes',
        title: 'Проверка сроков',
        steps: [
          { id: 'probe-1', title: 'Проба 1', kind: 'task', actor: 'ministry', deadline: { date: `${programmeFirstYear(template)}-12-30` } },
          { id: 'probe-2', title: 'Проба 2', kind: 'task', actor: 'ministry', deadline: { after: 'probe-1', days: 5 } },
        ],
      });
      return template;
    };
    // Five working days after 30 December 2027 fall in 2028, which the production calendar does not cover yet.
    expect(() => resolveCyclePlan(withOffset(calendarYearTemplate()), { academicYear: 2027 })).toThrow(TemplateInvalidError);
    expect(() => resolveCyclePlan(withOffset(calendarYearTemplate()), { academicYear: 2027 })).toThrow(/\(2027 год\)/);
    const academic = withOffset(clone(minimalTemplate()));
    expect(() => resolveCyclePlan(academic, { academicYear: 2027 })).toThrow(/\(учебный год 2027\/2028\)/);
  });

  it('requires exactly one of firstAcademicYear and firstCalendarYear, in the schema and in the semantic checks', () => {
    const both = calendarYearTemplate();
    both.programme.firstAcademicYear = 2021;
    const neither = calendarYearTemplate();
    delete neither.programme.firstCalendarYear;
    for (const template of [both, neither]) {
      expect(validateAgainstSchema(template)).toEqual([
        expect.objectContaining({ path: '/programme', message: expect.stringMatching(/ровно одно из полей: firstAcademicYear .* или firstCalendarYear/) }),
      ]);
    }
    expect(validateTemplateSemantics(both)).toEqual([expect.objectContaining({ path: '/programme', message: expect.stringMatching(/только одно из полей/) })]);
    expect(validateTemplateSemantics(neither)).toEqual([expect.objectContaining({ path: '/programme', message: expect.stringMatching(/укажите год/) })]);
  });

  it('says the year as the messages need it', () => {
    expect(['nominative', 'accusative', 'dative'].map((form) => programmeYearRu('academic', 2020, form as 'nominative'))).toEqual([
      'учебный год 2020/2021',
      '2020/2021 учебный год',
      '2020/2021 учебному году',
    ]);
    expect(['nominative', 'accusative', 'dative'].map((form) => programmeYearRu('calendar', 2021, form as 'nominative'))).toEqual(['2021 год', '2021 год', '2021 году']);
    // Plans resolved before the calendar-year form existed carry no yearKind: they are academic.
    expect(programmeYearRu(undefined, 2020, 'accusative')).toBe('2020/2021 учебный год');
  });
});
