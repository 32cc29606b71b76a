import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CycleTemplate, FormField, TemplateStep } from '../../libs/contracts/cycle-template';
import { dryRun, programmeFirstYear, resolveCyclePlan, validateTemplateSemantics } from '../../libs/domain/cycle-template';
import { builtinRoadmapsDirectory, CYCLE_TEMPLATE_SCHEMA, findProjectRoot, loadBuiltinTemplates, parseTemplate } from '../../libs/templates';

const templates = loadBuiltinTemplates();
const steps = (t: CycleTemplate): TemplateStep[] => t.stages.flatMap((s) => s.steps);
const NUMERIC = ['number', 'integer', 'percent'];

describe('shipped roadmap templates', () => {
  it('ships the default template first and one per seed roadmap', () => {
    expect(templates.map((t) => t.id)).toEqual(['default', 'seed-000-ivnya', 'seed-002-orenburg', 'seed-003-mytishchi', 'seed-004-leningrad']);
    const defaults = templates[0];
    expect(defaults).toMatchObject({ timeZone: 'Europe/Moscow', programme: { firstAcademicYear: 2026, years: 1 } });
    expect(defaults.stages.map((s) => s.id)).toEqual(['identification', 'plans', 'approval', 'partnership', 'monitoring', 'best-practices']);
  });

  it('takes the time zone from the region: Orenburg is UTC+5', () => {
    expect(templates.find((t) => t.id === 'seed-002-orenburg')!.timeZone).toBe('Asia/Yekaterinburg');
  });

  describe.each(templates.map((t) => [t.id, t] as const))('%s', (_id, template) => {
    it('passes the schema and the semantic checks', () => {
      const text = readFileSync(join(builtinRoadmapsDirectory(), `${template.id}.yaml`), 'utf8');
      expect(parseTemplate(text, 'yaml').problems).toEqual([]);
      expect(validateTemplateSemantics(template)).toEqual([]);
    });

    it('has exactly one identification step, by the ministry', () => {
      const identification = steps(template).filter((s) => s.kind === 'identification');
      expect(identification).toHaveLength(1);
      expect(identification[0].actor).toBe('ministry');
    });

    it('has a municipal plan reviewed by the ministry, with a measures table', () => {
      const plan = steps(template).find((s) => s.kind === 'submission' && s.actor === 'municipality' && s.review?.by === 'ministry');
      expect(plan).toBeDefined();
      const form = template.forms![plan!.submission!.form!];
      const measures = form.fields.find((f) => f.id === 'measures' && f.type === 'table');
      expect(measures?.columns?.map((c: FormField) => [c.id, c.type])).toEqual([
        ['measure', 'text'],
        ['deadline', 'date'],
        ['responsible', 'text'],
        ['expectedResult', 'text'],
      ]);
    });

    it('has a school submission with a required document, a partnership by municipality, and a best practice step', () => {
      expect(steps(template).some((s) => s.kind === 'submission' && s.actor === 'school' && s.submission?.document === 'required')).toBe(true);
      expect(steps(template).filter((s) => s.kind === 'partnership' && s.actor === 'municipality')).toHaveLength(1);
      expect(steps(template).some((s) => s.kind === 'best_practice')).toBe(true);
    });

    it('resolves for its own year and another, with monitoring of at least two periods and two numeric indicators', () => {
      // The production calendar ends in 2027, so the default template (2026/2027) is tried a year back.
      const first = programmeFirstYear(template);
      for (const academicYear of [first, first >= 2026 ? first - 1 : first + 1]) {
        const plan = resolveCyclePlan(template, { academicYear });
        const monitoring = plan.stages.flatMap((s) => s.steps).filter((s) => s.kind === 'monitoring');
        expect(monitoring).toHaveLength(1);
        expect(monitoring[0].periods!.length).toBeGreaterThanOrEqual(2);
        const indicators = template.forms![monitoring[0].monitoringForm!].fields.filter((f) => NUMERIC.includes(f.type));
        expect(indicators.length).toBeGreaterThanOrEqual(2);
        for (const step of plan.stages.flatMap((s) => s.steps)) {
          expect(step.dueLocal).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
          if (step.legalBasis) expect(step.legalBasis.text).toContain(step.legalBasis.act.title);
        }
      }
    });

    it('dry-runs for a small region without error', () => {
      const plan = resolveCyclePlan(template, { academicYear: programmeFirstYear(template) });
      const rows = dryRun(plan, { ministryId: 'min', municipalities: ['m1'], schools: [{ id: 's1', municipalityId: 'm1' }], pairs: [{ schoolId: 's1', partnerSchoolId: 'p1' }] }, new Date(0));
      expect(rows.length).toBeGreaterThan(plan.stages.length);
    });
  });

  it('keeps the seed-002 resource survey as a structured form of groups and tables', () => {
    const survey = templates.find((t) => t.id === 'seed-002-orenburg')!.forms!['resource-survey'];
    expect(survey.fields.map((f) => [f.id, f.type])).toEqual([
      ['staff', 'group'],
      ['contingent', 'group'],
      ['families', 'group'],
      ['facilities', 'group'],
      ['factors', 'table'],
    ]);
    const teachers = survey.fields[0].fields!.find((f) => f.id === 'teachersBySubject')!;
    expect(teachers.type).toBe('table');
    expect(teachers.columns!.map((c) => c.id)).toEqual(expect.arrayContaining(['subject', 'experience0to3', 'experienceOver45', 'categoryHighest', 'lastTraining']));
  });

  it('uses semi-annual monitoring in the last weeks of December and June for seed-003', () => {
    const template = templates.find((t) => t.id === 'seed-003-mytishchi')!;
    const plan = resolveCyclePlan(template, { academicYear: 2018 });
    const monitoring = plan.stages.flatMap((s) => s.steps).find((s) => s.kind === 'monitoring')!;
    expect(monitoring.periods!.map((p) => [p.opensAt, p.dueLocal])).toEqual([
      ['2018-12-24T00:00:00', '2018-12-31T18:00:00'],
      ['2019-06-23T00:00:00', '2019-06-30T18:00:00'],
      ['2019-12-24T00:00:00', '2019-12-31T17:00:00'], // a shortened pre-holiday Tuesday
      ['2020-06-23T00:00:00', '2020-06-30T18:00:00'],
    ]);
  });

  it('finds the roadmaps from the compiled dist/ as well as from the sources', () => {
    const root = findProjectRoot();
    expect(findProjectRoot(join(root, 'dist', 'libs', 'templates'))).toBe(root);
    expect(builtinRoadmapsDirectory()).toBe(join(root, 'libs', 'templates', 'roadmaps'));
  });

  it('explains that a year beyond the production calendar cannot be planned in working days', () => {
    expect(() => resolveCyclePlan(templates[0], { academicYear: 2027 })).toThrow(/производственный календарь известен на 2017–2027 годы/);
  });

  it('documents an example in the README that is itself a valid template', () => {
    const readme = readFileSync(join(findProjectRoot(), 'libs', 'templates', 'README.md'), 'utf8');
    const example = /## Example\s+```yaml\n([\s\S]*?)```/.exec(readme)![1];
    expect(parseTemplate(example, 'yaml').problems).toEqual([]);
  });

  it('publishes a draft 2020-12 schema', () => {
    expect(CYCLE_TEMPLATE_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});
