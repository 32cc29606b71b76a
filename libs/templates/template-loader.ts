/**
 * Reading a region's roadmap template: YAML or JSON text → syntax check → JSON Schema → semantic checks.
 * Node-side (ajv, yaml, fs); workflows receive only the resolved plan.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import { isAlias, isCollection, isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Alias, type Document, type Node as YamlNode } from 'yaml';
import type { CycleTemplate, TemplateProblem } from '../contracts/cycle-template';
import { validateTemplateSemantics } from '../domain/cycle-template';
import { countOf, formatRussianNumber, NOUNS } from '../domain/russian';
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
  if (text.length > TEMPLATE_LIMITS.sourceChars) {
    const limit = formatRussianNumber(TEMPLATE_LIMITS.sourceChars);
    return { problems: [{ path: '', message: `шаблон длиннее ${limit} символов: разделите его или сократите описания` }] };
  }
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

/**
 * Bounds on a template before it is expanded. YAML's aliases let a short text stand for a huge document (each `*a`
 * repeats the anchored node, and anchors can nest: ten levels of ten aliases are 10¹⁰ nodes), which the schema
 * check, the semantic checks and the stored JSON would each walk in full. So the document's size after expansion is
 * counted on the syntax tree before anything expands it, each anchored node's size computed once (linear in the
 * text), and a template over a bound is refused with the alias that crosses it. The bounds are far above any real
 * roadmap (the largest shipped one, seed-002-orenburg, is 35 KB and about 2,000 nodes), and say nothing of how many
 * aliases a template uses: a template may name its common reminder rules once and refer to them from every step.
 */
export const TEMPLATE_LIMITS = {
  /** Characters of YAML or JSON text (the API's request body is smaller still). */
  sourceChars: 1_000_000,
  /** Nodes (objects, lists, keys and values) after every alias is replaced by what it stands for. */
  expandedNodes: 100_000,
  /** Characters of all keys and values after expansion. */
  expandedChars: 2_000_000,
  /**
   * Parsing and counting, in milliseconds of wall time: a backstop, since the bounds above already bound the work.
   * Shipped roadmaps take well under half a second even on a loaded two-core machine.
   */
  parseMs: 5_000,
} as const;

function parseYaml(text: string): { value?: unknown; problems: TemplateProblem[] } {
  const started = Date.now();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
  const tooSlow = (): TemplateProblem => ({ path: '', message: `разбор шаблона занял больше ${TEMPLATE_LIMITS.parseMs / 1000} с: упростите шаблон` });
  if (Date.now() - started > TEMPLATE_LIMITS.parseMs) return { problems: [tooSlow()] };
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
  const at = (node: { range?: [number, number, number] | null } | null | undefined): { line?: number; column?: number } => {
    const offset = node?.range?.[0];
    if (offset === undefined) return {};
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // Each alias stands for the last node anchored with its name before it, in document order (YAML 1.2, §3.2.2.2).
  const sourceOf = new Map<Alias, YamlNode>();
  const latest = new Map<string, YamlNode>();
  const unresolved: TemplateProblem[] = [];
  visit(document, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const source = latest.get(node.source);
        if (source) sourceOf.set(node, source);
        else unresolved.push({ path: '', message: `ссылка *${node.source} указывает на якорь &${node.source}, которого нет выше по тексту`, ...at(node) });
      } else if (node.anchor) {
        latest.set(node.anchor, node);
      }
    },
  });
  if (unresolved.length > 0) return { problems: unresolved };
  const expansion = checkExpansion(document, sourceOf, at, started + TEMPLATE_LIMITS.parseMs);
  if (expansion === 'timeout') return { problems: [tooSlow()] };
  if (expansion) return { problems: [expansion] };
  return toPlainValue(document, sourceOf, at);
}

type LocateNode = (node: { range?: [number, number, number] | null } | null | undefined) => { line?: number; column?: number };

/**
 * The document as plain JSON-like values, an alias sharing its anchor's value (as yaml's toJS does). Not yaml's
 * toJS: it looks up each alias's anchor by scanning every anchor and alias before it, so a text of many aliases
 * takes quadratic time (20,000 aliases, 60 KB of text: seconds); here each alias is found in a map built in one pass.
 * Keys are set as own properties, so a key «__proto__» is data, not the object's prototype.
 */
function toPlainValue(document: Document, sourceOf: Map<Alias, YamlNode>, at: LocateNode): { value?: unknown; problems: TemplateProblem[] } {
  const values = new Map<unknown, unknown>();
  const problems: TemplateProblem[] = [];
  const plain = (node: unknown): unknown => {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return plain(sourceOf.get(node));
    if (values.has(node)) return values.get(node);
    if (isScalar(node)) return node.value ?? null;
    if (isMap(node)) {
      const object: Record<string, unknown> = {};
      values.set(node, object);
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value ?? '') : null;
        if (key === null) {
          problems.push({ path: '', message: 'ключ должен быть строкой, а не списком или объектом', ...at(pair.key as YamlNode) });
          continue;
        }
        Object.defineProperty(object, key, { value: plain(pair.value), enumerable: true, writable: true, configurable: true });
      }
      return object;
    }
    if (isCollection(node)) {
      const list: unknown[] = [];
      values.set(node, list);
      for (const item of node.items) list.push(plain(item));
      return list;
    }
    return null;
  };
  const value = plain(document.contents);
  return problems.length > 0 ? { problems } : { value, problems: [] };
}

class ExpansionTimeout extends Error {}

/** The template's size after alias expansion, or the problem (with the alias's path and line) when over a bound. */
function checkExpansion(
  document: Document,
  sourceOf: Map<Alias, YamlNode>,
  at: LocateNode,
  deadline: number,
): TemplateProblem | 'timeout' | undefined {

  type Size = ExpandedSize;
  const sizes = new Map<unknown, Size | 'counting'>();
  let steps = 0;
  // Capped, so that a bomb's size stays a finite number: anything over the bound is simply «too large».
  const cap = (value: number, limit: number): number => Math.min(value, limit + 1);
  const sizeOf = (node: unknown): Size => {
    if (++steps % 1024 === 0 && Date.now() > deadline) throw new ExpansionTimeout();
    const known = sizes.get(node);
    if (known && known !== 'counting') return known;
    let size: Size;
    if (isAlias(node)) {
      const source = sourceOf.get(node);
      // The alias sits inside the node it names: its expansion never ends.
      if (source && sizes.get(source) === 'counting') throw new AliasCycle(node);
      size = source ? sizeOf(source) : { nodes: 1, chars: 0 };
    } else if (isScalar(node)) {
      size = { nodes: 1, chars: String(node.value ?? '').length };
    } else if (isPair(node) || isCollection(node)) {
      sizes.set(node, 'counting');
      const children = isPair(node) ? [node.key, node.value] : (node.items as unknown[]);
      size = { nodes: 1, chars: 0 };
      for (const child of children) {
        if (child === null || child === undefined) continue;
        const inner = sizeOf(child);
        size = {
          nodes: cap(size.nodes + inner.nodes, TEMPLATE_LIMITS.expandedNodes),
          chars: cap(size.chars + inner.chars, TEMPLATE_LIMITS.expandedChars),
        };
      }
    } else {
      size = { nodes: 1, chars: 0 };
    }
    sizes.set(node, size);
    return size;
  };
  const over = (size: Size): boolean => size.nodes > TEMPLATE_LIMITS.expandedNodes || size.chars > TEMPLATE_LIMITS.expandedChars;

  try {
    if (!over(sizeOf(document.contents))) return undefined;
    return locateExcess(document, sizeOf, over, at);
  } catch (error) {
    if (error instanceof ExpansionTimeout) return 'timeout';
    if (error instanceof AliasCycle) {
      const name = error.alias.source;
      return {
        path: '',
        message: `ссылка *${name} находится внутри узла &${name}, на который ссылается: такой шаблон бесконечен`,
        ...at(error.alias),
      };
    }
    throw error;
  }
}

interface ExpandedSize {
  nodes: number;
  chars: number;
}

/** Over a bound: walks down to the alias (or value) whose expansion crosses it, for its path and line. */
function locateExcess(
  document: Document,
  sizeOf: (node: unknown) => ExpandedSize,
  over: (size: ExpandedSize) => boolean,
  at: LocateNode,
): TemplateProblem {
  let total: ExpandedSize = { nodes: 0, chars: 0 };
  let node: unknown = document.contents;
  const path: string[] = [];
  for (;;) {
    if (isAlias(node) || isScalar(node) || !(isPair(node) || isCollection(node))) break;
    total = { nodes: total.nodes + 1, chars: total.chars };
    const children: { child: unknown; segment?: string }[] = isPair(node)
      ? [{ child: node.key }, { child: node.value, segment: isScalar(node.key) ? String(node.key.value) : undefined }]
      : (node.items as unknown[]).map((child, index) => ({ child, segment: isPair(child) ? undefined : String(index) }));
    let crossing: { child: unknown; segment?: string } | undefined;
    for (const entry of children) {
      if (entry.child === null || entry.child === undefined) continue;
      const size = sizeOf(entry.child);
      const next = { nodes: total.nodes + size.nodes, chars: total.chars + size.chars };
      if (over(next)) {
        crossing = entry;
        break;
      }
      total = next;
    }
    if (!crossing) break;
    if (crossing.segment !== undefined) path.push(crossing.segment.replace(/~/g, '~0').replace(/\//g, '~1'));
    node = crossing.child;
  }
  const nodesLimit = formatRussianNumber(TEMPLATE_LIMITS.expandedNodes);
  const charsLimit = formatRussianNumber(TEMPLATE_LIMITS.expandedChars);
  const bound = `больше ${nodesLimit} элементов или ${charsLimit} символов`;
  const where = isAlias(node) ? `ссылка *${node.source} раскрывается в слишком большой фрагмент: ` : '';
  return {
    path: path.length > 0 ? `/${path.join('/')}` : '',
    message:
      `${where}шаблон после подстановки ссылок (*имя) на якоря (&имя) занимает ${bound}; ` +
      'ссылайтесь на общие фрагменты реже или без вложенных ссылок',
    ...at(node as { range?: [number, number, number] }),
  };
}

class AliasCycle extends Error {
  constructor(readonly alias: Alias) {
    super('alias cycle');
  }
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
