import type { CycleTemplate, TemplateProblem, TemplateStep } from '../../libs/contracts/cycle-template';
import { validateTemplateSemantics } from '../../libs/domain/cycle-template';
import { parseTemplate, validateAgainstSchema } from '../../libs/templates';
import { clone, minimalTemplate } from './cycle-template-support';

function problemsAfter(change: (t: CycleTemplate) => void): TemplateProblem[] {
  const template = clone(minimalTemplate());
  change(template);
  return validateTemplateSemantics(template);
}

function step(t: CycleTemplate, stageId: string, index = 0): TemplateStep {
  return t.stages.find((s) => s.id === stageId)!.steps[index];
}

function expectProblem(problems: TemplateProblem[], path: string, message: RegExp): void {
  expect(problems).toEqual(expect.arrayContaining([expect.objectContaining({ path, message: expect.stringMatching(message) })]));
}

describe('validateTemplateSemantics', () => {
  it('accepts the minimal template as it is', () => {
    expect(validateTemplateSemantics(minimalTemplate())).toEqual([]);
  });

  it('reports duplicate stage, step, field and act ids at the second occurrence', () => {
    const problems = problemsAfter((t) => {
      t.stages[1].id = 'identification';
      t.stages[2].steps[0].id = 'municipal-plan';
      t.forms!.indicators.fields[1].id = 'qualityShare';
      t.forms!.plan.fields[0].columns![1].id = 'measure';
      t.legalActs!.push({ id: 'order', title: 'Ещё один приказ' });
    });
    expectProblem(problems, '/stages/1/id', /этап «identification» уже описан/);
    expectProblem(problems, '/stages/2/steps/0/id', /шаг «municipal-plan» уже описан \(\/stages\/1\/steps\/0\)/);
    expectProblem(problems, '/forms/indicators/fields/1/id', /поле «qualityShare» уже есть/);
    expectProblem(problems, '/forms/plan/fields/0/columns/1/id', /поле «measure» уже есть/);
    expectProblem(problems, '/legalActs/1/id', /правовой акт «order» уже описан/);
  });

  it('reports a stage that depends on itself, on an unknown stage, and names a dependency cycle', () => {
    expectProblem(problemsAfter((t) => (t.stages[1].dependsOn = ['plans'])), '/stages/1/dependsOn/0', /не может зависеть сам от себя/);
    expectProblem(problemsAfter((t) => (t.stages[1].dependsOn = ['nowhere'])), '/stages/1/dependsOn/0', /этап «nowhere» не найден/);
    const cycle = problemsAfter((t) => (t.stages[1].dependsOn = ['identification', 'monitoring']));
    const cycleProblems = cycle.filter((p) => /по кругу/.test(p.message));
    expect(cycleProblems).toHaveLength(1);
    expect(cycleProblems[0].message).toMatch(/plans → monitoring → partnership → plans|monitoring → partnership → plans → monitoring|partnership → plans → monitoring → partnership/);
  });

  it('reports unknown roles and a reviewer role that cannot review', () => {
    expectProblem(
      problemsAfter((t) => (step(t, 'plans').actor = 'governor' as never)),
      '/stages/1/steps/0/actor',
      /неизвестная роль «governor»/,
    );
    expectProblem(
      problemsAfter((t) => (step(t, 'plans').review!.by = 'school' as never)),
      '/stages/1/steps/0/review/by',
      /роль «school» не может рассматривать/,
    );
    expectProblem(
      problemsAfter((t) => (step(t, 'best-practices').bestPractice!.review.by = 'partner_school' as never)),
      '/stages/4/steps/0/bestPractice/review/by',
      /не может рассматривать/,
    );
  });

  it('reports a step due before its stage can start, naming the stage it waits for', () => {
    const problems = problemsAfter((t) => (step(t, 'partnership').deadline = { date: '2026-10-20' }));
    expectProblem(problems, '/stages/2/steps/0/deadline', /раньше, чем может начаться этап «partnership».*этап «plans».*23\.10\.2026 18:00/);
  });

  it('reports `after` on an unknown step and a loop of `after`', () => {
    expectProblem(
      problemsAfter((t) => (step(t, 'plans').deadline = { after: 'ghost', days: 3 })),
      '/stages/1/steps/0/deadline/after',
      /шага «ghost», которого нет/,
    );
    const loop = problemsAfter((t) => {
      step(t, 'plans').deadline = { after: 'pairs', days: 3 };
      step(t, 'partnership').deadline = { after: 'municipal-plan', days: 3 };
    });
    expect(loop.some((p) => /образуют цикл: (municipal-plan → pairs → municipal-plan|pairs → municipal-plan → pairs)/.test(p.message))).toBe(true);
  });

  it('reports a monitoring cadence with no periods and periods ending in the same month', () => {
    expectProblem(
      problemsAfter((t) => (step(t, 'monitoring').monitoring!.cadence = { periods: [] })),
      '/stages/3/steps/0/monitoring/cadence/periods',
      /ни одного периода/,
    );
    const sameMonth = problemsAfter(
      (t) =>
        (step(t, 'monitoring').monitoring!.cadence = {
          periods: [
            { id: 'a', title: 'Первый', window: { date: '2027-03-10' } },
            { id: 'b', title: 'Второй', window: { lastWeekOf: '2027-03' } },
          ],
        }),
    );
    expectProblem(sameMonth, '/stages/3/steps/0/monitoring/cadence/periods/1', /в одном месяце \(2027-03\)/);
  });

  it('reports form ids missing from forms and a best-practice indicator that is not a numeric monitoring field', () => {
    expectProblem(problemsAfter((t) => (step(t, 'plans').submission!.form = 'nope')), '/stages/1/steps/0/submission/form', /форма «nope» не описана/);
    expectProblem(problemsAfter((t) => (step(t, 'monitoring').monitoring!.form = 'nope')), '/stages/3/steps/0/monitoring/form', /форма «nope» не описана/);
    expectProblem(
      problemsAfter((t) => (step(t, 'best-practices').bestPractice!.indicator = 'comment')),
      '/stages/4/steps/0/bestPractice/indicator',
      /«comment» не является числовым полем.*доступны: qualityShare, failingShare/,
    );
  });

  it('reports a notification policy that validatePolicy refuses, at the rule’s path', () => {
    const problems = problemsAfter((t) => {
      step(t, 'plans').policy = { reminders: [{ daysBefore: 3, secondsBefore: 10 }], escalations: [{ workingDaysAfter: 99, notify: 'supervisor' }] };
      t.notificationPolicy = { reminders: [{ daysBefore: 1, atLocalTime: '25:00' }], escalations: [] };
    });
    expectProblem(problems, '/stages/1/steps/0/policy/reminders/0', /ровно одно из полей daysBefore или secondsBefore/);
    expectProblem(problems, '/stages/1/steps/0/policy/escalations/0/workingDaysAfter', /от 0 до 60/);
    expectProblem(problems, '/notificationPolicy/reminders/0/atLocalTime', /ЧЧ:ММ/);
  });

  it('reports a legal basis act missing from legalActs', () => {
    expectProblem(problemsAfter((t) => (step(t, 'identification').legalBasis = { act: 'decree' })), '/stages/0/steps/0/legalBasis/act', /«decree» не описан/);
  });

  it('reports impossible dates and a months range that ends before it starts', () => {
    expectProblem(problemsAfter((t) => (step(t, 'plans').deadline = { date: '2026-02-30' })), '/stages/1/steps/0/deadline/date', /несуществующая дата «2026-02-30»/);
    expectProblem(problemsAfter((t) => (t.legalActs![0].date = '2026-02-29')), '/legalActs/0/date', /несуществующая дата/);
    expectProblem(
      problemsAfter((t) => (step(t, 'plans').deadline = { months: { from: '2026-11', to: '2026-09' } })),
      '/stages/1/steps/0/deadline/months',
      /начинается \(2026-11\) позже, чем заканчивается \(2026-09\)/,
    );
  });

  it('reports a kind without its block, and a block on the wrong kind', () => {
    const cases: [string, (t: CycleTemplate) => void, string, RegExp][] = [
      ['monitoring', (t) => delete step(t, 'monitoring').monitoring, '/stages/3/steps/0', /monitoring должен содержать блок monitoring/],
      ['partnership', (t) => delete step(t, 'partnership').partnership, '/stages/2/steps/0', /partnership должен содержать блок partnership/],
      ['best_practice', (t) => delete step(t, 'best-practices').bestPractice, '/stages/4/steps/0', /best_practice должен содержать блок bestPractice/],
      ['submission', (t) => delete step(t, 'plans').submission, '/stages/1/steps/0', /submission должен содержать блок submission/],
    ];
    for (const [, change, path, message] of cases) expectProblem(problemsAfter(change), path, message);
    expectProblem(
      problemsAfter((t) => (step(t, 'identification').submission = { document: 'required' })),
      '/stages/0/steps/0/submission',
      /не используется в шаге вида identification/,
    );
  });

  it('requires exactly one identification step, by the ministry', () => {
    expectProblem(
      problemsAfter((t) => (step(t, 'identification').kind = 'task')),
      '/stages',
      /нет шага идентификации/,
    );
    expectProblem(
      problemsAfter((t) => t.stages[0].steps.push({ id: 'again', title: 'Ещё раз', kind: 'identification', actor: 'ministry', deadline: { date: '2026-09-20' } })),
      '/stages/0/steps/1/kind',
      /ровно один/,
    );
    expectProblem(problemsAfter((t) => (step(t, 'identification').actor = 'institute')), '/stages/0/steps/0/actor', /исполнитель шага идентификации — ministry/);
  });

  it('requires stages with partnership, monitoring or best practice to depend on identification', () => {
    const problems = problemsAfter((t) => (t.stages[2].dependsOn = []));
    expectProblem(problems, '/stages/2/dependsOn', /этап «partnership».*зависеть от этапа идентификации «identification»/);
    const sameStage = problemsAfter((t) => t.stages[0].steps.push(step(t, 'partnership')));
    expectProblem(sameStage, '/stages/0', /не может быть в одном этапе с их идентификацией/);
  });

  it('reports every problem at once, not just the first', () => {
    const problems = problemsAfter((t) => {
      step(t, 'plans').deadline = { date: '2026-02-30' };
      step(t, 'best-practices').bestPractice!.indicator = 'missing';
      t.legalActs![0].date = '2026-13-01';
    });
    expect(problems.length).toBeGreaterThanOrEqual(3);
  });
});

describe('parseTemplate', () => {
  it('reports a YAML syntax error with its line and column', () => {
    const text = ['id: broken', 'version: 1', 'stages:', '  - id: a', '    steps: [1, 2', '  - id: b'].join('\n');
    const { template, problems } = parseTemplate(text, 'yaml');
    expect(template).toBeUndefined();
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].line).toBe(6);
    expect(problems[0].message).toMatch(/синтаксическая ошибка YAML \(строка 6, столбец \d+\)/);
  });

  it('reports a duplicate YAML key as a syntax error', () => {
    const { problems } = parseTemplate('id: a\nversion: 1\nid: b\n', 'yaml');
    expect(problems[0]).toMatchObject({ line: 3, message: expect.stringMatching(/ключ повторяется/) });
  });

  it('reports a JSON syntax error with its line', () => {
    const { problems } = parseTemplate('{\n  "id": "a",\n  "version": ,\n}', 'json');
    expect(problems).toHaveLength(1);
    expect(problems[0].line).toBe(3);
    expect(problems[0].message).toMatch(/синтаксическая ошибка JSON \(строка 3/);
  });

  it('reports schema errors with JSON-pointer paths and Russian messages, one per mistake', () => {
    const broken = clone(minimalTemplate()) as unknown as Record<string, unknown> & CycleTemplate;
    broken.stages[1].steps[0].actor = 'governor' as never;
    (broken.stages[1].steps[0] as unknown as Record<string, unknown>).colour = 'red';
    broken.stages[0].steps[0].deadline = { date: '2026-09-25', month: '2026-09' } as never;
    delete (broken as Partial<CycleTemplate>).timeZone;
    const problems = validateAgainstSchema(broken);
    expectProblem(problems, '/stages/1/steps/0/actor', /недопустимое значение «governor»; допустимы: ministry, institute/);
    expectProblem(problems, '/stages/1/steps/0/colour', /неизвестное поле «colour»/);
    expectProblem(problems, '/stages/0/steps/0/deadline', /ровно в одной форме/);
    expectProblem(problems, '/timeZone', /обязательное поле «timeZone»/);
    expect(problems.filter((p) => p.path === '/stages/0/steps/0/deadline')).toHaveLength(1);
  });

  it('accepts the production calendar option for decree days, with its two values only', () => {
    for (const decreeNonWorkingDays of ['non-working', 'working'] as const) {
      expect(validateAgainstSchema({ ...minimalTemplate(), productionCalendar: { decreeNonWorkingDays } })).toEqual([]);
    }
    expect(validateAgainstSchema({ ...minimalTemplate(), productionCalendar: {} })).toEqual([]);
    const wrong = validateAgainstSchema({ ...minimalTemplate(), productionCalendar: { decreeNonWorkingDays: 'weekend' as never } });
    expectProblem(wrong, '/productionCalendar/decreeNonWorkingDays', /недопустимое значение «weekend»; допустимы: non-working, working/);
  });

  it('runs the semantic checks after the schema and returns the template only when clean', () => {
    const valid = parseTemplate(JSON.stringify(minimalTemplate()), 'json');
    expect(valid.problems).toEqual([]);
    expect(valid.template?.id).toBe('test-region');
    const invalid = clone(minimalTemplate());
    invalid.stages[1].steps[0].deadline = { date: '2026-02-30' };
    const result = parseTemplate(JSON.stringify(invalid), 'json');
    expect(result.template).toBeUndefined();
    expectProblem(result.problems, '/stages/1/steps/0/deadline/date', /несуществующая дата/);
  });
});
