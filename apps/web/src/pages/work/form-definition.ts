/**
 * A cycle's forms as the task page reads them. The API has no typed endpoint for a form definition: the forms are
 * part of the template document (GET /api/templates/:id?version=), which OpenAPI describes as a free-form object.
 * So the definition is read here with a runtime check of every field instead of a cast: anything the page cannot
 * render is reported rather than guessed. The shape mirrors `FormDefinition` in libs/contracts/cycle-template.ts
 * (which the web app cannot import: it pulls in Temporal's typings).
 */

export type FieldType = 'text' | 'number' | 'integer' | 'percent' | 'date' | 'boolean' | 'choice' | 'table' | 'group';

export interface FieldDef {
  id: string;
  title: string;
  type: FieldType;
  required: boolean;
  options: string[];
  min?: number;
  max?: number;
  unit?: string;
  columns: FieldDef[];
  fields: FieldDef[];
}

export interface FormDef {
  id: string;
  title: string;
  fields: FieldDef[];
}

const FIELD_TYPES: readonly string[] = ['text', 'number', 'integer', 'percent', 'date', 'boolean', 'choice', 'table', 'group'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function parseField(raw: unknown, path: string): FieldDef {
  if (!isRecord(raw)) throw new Error(`${path}: ожидается описание поля`);
  const { id, title, type } = raw;
  if (typeof id !== 'string' || !id) throw new Error(`${path}: у поля нет идентификатора`);
  if (typeof type !== 'string' || !FIELD_TYPES.includes(type)) throw new Error(`${path}: неизвестный тип поля «${String(type)}»`);
  const list = (key: 'columns' | 'fields') =>
    Array.isArray(raw[key]) ? (raw[key] as unknown[]).map((f, i) => parseField(f, `${path}/${key}/${i}`)) : [];
  return {
    id,
    title: typeof title === 'string' && title ? title : id,
    type: type as FieldType,
    required: raw.required === true,
    options: Array.isArray(raw.options) ? raw.options.filter((o): o is string => typeof o === 'string') : [],
    min: num(raw.min),
    max: num(raw.max),
    unit: typeof raw.unit === 'string' && raw.unit ? raw.unit : undefined,
    columns: list('columns'),
    fields: list('fields'),
  };
}

/** The template's form `formId`, checked field by field; throws a Russian message when it is missing or malformed. */
export function formFromTemplate(document: Record<string, unknown>, formId: string): FormDef {
  const forms = document.forms;
  const raw = isRecord(forms) ? forms[formId] : undefined;
  if (!isRecord(raw)) throw new Error(`В шаблоне цикла нет формы «${formId}»`);
  const fields = Array.isArray(raw.fields) ? raw.fields.map((f, i) => parseField(f, `/forms/${formId}/fields/${i}`)) : [];
  return { id: formId, title: typeof raw.title === 'string' ? raw.title : formId, fields };
}

/** What a step of the template asks: its form and, for a reviewed step, how many returns for revision it allows. */
export interface StepSpec {
  formId?: string;
  maxRounds?: number;
}

/**
 * A step of the template by the cycle's step key: the key is the template step's id, with `@<year or period>` for
 * repeated or periodic steps.
 */
export function stepFromTemplate(document: Record<string, unknown>, stepKey: string): StepSpec | undefined {
  const stepId = stepKey.split('@')[0];
  const stages = Array.isArray(document.stages) ? document.stages : [];
  for (const stage of stages) {
    const steps = isRecord(stage) && Array.isArray(stage.steps) ? stage.steps : [];
    for (const step of steps) {
      if (!isRecord(step) || step.id !== stepId) continue;
      const submission = isRecord(step.submission) ? step.submission : undefined;
      const bestPractice = isRecord(step.bestPractice) ? step.bestPractice : undefined;
      const monitoring = isRecord(step.monitoring) ? step.monitoring : undefined;
      const review = isRecord(bestPractice?.review) ? bestPractice.review : isRecord(step.review) ? step.review : undefined;
      const formId = [submission?.form, bestPractice?.form, monitoring?.form].find((f): f is string => typeof f === 'string');
      return { formId, maxRounds: num(review?.maxRounds) };
    }
  }
  return undefined;
}
