import type { CycleTemplate, DeadlineSpec, ResolvedCyclePlan, ResolvedStep, TemplateProblem, TemplateStep } from '../../libs/contracts/cycle-template';
import { cycleTaskId, stepWorkflowId } from '../../libs/contracts/cycle';
import { isWorkingDay } from '../../libs/domain/calendar';
import { compressPlan, dryRun, resolveCyclePlan, validateTemplateSemantics } from '../../libs/domain/cycle-template';
import { parseTemplate, validateAgainstSchema } from '../../libs/templates';
import { clone, minimalTemplate } from './cycle-template-support';

/** «В течение года, ежемесячно»: continuous work in a stage of its own that waits for identification only. */
function withContinuousWork(step: Partial<TemplateStep> & { deadline: DeadlineSpec }, change?: (t: CycleTemplate) => void): CycleTemplate {
  const template = clone(minimalTemplate());
  template.stages.push({
    id: 'support',
    title: 'Сопровождение',
    dependsOn: ['identification'],
    steps: [{ id: 'measures', title: 'Мероприятия программы поддержки', kind: 'task', actor: 'school', repeat: 'monthly', ...step }],
  });
  change?.(template);
  return template;
}

function stepsOf(plan: ResolvedCyclePlan, stepId: string): ResolvedStep[] {
  return plan.stages.flatMap((s) => s.steps).filter((s) => s.stepId === stepId);
}

function expectProblem(problems: TemplateProblem[], path: string, message: RegExp): void {
  expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
}

const SUPPORT_STEP = '/stages/5/steps/0';

describe('repeat: monthly and quarterly — continuous work with a report per period', () => {
  it('unrolls a monthly step into one instance per month, opening on the 1st and due on the last working day', () => {
    const plan = resolveCyclePlan(withContinuousWork({ deadline: { months: { from: '2026-10', to: '2027-05' } } }), { academicYear: 2026 });
    const months = stepsOf(plan, 'measures');
    expect(months.map((s) => s.key)).toEqual([
      'measures@2026-10',
      'measures@2026-11',
      'measures@2026-12',
      'measures@2027-01',
      'measures@2027-02',
      'measures@2027-03',
      'measures@2027-04',
      'measures@2027-05',
    ]);
    // 31 October 2026 is a Saturday: a deadline there would move into November, so the report is due on Friday.
    expect(months[0]).toMatchObject({
      stepId: 'measures',
      stageId: 'support',
      title: 'Мероприятия программы поддержки: отчёт за октябрь 2026',
      opensAt: '2026-10-01T00:00:00',
      dueLocal: '2026-10-30T18:00:00',
    });
    // 31 December 2026 is a day off (moved from Sunday 4 January), so the December report is due on the 30th.
    expect(months[2]).toMatchObject({ title: 'Мероприятия программы поддержки: отчёт за декабрь 2026', dueLocal: '2026-12-30T18:00:00' });
    expect(months[3]).toMatchObject({ opensAt: '2027-01-01T00:00:00', dueLocal: '2027-01-29T18:00:00' });
    for (const month of months) {
      const due = month.dueLocal.slice(0, 10);
      expect(isWorkingDay(due)).toBe(true);
      expect(due.slice(0, 7)).toBe(month.opensAt!.slice(0, 7));
    }
  });

  it('unrolls a quarterly step by calendar quarters, clipping the first and last to the window', () => {
    const template = withContinuousWork({ repeat: 'quarterly', kind: 'submission', actor: 'municipality', submission: { document: 'required' }, deadline: { months: { from: '2026-09', to: '2027-05' } } });
    const quarters = stepsOf(resolveCyclePlan(template, { academicYear: 2026 }), 'measures');
    expect(quarters.map((q) => [q.key, q.title, q.opensAt, q.dueLocal])).toEqual([
      ['measures@2026-Q3', 'Мероприятия программы поддержки: отчёт за III квартал 2026', '2026-09-01T00:00:00', '2026-09-30T18:00:00'],
      ['measures@2026-Q4', 'Мероприятия программы поддержки: отчёт за IV квартал 2026', '2026-10-01T00:00:00', '2026-12-30T18:00:00'],
      ['measures@2027-Q1', 'Мероприятия программы поддержки: отчёт за I квартал 2027', '2027-01-01T00:00:00', '2027-03-31T18:00:00'],
      ['measures@2027-Q2', 'Мероприятия программы поддержки: отчёт за II квартал 2027', '2027-04-01T00:00:00', '2027-05-31T18:00:00'],
    ]);
    expect(quarters.every((q) => q.submission?.document === 'required')).toBe(true);
  });

  it('takes a single month as a one-period window, keeps a written time, and shifts with the launched year', () => {
    const template = withContinuousWork({ deadline: { month: '2026-11', time: '12:00' } });
    expect(stepsOf(resolveCyclePlan(template, { academicYear: 2026 }), 'measures').map((s) => [s.key, s.opensAt, s.dueLocal])).toEqual([
      ['measures@2026-11', '2026-11-01T00:00:00', '2026-11-30T12:00:00'],
    ]);
    const later = resolveCyclePlan(withContinuousWork({ deadline: { months: { from: '2026-10', to: '2026-12' } } }), { academicYear: 2025 });
    expect(stepsOf(later, 'measures').map((s) => s.key)).toEqual(['measures@2025-10', 'measures@2025-11', 'measures@2025-12']);
  });

  it('makes keys that are unique in the plan and safe in workflow and task ids', () => {
    const template = withContinuousWork({ repeat: 'quarterly', deadline: { months: { from: '2026-10', to: '2027-06' } } }, (t) =>
      t.stages[5].steps.push({ id: 'reports', title: 'Отчёт', kind: 'task', actor: 'municipality', repeat: 'monthly', deadline: { months: { from: '2026-10', to: '2027-06' } } }),
    );
    const plan = resolveCyclePlan(template, { academicYear: 2026 });
    const keys = plan.stages.flatMap((s) => s.steps).map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys.filter((k) => k.includes('@'))) {
      expect(key).toMatch(/^[a-z0-9_-]+@\d{4}-(\d{2}|Q[1-4])$/);
      // Colons separate the parts of a workflow id and dots those of a task id: a key has neither.
      expect(stepWorkflowId('demo-2026', key, 'org-1').split(':')).toEqual(['cycle', 'demo-2026', 'step', key, 'org-1']);
      expect(cycleTaskId('demo-2026', key, 'org-1', 'perform').split('.')).toEqual(['demo-2026', key, 'org-1', 'perform']);
    }
  });

  it('gives each period its own task in the dry run and keeps them in order when compressed', () => {
    const plan = resolveCyclePlan(withContinuousWork({ deadline: { months: { from: '2026-10', to: '2026-12' } } }), { academicYear: 2026 });
    const rows = dryRun(plan, { ministryId: 'min', municipalities: ['m1'], schools: [{ id: 's1', municipalityId: 'm1' }] }, new Date(0)).filter(
      (r) => r.stepKey.startsWith('measures@'),
    );
    expect(rows.map((r) => [r.stepKey, r.organizationId, r.dueLocal])).toEqual([
      ['measures@2026-10', 's1', '2026-10-30T18:00:00'],
      ['measures@2026-11', 's1', '2026-11-30T18:00:00'],
      ['measures@2026-12', 's1', '2026-12-30T18:00:00'],
    ]);
    const compressed = stepsOf(compressPlan(plan, { secondsPerDay: 10, origin: new Date('2030-01-01T00:00:00Z') }), 'measures');
    const dues = compressed.map((s) => s.dueLocal);
    expect([...dues].sort()).toEqual(dues);
    expect(compressed.every((s) => s.opensAt! < s.dueLocal)).toBe(true);
  });

  it('lets the next stage wait for the last period, and refuses a first period due before its stage can start', () => {
    const waitsForAll = validateTemplateSemantics(
      withContinuousWork({ deadline: { months: { from: '2026-10', to: '2027-05' } } }, (t) =>
        t.stages.push({ id: 'after-support', title: 'Итоги', dependsOn: ['support'], steps: [{ id: 'summary', title: 'Итоги', kind: 'task', actor: 'ministry', deadline: { date: '2027-05-20' } }] }),
      ),
    );
    expectProblem(waitsForAll, '/stages/6/steps/0/deadline', /раньше, чем может начаться этап «after-support».*этап «support».*31\.05\.2027 18:00/);
    const tooEarly = validateTemplateSemantics(withContinuousWork({ deadline: { months: { from: '2026-09', to: '2027-05' } } }));
    // Identification is due on 25 September; the September report is due on the 30th and passes, August would not.
    expect(tooEarly).toEqual([]);
    const august = validateTemplateSemantics(withContinuousWork({ deadline: { months: { from: '2026-08', to: '2027-05' } } }));
    expectProblem(august, `${SUPPORT_STEP}/deadline`, /срок шага «measures» \(31\.08\.2026 18:00\) раньше, чем может начаться этап «support»/);
  });

  it('refuses monthly and quarterly repetition on kinds that run once or have their own cadence, with the reason', () => {
    const template = clone(minimalTemplate());
    const cases: [number, string, 'monthly' | 'quarterly', RegExp][] = [
      [0, 'identification', 'monthly', /ежемесячное повторение \(repeat: monthly\) задаётся только для шагов вида task и submission: идентификация выполняется один раз/],
      [2, 'partnership', 'quarterly', /ежеквартальное повторение.*пары школ и соглашения составляются один раз за цикл/],
      [3, 'monitoring', 'monthly', /у мониторинга своя периодичность: задайте её в monitoring\.cadence/],
      [4, 'best_practice', 'quarterly', /лучшие практики отбираются один раз/],
    ];
    for (const [stage, , repeat] of cases) template.stages[stage].steps[0].repeat = repeat;
    const problems = validateTemplateSemantics(template);
    for (const [stage, kind, , message] of cases) {
      expect(template.stages[stage].steps[0].kind).toBe(kind);
      expectProblem(problems, `/stages/${stage}/steps/0/repeat`, message);
    }
    // The yearly identification message is the one it always was.
    const yearly = clone(minimalTemplate());
    yearly.stages[0].steps[0].repeat = 'yearly';
    expectProblem(validateTemplateSemantics(yearly), '/stages/0/steps/0/repeat', /^идентификация выполняется один раз за цикл и не повторяется ежегодно$/);
  });

  it('refuses a deadline that is not a window of whole months, saying which forms are', () => {
    for (const deadline of [{ date: '2026-12-15' }, { lastWeekOf: '2026-12' }, { after: 'school-list', days: 5 }] as DeadlineSpec[]) {
      expectProblem(
        validateTemplateSemantics(withContinuousWork({ deadline })),
        `${SUPPORT_STEP}/deadline`,
        /repeat: monthly.*months: \{ from: '2020-09', to: '2021-05' \} или month: '2020-09'/,
      );
    }
  });

  it('refuses `after` counted from a monthly or quarterly step, which has one deadline per period', () => {
    const problems = validateTemplateSemantics(
      withContinuousWork({ repeat: 'quarterly', deadline: { months: { from: '2026-10', to: '2027-05' } } }, (t) =>
        t.stages[5].steps.push({ id: 'summary', title: 'Итоги', kind: 'task', actor: 'ministry', deadline: { after: 'measures', days: 10 } }),
      ),
    );
    expectProblem(problems, '/stages/5/steps/1/deadline/after', /от шага «measures»: он повторяется ежеквартально \(repeat: quarterly\)/);
  });

  it('accepts monthly and quarterly in the schema, and nothing else', () => {
    const template = withContinuousWork({ deadline: { months: { from: '2026-10', to: '2027-05' } } });
    expect(parseTemplate(JSON.stringify(template), 'json').problems).toEqual([]);
    template.stages[5].steps[0].repeat = 'weekly' as never;
    expectProblem(validateAgainstSchema(template), `${SUPPORT_STEP}/repeat`, /недопустимое значение «weekly»; допустимы: yearly, monthly, quarterly/);
  });
});
