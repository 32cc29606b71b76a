/**
 * Reading a region's roadmap template: YAML or JSON text → syntax check → JSON Schema → semantic checks.
 * Node-side (ajv, yaml, fs); workflows receive only the resolved plan.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { parseDocument } from 'yaml';
import type { CycleTemplate, TemplateProblem } from '../contracts/cycle-template';
import { validateTemplateSemantics } from '../domain/cycle-template';
import { countOf, NOUNS } from '../domain/russian';
import cycleTemplateSchema from './cycle-template.schema.json';

export type TemplateFormat = 'yaml' | 'json';

export interface ParsedTemplate {
  /** Set only when there are no problems. */
  template?: CycleTemplate;
  problems: TemplateProblem[];
}

/** The published format reference (JSON Schema draft 2020-12). */
export const CYCLE_TEMPLATE_SCHEMA: Readonly<Record<string, unknown>> = cycleTemplateSchema as Record<string, unknown>;

/** Custom Russian message for a whole sub-schema whose branch errors would only confuse. */
const CUSTOM_MESSAGE_KEYWORD = 'x-error-ru';

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
ajv.addKeyword({ keyword: CUSTOM_MESSAGE_KEYWORD, schemaType: 'string' });
const validateSchema = ajv.compile<CycleTemplate>(CYCLE_TEMPLATE_SCHEMA);

export function parseTemplate(text: string, format: TemplateFormat): ParsedTemplate {
  const parsed = format === 'json' ? parseJson(text) : parseYaml(text);
  if (parsed.problems.length > 0) return { problems: parsed.problems };
  const schemaProblems = validateAgainstSchema(parsed.value);
  if (schemaProblems.length > 0) return { problems: schemaProblems };
  // Semantic checks assume the shapes the schema guarantees, so they run only on a schema-valid document.
  const template = parsed.value as CycleTemplate;
  const problems = validateTemplateSemantics(template);
  return problems.length > 0 ? { problems } : { template, problems: [] };
}

/** Schema errors only, for a document that is already an object (a JSON request body). */
export function validateAgainstSchema(value: unknown): TemplateProblem[] {
  if (validateSchema(value)) return [];
  return translateErrors(validateSchema.errors ?? []);
}

function parseYaml(text: string): { value?: unknown; problems: TemplateProblem[] } {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) => {
        const position = error.linePos?.[0];
        const where = position ? ` (строка ${position.line}, столбец ${position.col})` : '';
        const problem: TemplateProblem = { path: '', message: `синтаксическая ошибка YAML${where}: ${yamlReason(error.code, error.message)}` };
        if (position) {
          problem.line = position.line;
          problem.column = position.col;
        }
        return problem;
      }),
    };
  }
  return { value: document.toJS({ maxAliasCount: 100 }), problems: [] };
}

function yamlReason(code: string, message: string): string {
  const reasons: Record<string, string> = {
    DUPLICATE_KEY: 'ключ повторяется в одном объекте',
    BAD_INDENT: 'неверный отступ',
    MISSING_CHAR: 'не хватает символа (кавычки, скобки или двоеточия)',
    MULTILINE_IMPLICIT_KEY: 'ключ не может занимать несколько строк — возможно, пропущено двоеточие или неверный отступ',
    TAB_AS_INDENT: 'отступы делаются пробелами, не табуляцией',
    BLOCK_AS_IMPLICIT_KEY: 'вложенный блок на месте ключа — проверьте отступы',
    UNEXPECTED_TOKEN: 'неожиданный символ',
  };
  return reasons[code] ?? message.split('\n')[0];
}

function parseJson(text: string): { value?: unknown; problems: TemplateProblem[] } {
  try {
    return { value: JSON.parse(text) as unknown, problems: [] };
  } catch (error) {
    const position = jsonErrorPosition(text, (error as Error).message);
    const where = position ? ` (строка ${position.line}, столбец ${position.column})` : '';
    const problem: TemplateProblem = { path: '', message: `синтаксическая ошибка JSON${where}: ${(error as Error).message}` };
    if (position) Object.assign(problem, position);
    return { problems: [problem] };
  }
}

/**
 * V8 names the offset for some JSON errors and not others. A prefix of valid JSON fails only with «end of input»,
 * and every shorter prefix does too, so a binary search finds where the text stops being JSON.
 */
function jsonErrorPosition(text: string, message: string): { line: number; column: number } | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]), column: Number(lineColumn[2]) };
  const offset = /position (\d+)/.exec(message);
  if (offset) return lineColumnAt(text, Number(offset[1]));
  const viable = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return true;
    } catch (error) {
      const reason = (error as Error).message;
      const at = /position (\d+)/.exec(reason);
      // Truncated input fails at its very end; a real mistake fails before it.
      return /end of JSON input/.test(reason) || (at !== null && Number(at[1]) >= length);
    }
  };
  let good = 0;
  let bad = text.length;
  if (viable(bad)) return undefined;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (viable(middle)) good = middle;
    else bad = middle;
  }
  return lineColumnAt(text, bad - 1);
}

function lineColumnAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

/**
 * ajv's errors, in Russian, one per real mistake: errors inside a oneOf/anyOf that failed are replaced by the
 * branch-level message, and if/then wrappers are dropped in favour of the error they wrap.
 */
function translateErrors(errors: ErrorObject[]): TemplateProblem[] {
  const failedAlternatives = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.schemaPath);
  const problems: TemplateProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    if (failedAlternatives.some((path) => error.schemaPath !== path && error.schemaPath.startsWith(`${path}/`))) continue;
    const problem = translateError(error);
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function translateError(error: ErrorObject): TemplateProblem {
  const params = error.params as Record<string, unknown>;
  const path = error.instancePath;
  switch (error.keyword) {
    case 'required':
      return { path: `${path}/${String(params.missingProperty)}`, message: `обязательное поле «${String(params.missingProperty)}» не заполнено` };
    case 'additionalProperties':
      return {
        path: `${path}/${String(params.additionalProperty)}`,
        message: `неизвестное поле «${String(params.additionalProperty)}»${allowedKeys(error)}`,
      };
    case 'dependentRequired':
      return { path: `${path}/${String(params.missingProperty)}`, message: `вместе с полем «${String(params.property)}» нужно указать «${String(params.missingProperty)}»` };
    case 'type':
      return { path, message: `ожидается ${TYPE_NAMES[String(params.type)] ?? String(params.type)}` };
    case 'enum':
      return { path, message: `недопустимое значение «${String(error.data)}»; допустимы: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'const':
      return { path, message: `допустимо только значение «${String(params.allowedValue)}»` };
    case 'pattern':
      return { path, message: `значение «${String(error.data)}» не соответствует формату${patternHint(error)}` };
    case 'minimum':
    case 'exclusiveMinimum':
      return { path, message: `значение должно быть не меньше ${String(params.limit)}` };
    case 'maximum':
    case 'exclusiveMaximum':
      return { path, message: `значение должно быть не больше ${String(params.limit)}` };
    case 'minLength':
      return { path, message: Number(params.limit) <= 1 ? 'значение не должно быть пустым' : `не короче ${countOf(Number(params.limit), NOUNS.characterGenitive)}` };
    case 'maxLength':
      return { path, message: `не длиннее ${countOf(Number(params.limit), NOUNS.characterGenitive)}` };
    case 'minItems':
      return { path, message: `нужно не меньше ${countOf(Number(params.limit), NOUNS.elementGenitive)}` };
    case 'maxItems':
      return { path, message: `допустимо не больше ${countOf(Number(params.limit), NOUNS.elementGenitive)}` };
    case 'uniqueItems':
      return { path, message: `элементы повторяются (№ ${Number(params.j) + 1} и № ${Number(params.i) + 1})` };
    case 'propertyNames':
      return { path, message: 'недопустимый идентификатор (строчные латинские буквы, цифры, «-» и «_»)' };
    case 'oneOf':
    case 'anyOf': {
      const custom = (error.parentSchema as Record<string, unknown> | undefined)?.[CUSTOM_MESSAGE_KEYWORD];
      return { path, message: typeof custom === 'string' ? custom : 'значение не подходит ни под один из допустимых вариантов' };
    }
    default:
      return { path, message: error.message ?? 'значение не соответствует формату шаблона' };
  }
}

const TYPE_NAMES: Record<string, string> = {
  string: 'строка',
  number: 'число',
  integer: 'целое число',
  boolean: 'true или false',
  object: 'объект (набор полей)',
  array: 'список',
  null: 'пустое значение',
};

function allowedKeys(error: ErrorObject): string {
  const properties = (error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? `; допустимы: ${Object.keys(properties).join(', ')}` : '';
}

function patternHint(error: ErrorObject): string {
  const description = (error.parentSchema as { description?: string } | undefined)?.description;
  return description ? ` (${description.split(' / ')[0]})` : '';
}

/** The folder holding package.json: the same from ts sources (ts-jest, ts-node) and from the compiled dist/. */
export function findProjectRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${start}`);
  }
}

export function builtinRoadmapsDirectory(): string {
  return join(findProjectRoot(), 'libs', 'templates', 'roadmaps');
}

/**
 * The shipped roadmaps (libs/templates/roadmaps/*.yaml), `default` first. They are part of the product, so an
 * invalid one is a bug: this throws naming the file and its problems.
 */
export function loadBuiltinTemplates(): CycleTemplate[] {
  const directory = builtinRoadmapsDirectory();
  const files = readdirSync(directory)
    .filter((name) => name.endsWith('.yaml'))
    .sort((a, b) => (a === 'default.yaml' ? -1 : b === 'default.yaml' ? 1 : a.localeCompare(b)));
  return files.map((name) => {
    const { template, problems } = parseTemplate(readFileSync(join(directory, name), 'utf8'), 'yaml');
    if (!template) {
      throw new Error(`built-in template ${name} is invalid: ${problems.map((p) => `${p.path || '/'}: ${p.message}`).join('; ')}`);
    }
    return template;
  });
}
