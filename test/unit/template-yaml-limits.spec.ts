import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { TemplateInvalidException } from '../../apps/api/cycles/templates.service';
import { builtinRoadmapsDirectory, parseTemplate, TEMPLATE_LIMITS } from '../../libs/templates';

const DEFAULT_YAML = readFileSync(join(builtinRoadmapsDirectory(), 'default.yaml'), 'utf8');

/** The shipped default with a form of `count` tables that all share one column list through an alias. */
function withSharedColumns(count: number): string {
  const fields = [
    '      - id: t0',
    '        title: Таблица 0',
    '        type: table',
    '        columns: &columns',
    '          - { id: measure, title: Мероприятие, type: text, required: true }',
    '          - { id: deadline, title: Срок, type: date }',
  ];
  for (let i = 1; i <= count; i++) fields.push(`      - { id: t${i}, title: Таблица ${i}, type: table, columns: *columns }`);
  return DEFAULT_YAML.replace('forms:\n', `forms:\n  many-tables:\n    title: Много таблиц\n    fields:\n${fields.join('\n')}\n`);
}

/** «Billion laughs»: `levels` anchors, each a list of ten aliases of the one before; 10^levels strings in all. */
function aliasBomb(levels: number): string {
  const names = 'abcdefghijklmnop'.split('').slice(0, levels);
  const lines = [`${names[0]}: &${names[0]} ["ха","ха","ха","ха","ха","ха","ха","ха","ха","ха"]`];
  for (let i = 1; i < names.length; i++) {
    lines.push(`${names[i]}: &${names[i]} [${Array(10).fill(`*${names[i - 1]}`).join(', ')}]`);
  }
  return lines.join('\n');
}

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = Date.now();
  const value = run();
  return { value, ms: Date.now() - started };
}

describe('YAML template limits', () => {
  it('accepts a legitimate template whose 300 tables share one column list through aliases', () => {
    const { template, problems } = parseTemplate(withSharedColumns(300), 'yaml');
    expect(problems).toEqual([]);
    const form = template!.forms!['many-tables'];
    expect(form.fields).toHaveLength(301);
    expect(form.fields[300]).toEqual(expect.objectContaining({ id: 't300', columns: form.fields[0].columns }));
  });

  it('refuses an alias bomb quickly, naming the alias whose expansion crosses the bound, its path and its line', () => {
    const { value, ms } = timed(() => parseTemplate(aliasBomb(12), 'yaml'));
    // 10¹² strings if expanded; counted on the syntax tree, it takes milliseconds (generous for a loaded machine).
    expect(ms).toBeLessThan(TEMPLATE_LIMITS.parseMs);
    expect(value.template).toBeUndefined();
    expect(value.problems).toEqual([
      {
        path: '/e/7',
        message: expect.stringMatching(/^ссылка \*d раскрывается в слишком большой фрагмент: шаблон после подстановки ссылок/),
        line: 5,
        column: 36,
      },
    ]);
  });

  it('is answered by the API as any invalid template: 422 with a Russian reason, its path and line', () => {
    const refusal = new TemplateInvalidException(parseTemplate(aliasBomb(12), 'yaml').problems);
    expect(refusal.getStatus()).toBe(422);
    const body = refusal.getResponse() as { message: string; details: string[] };
    expect(body.message).toBe('Шаблон содержит ошибки (1); цикл из него не запускается');
    expect(body.details).toEqual([expect.stringMatching(/^\/e\/7 \(строка 5, позиция 36\): ссылка \*d раскрывается/)]);
  });

  it('refuses a template whose expansion is just over the node bound, and lets one just under it through to the schema', () => {
    // An anchored list of 24 strings (25 nodes) and a list of n aliases of it: 25(n + 1) + 6 nodes in all.
    const document = (n: number) => `x: &x [${Array(24).fill('a').join(',')}]\nid: [${Array(n).fill('*x').join(',')}]`;
    const under = Math.floor((TEMPLATE_LIMITS.expandedNodes - 6) / 25) - 1;
    const underProblems = parseTemplate(document(under), 'yaml').problems;
    expect(underProblems.length).toBeGreaterThan(0);
    expect(underProblems.every((p) => !/после подстановки ссылок/.test(p.message))).toBe(true);
    expect(parseTemplate(document(under + 1), 'yaml').problems).toEqual([
      // The last alias is the one that crosses the bound.
      expect.objectContaining({ path: `/id/${under}`, message: expect.stringMatching(/^ссылка \*x раскрывается/), line: 2 }),
    ]);
  });

  it('reads thousands of aliases in linear time (yaml\'s own toJS looks each one up by a scan: quadratic)', () => {
    const aliases = (n: number) => `x: &x [a]\nid: [${Array(n).fill('*x').join(',')}]`;
    const { ms } = timed(() => parseTemplate(aliases(20_000), 'yaml'));
    expect(ms).toBeLessThan(TEMPLATE_LIMITS.parseMs);
  });

  it('refuses an alias inside the node it names, with its line', () => {
    expect(parseTemplate('id: &x\n  - a\n  - *x\n', 'yaml').problems).toEqual([
      { path: '', message: 'ссылка *x находится внутри узла &x, на который ссылается: такой шаблон бесконечен', line: 3, column: 5 },
    ]);
  });

  it('explains an alias without its anchor in Russian instead of failing', () => {
    expect(parseTemplate('id: *x\n', 'yaml').problems).toEqual([
      { path: '', message: 'ссылка *x указывает на якорь &x, которого нет выше по тексту', line: 1, column: 5 },
    ]);
  });

  it('refuses a text longer than the bound before parsing it, YAML or JSON', () => {
    const long = `# ${'я'.repeat(TEMPLATE_LIMITS.sourceChars)}\nid: x\n`;
    for (const format of ['yaml', 'json'] as const) {
      const { value, ms } = timed(() => parseTemplate(long, format));
      expect(ms).toBeLessThan(200);
      expect(value.problems).toEqual([{ path: '', message: expect.stringMatching(/^шаблон длиннее 1\s000\s000 символов/) }]);
    }
  });

  it('keeps the line and column of syntax errors and the path of schema errors', () => {
    expect(parseTemplate('id: [\n', 'yaml').problems[0]).toEqual(expect.objectContaining({ line: expect.any(Number), column: expect.any(Number) }));
    const schema = parseTemplate(DEFAULT_YAML.replace('version: 1', 'version: один'), 'yaml').problems;
    expect(schema).toContainEqual(expect.objectContaining({ path: '/version' }));
  });

  it('reads every shipped roadmap within the bounds, to the same values as yaml\'s own toJS', () => {
    for (const name of ['default', 'seed-000-ivnya', 'seed-002-orenburg', 'seed-003-mytishchi', 'seed-004-leningrad']) {
      const text = readFileSync(join(builtinRoadmapsDirectory(), `${name}.yaml`), 'utf8');
      const { value, ms } = timed(() => parseTemplate(text, 'yaml'));
      expect(value.problems).toEqual([]);
      expect(ms).toBeLessThan(TEMPLATE_LIMITS.parseMs);
      expect(value.template).toEqual(parse(text));
    }
  });

  it('keeps «__proto__» a key like any other, not the prototype of the template', () => {
    const { problems } = parseTemplate('__proto__: { polluted: true }\nid: x\n', 'yaml');
    expect(problems).toContainEqual(expect.objectContaining({ path: '/__proto__' }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
