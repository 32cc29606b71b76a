/**
 * The checks a JSON Schema cannot express: references between parts of the template, dependency loops, real
 * calendar dates, and the order of deadlines along the stages. Pure and sandbox-safe.
 *
 * Every problem is reported (not just the first), with a JSON-pointer path into the document and a Russian
 * message, because the official who wrote the template reads them.
 */
import {
  ACTOR_ROLES,
  type ActorRole,
  type CycleTemplate,
  type DeadlineSpec,
  type FormDefinition,
  type FormField,
  type OffsetSpec,
  type ReviewSpec,
  type TemplateProblem,
  type TemplateStep,
} from '../../contracts/cycle-template';
import { countOf, NOUNS } from '../russian';
import type { NotificationPolicy } from '../../contracts/deadline-task';
import { isValidTimeZone, validatePolicy } from '../deadline';
import { isAfterSpec, isSetLaterSpec, isValidDeadlineTime, isValidIsoDate, isValidIsoMonth } from './dates';
import {
  afterRepeatedProblem,
  afterSetLaterProblem,
  computePeriods,
  computeStepTimes,
  isRepeatedWithinYear,
  locateSteps,
  programmeFirstYear,
  repeatWindowProblem,
  TimelineError,
  type StepInstanceTimes,
} from './timeline';
import { isRepeatWindowSpec } from './dates';

export const REVIEWER_ROLES: readonly ActorRole[] = ['ministry', 'institute', 'municipality'];
export const NUMERIC_FIELD_TYPES: readonly string[] = ['number', 'integer', 'percent'];

const ROLE_NAMES: Record<ActorRole, string> = {
  ministry: 'министерство',
  institute: 'институт развития образования',
  municipality: 'муниципальный орган управления образованием',
  school: 'школа',
  partner_school: 'школа-партнёр',
};

/** The block each step kind needs, and the kinds each block belongs to. */
const BLOCK_OF_KIND: Partial<Record<TemplateStep['kind'], 'submission' | 'monitoring' | 'partnership' | 'bestPractice'>> = {
  submission: 'submission',
  monitoring: 'monitoring',
  partnership: 'partnership',
  best_practice: 'bestPractice',
};
const BLOCKS = ['submission', 'monitoring', 'partnership', 'bestPractice'] as const;

/** Kinds whose work can go on through a period with a report per month or quarter (repeat: monthly | quarterly). */
const KINDS_REPEATED_WITHIN_YEAR: readonly TemplateStep['kind'][] = ['task', 'submission'];
const WHY_NOT_REPEATED_WITHIN_YEAR: Partial<Record<TemplateStep['kind'], string>> = {
  identification: 'идентификация выполняется один раз за цикл и не повторяется',
  partnership: 'пары школ и соглашения составляются один раз за цикл',
  monitoring: 'у мониторинга своя периодичность: задайте её в monitoring.cadence (quarterly, semiannual или список периодов)',
  best_practice: 'лучшие практики отбираются один раз, по итогам мониторинга',
};

/** Stages whose steps work with the participant schools, which exist only after identification. */
const KINDS_NEEDING_PARTICIPANTS: readonly TemplateStep['kind'][] = ['partnership', 'monitoring', 'best_practice'];

class Problems {
  readonly list: TemplateProblem[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

export function validateTemplateSemantics(template: CycleTemplate): TemplateProblem[] {
  const problems = new Problems();
  // Date comparisons along the stages make sense only when every date and reference is sound.
  let timelineComputable = true;

  if (typeof template.timeZone === 'string' && !isValidTimeZone(template.timeZone)) {
    problems.add('/timeZone', `неизвестный часовой пояс «${template.timeZone}»; укажите зону IANA, например Europe/Moscow`);
    timelineComputable = false;
  }
  // The schema says the same; this guards documents checked without it (and the dates below need the year).
  const { firstAcademicYear, firstCalendarYear } = template.programme ?? {};
  if ((firstAcademicYear === undefined) === (firstCalendarYear === undefined)) {
    problems.add(
      '/programme',
      firstAcademicYear === undefined
        ? 'укажите год, на который написаны даты: firstAcademicYear (учебный год, 2020 — это 2020/2021) или firstCalendarYear (календарный год)'
        : 'укажите только одно из полей: firstAcademicYear (учебный год) или firstCalendarYear (календарный год)',
    );
    timelineComputable = false;
  }

  const actIds = checkLegalActs(template, problems);
  const forms = template.forms ?? {};
  for (const [formId, form] of Object.entries(forms)) checkForm(form, `/forms/${escapePointer(formId)}`, problems);
  if (template.notificationPolicy) checkPolicy(template.notificationPolicy, '/notificationPolicy', problems);

  const stages = template.stages ?? [];
  const stageIndex = new Map<string, number>();
  stages.forEach((stage, i) => {
    if (stageIndex.has(stage.id)) {
      problems.add(`/stages/${i}/id`, `этап «${stage.id}» уже описан (этап № ${stageIndex.get(stage.id)! + 1}); идентификаторы этапов должны быть уникальны`);
    } else {
      stageIndex.set(stage.id, i);
    }
  });
  stages.forEach((stage, i) =>
    (stage.dependsOn ?? []).forEach((dep, j) => {
      if (dep === stage.id) problems.add(`/stages/${i}/dependsOn/${j}`, `этап «${stage.id}» не может зависеть сам от себя`);
      else if (!stageIndex.has(dep)) problems.add(`/stages/${i}/dependsOn/${j}`, `этап «${dep}» не найден среди этапов шаблона`);
    }),
  );
  if (reportDependencyCycles(template, stageIndex, problems)) timelineComputable = false;

  const stepSeen = new Map<string, string>();
  const repeatedWithinYear = new Map<string, TemplateStep>();
  const setLater = new Map<string, TemplateStep>();
  const monitoringForms: string[] = [];
  const identificationSteps: { path: string; stageIndex: number }[] = [];
  stages.forEach((stage, i) =>
    (stage.steps ?? []).forEach((step, j) => {
      const path = `/stages/${i}/steps/${j}`;
      if (stepSeen.has(step.id)) {
        problems.add(`${path}/id`, `шаг «${step.id}» уже описан (${stepSeen.get(step.id)}); идентификаторы шагов должны быть уникальны во всём шаблоне`);
      } else {
        stepSeen.set(step.id, path);
      }
      if (isRepeatedWithinYear(step.repeat) && !repeatedWithinYear.has(step.id)) repeatedWithinYear.set(step.id, step);
      if (isSetLaterSpec(step.deadline) && !setLater.has(step.id)) setLater.set(step.id, step);
      if (step.kind === 'identification') identificationSteps.push({ path, stageIndex: i });
      if (step.kind === 'monitoring' && step.monitoring?.form) monitoringForms.push(step.monitoring.form);
    }),
  );

  stages.forEach((stage, i) =>
    (stage.steps ?? []).forEach((step, j) => {
      const path = `/stages/${i}/steps/${j}`;
      if (!checkStep(step, path, { actIds, forms, stepIds: stepSeen, repeatedWithinYear, setLater, monitoringForms }, problems)) timelineComputable = false;
    }),
  );

  if (identificationSteps.length === 0) {
    problems.add('/stages', 'в шаблоне нет шага идентификации (kind: identification): без утверждённого списка школ цикл не может начаться');
  } else {
    identificationSteps.slice(1).forEach(({ path }) =>
      problems.add(`${path}/kind`, `шаг идентификации в шаблоне должен быть ровно один; первый описан в ${identificationSteps[0].path}`),
    );
  }
  if (identificationSteps.length >= 1) checkParticipantStagesFollowIdentification(template, identificationSteps[0].stageIndex, problems);

  if (timelineComputable) checkTimeline(template, stageIndex, problems);
  return problems.list;
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function checkLegalActs(template: CycleTemplate, problems: Problems): Set<string> {
  const ids = new Set<string>();
  (template.legalActs ?? []).forEach((act, i) => {
    if (ids.has(act.id)) problems.add(`/legalActs/${i}/id`, `правовой акт «${act.id}» уже описан; идентификаторы актов должны быть уникальны`);
    ids.add(act.id);
    if (act.date !== undefined && !isValidIsoDate(act.date)) problems.add(`/legalActs/${i}/date`, `несуществующая дата «${act.date}»`);
  });
  return ids;
}

function checkForm(form: FormDefinition, path: string, problems: Problems): void {
  checkFields(form.fields ?? [], `${path}/fields`, problems);
}

function checkFields(fields: FormField[], path: string, problems: Problems): void {
  const seen = new Set<string>();
  fields.forEach((field, i) => {
    const fieldPath = `${path}/${i}`;
    if (seen.has(field.id)) problems.add(`${fieldPath}/id`, `поле «${field.id}» уже есть на этом уровне формы; идентификаторы полей должны быть уникальны`);
    seen.add(field.id);
    if (field.type === 'table') {
      if (!field.columns?.length) problems.add(fieldPath, `таблица «${field.id}» должна иметь хотя бы один столбец (columns)`);
      else checkFields(field.columns, `${fieldPath}/columns`, problems);
    }
    if (field.type === 'group') {
      if (!field.fields?.length) problems.add(fieldPath, `группа «${field.id}» должна содержать поля (fields)`);
      else checkFields(field.fields, `${fieldPath}/fields`, problems);
    }
    if (field.type === 'choice' && !field.options?.length) problems.add(fieldPath, `поле выбора «${field.id}» должно перечислять варианты (options)`);
    if (field.min !== undefined && field.max !== undefined && field.min > field.max) {
      problems.add(`${fieldPath}/min`, `минимум (${field.min}) больше максимума (${field.max})`);
    }
  });
}

/** validatePolicy speaks in 'policy.reminders[0].daysBefore: …'; the template speaks in JSON pointers. */
function checkPolicy(policy: NotificationPolicy, basePath: string, problems: Problems): void {
  for (const text of validatePolicy(policy)) {
    const match = /^policy((?:\.[A-Za-z]+|\[\d+\])*): (.*)$/s.exec(text);
    if (!match) {
      problems.add(basePath, text);
      continue;
    }
    const pointer = match[1].replace(/\[(\d+)\]/g, '/$1').replace(/\./g, '/');
    problems.add(`${basePath}${pointer}`, match[2]);
  }
}

function reportDependencyCycles(template: CycleTemplate, stageIndex: Map<string, number>, problems: Problems): boolean {
  const stages = template.stages ?? [];
  const state = new Map<string, 'visiting' | 'done'>();
  const reported = new Set<string>();
  let found = false;
  const visit = (id: string, chain: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...chain.slice(chain.indexOf(id)), id];
      const signature = [...new Set(cycle)].sort().join(',');
      if (!reported.has(signature)) {
        reported.add(signature);
        found = true;
        problems.add(`/stages/${stageIndex.get(id)}/dependsOn`, `этапы зависят друг от друга по кругу: ${cycle.join(' → ')}`);
      }
      return;
    }
    state.set(id, 'visiting');
    const stage = stages[stageIndex.get(id)!];
    for (const dep of stage.dependsOn ?? []) if (dep !== id && stageIndex.has(dep)) visit(dep, [...chain, id]);
    state.set(id, 'done');
  };
  for (const id of stageIndex.keys()) visit(id, []);
  return found;
}

interface StepContext {
  actIds: Set<string>;
  forms: Record<string, FormDefinition>;
  stepIds: Map<string, string>;
  /** Steps repeated monthly or quarterly: a deadline cannot count `after` them (they have one per period). */
  repeatedWithinYear: Map<string, TemplateStep>;
  setLater: Map<string, TemplateStep>;
  monitoringForms: string[];
}

/** Returns false when the step's dates cannot be computed (so the timeline checks are skipped). */
function checkStep(step: TemplateStep, path: string, context: StepContext, problems: Problems): boolean {
  let datesSound = true;
  if (!ACTOR_ROLES.includes(step.actor)) {
    problems.add(`${path}/actor`, `неизвестная роль «${String(step.actor)}»; допустимы: ${ACTOR_ROLES.join(', ')}`);
  }

  const needed = BLOCK_OF_KIND[step.kind];
  if (needed && step[needed] === undefined) {
    problems.add(path, `шаг вида ${step.kind} должен содержать блок ${needed}`);
  }
  for (const block of BLOCKS) {
    if (block !== needed && step[block] !== undefined) problems.add(`${path}/${block}`, `блок ${block} не используется в шаге вида ${step.kind}`);
  }
  if (step.review && step.kind !== 'submission') {
    problems.add(`${path}/review`, `рассмотрение (review) задаётся только для шага вида submission`);
  }

  if (!checkDeadlineSpec(step.deadline, `${path}/deadline`, problems, true)) datesSound = false;
  if (step.deadline && isAfterSpec(step.deadline) && !context.stepIds.has(step.deadline.after)) {
    problems.add(`${path}/deadline/after`, `срок отсчитывается от шага «${step.deadline.after}», которого нет в шаблоне`);
    datesSound = false;
  }
  if (step.deadline && isAfterSpec(step.deadline) && context.repeatedWithinYear.has(step.deadline.after)) {
    problems.add(`${path}/deadline/after`, afterRepeatedProblem(context.repeatedWithinYear.get(step.deadline.after)!));
    datesSound = false;
  }
  if (isSetLaterSpec(step.deadline)) {
    // The ministry sets one date for a measure or a document; other kinds have their own timing (the list opens the
    // cycle, a partnership's confirmations and monitoring periods follow dates, best practices follow monitoring).
    if (step.kind !== 'task' && step.kind !== 'submission') {
      problems.add(`${path}/deadline`, `срок «по специальному графику» задаётся только для шагов вида task и submission, а не ${step.kind}`);
      datesSound = false;
    }
    if (step.repeat !== undefined) {
      problems.add(`${path}/repeat`, 'шаг со сроком «по специальному графику» не повторяется: министерство устанавливает один срок');
      datesSound = false;
    }
  }
  if (step.deadline && isAfterSpec(step.deadline) && context.setLater.has(step.deadline.after)) {
    problems.add(`${path}/deadline/after`, afterSetLaterProblem(context.setLater.get(step.deadline.after)!));
    datesSound = false;
  }
  if (isRepeatedWithinYear(step.repeat)) {
    if (!KINDS_REPEATED_WITHIN_YEAR.includes(step.kind)) {
      const why = WHY_NOT_REPEATED_WITHIN_YEAR[step.kind];
      problems.add(
        `${path}/repeat`,
        `${step.repeat === 'monthly' ? 'ежемесячное' : 'ежеквартальное'} повторение (repeat: ${step.repeat}) задаётся только для шагов вида task и submission` +
          (why ? `: ${why}` : ''),
      );
    }
    if (step.deadline && !isRepeatWindowSpec(step.deadline)) {
      problems.add(`${path}/deadline`, repeatWindowProblem(step.repeat));
      datesSound = false;
    }
  }

  if (step.kind === 'identification') {
    if (step.actor !== 'ministry') problems.add(`${path}/actor`, `список школ утверждает министерство: исполнитель шага идентификации — ministry, а не ${step.actor}`);
    if (step.repeat === 'yearly') problems.add(`${path}/repeat`, 'идентификация выполняется один раз за цикл и не повторяется ежегодно');
  }

  if (step.submission) {
    if (step.submission.form !== undefined) checkFormRef(step.submission.form, `${path}/submission/form`, context, problems);
    if (step.submission.document === 'none' && step.submission.form === undefined) {
      problems.add(`${path}/submission`, 'нечего представлять: укажите документ (document) или форму (form)');
    }
  }
  if (step.review) checkReview(step.review, step.actor, `${path}/review`, problems);

  if (step.monitoring) {
    const monitoring = step.monitoring;
    checkFormRef(monitoring.form, `${path}/monitoring/form`, context, problems);
    if (monitoring.reporter !== step.actor) {
      problems.add(`${path}/actor`, `отчитывается ${ROLE_NAMES[monitoring.reporter] ?? monitoring.reporter} (monitoring.reporter), поэтому исполнитель шага — ${monitoring.reporter}`);
    }
    const form = context.forms[monitoring.form];
    if (form && numericFieldIds(form).length === 0) {
      problems.add(`${path}/monitoring/form`, `в форме мониторинга «${monitoring.form}» нет ни одного числового показателя (number, integer, percent)`);
    }
    const cadence = monitoring.cadence;
    if (typeof cadence === 'object' && cadence !== null) {
      const periods = cadence.periods ?? [];
      if (periods.length === 0) {
        problems.add(`${path}/monitoring/cadence/periods`, 'периодичность мониторинга не содержит ни одного периода');
      }
      const ids = new Set<string>();
      periods.forEach((period, k) => {
        const periodPath = `${path}/monitoring/cadence/periods/${k}`;
        if (ids.has(period.id)) problems.add(`${periodPath}/id`, `период «${period.id}» уже описан`);
        ids.add(period.id);
        if (period.window && isAfterSpec(period.window)) {
          problems.add(`${periodPath}/window`, 'окно периода задаётся датой, месяцем, диапазоном месяцев или последней неделей месяца, не через after');
          datesSound = false;
        } else if (!checkDeadlineSpec(period.window, `${periodPath}/window`, problems, false)) {
          datesSound = false;
        }
      });
    }
  }

  if (step.partnership) {
    if (step.actor !== 'municipality') problems.add(`${path}/actor`, 'пары школ предлагает муниципальный орган: исполнитель шага partnership — municipality');
    checkOffset(step.partnership.confirmation, `${path}/partnership/confirmation`, problems);
  }

  if (step.bestPractice) {
    const bp = step.bestPractice;
    if (step.actor !== 'school') problems.add(`${path}/actor`, 'лучшие практики описывают школы: исполнитель шага best_practice — school');
    checkFormRef(bp.form, `${path}/bestPractice/form`, context, problems);
    checkReview(bp.review, step.actor, `${path}/bestPractice/review`, problems);
    if (context.monitoringForms.length === 0) {
      problems.add(`${path}/bestPractice/indicator`, 'показатель для отбора лучших практик берётся из мониторинга, но в шаблоне нет шага мониторинга');
    } else {
      const numeric = context.monitoringForms.flatMap((formId) => (context.forms[formId] ? numericFieldIds(context.forms[formId]) : []));
      if (!numeric.includes(bp.indicator)) {
        problems.add(
          `${path}/bestPractice/indicator`,
          `показатель «${bp.indicator}» не является числовым полем формы мониторинга (${context.monitoringForms.join(', ')})` +
            (numeric.length ? `; доступны: ${[...new Set(numeric)].join(', ')}` : ''),
        );
      }
    }
  }

  if (step.policy) checkPolicy(step.policy, `${path}/policy`, problems);
  if (step.legalBasis && !context.actIds.has(step.legalBasis.act)) {
    problems.add(`${path}/legalBasis/act`, `правовой акт «${step.legalBasis.act}» не описан в legalActs`);
  }
  return datesSound;
}

function checkFormRef(formId: string, path: string, context: StepContext, problems: Problems): void {
  if (!Object.prototype.hasOwnProperty.call(context.forms, formId)) {
    const known = Object.keys(context.forms);
    problems.add(path, `форма «${formId}» не описана в forms` + (known.length ? `; описаны: ${known.join(', ')}` : ''));
  }
}

function checkReview(review: ReviewSpec, actor: ActorRole, path: string, problems: Problems): void {
  if (!REVIEWER_ROLES.includes(review.by)) {
    problems.add(`${path}/by`, `роль «${String(review.by)}» не может рассматривать документы; допустимы: ${REVIEWER_ROLES.join(', ')}`);
  } else if (review.by === actor) {
    problems.add(`${path}/by`, `${ROLE_NAMES[actor]} не может рассматривать собственный документ`);
  }
  checkOffset(review.deadline, `${path}/deadline`, problems);
}

function checkOffset(offset: OffsetSpec | undefined, path: string, problems: Problems): void {
  if (offset && !(Number.isInteger(offset.days) && offset.days >= 0)) problems.add(`${path}/days`, 'целое неотрицательное число дней');
}

function numericFieldIds(form: FormDefinition): string[] {
  return (form.fields ?? []).filter((field) => NUMERIC_FIELD_TYPES.includes(field.type)).map((field) => field.id);
}

/** Returns false when the spec's dates are not real (so they cannot be compared). */
function checkDeadlineSpec(spec: DeadlineSpec | undefined, path: string, problems: Problems, allowAfter: boolean): boolean {
  if (!spec || typeof spec !== 'object') {
    problems.add(path, 'срок не указан');
    return false;
  }
  let sound = true;
  const bad = (subPath: string, message: string): void => {
    problems.add(`${path}${subPath}`, message);
    sound = false;
  };
  if (spec.time !== undefined && !isValidDeadlineTime(spec.time)) bad('/time', `время «${spec.time}» должно быть в формате ЧЧ:ММ, например 18:00`);
  if ('date' in spec) {
    if (!isValidIsoDate(spec.date)) bad('/date', `несуществующая дата «${spec.date}» (ожидается ГГГГ-ММ-ДД)`);
  } else if ('month' in spec) {
    if (!isValidIsoMonth(spec.month)) bad('/month', `несуществующий месяц «${spec.month}» (ожидается ГГГГ-ММ)`);
  } else if ('months' in spec) {
    const { from, to } = spec.months ?? ({} as { from?: string; to?: string });
    if (!isValidIsoMonth(from)) bad('/months/from', `несуществующий месяц «${String(from)}» (ожидается ГГГГ-ММ)`);
    if (!isValidIsoMonth(to)) bad('/months/to', `несуществующий месяц «${String(to)}» (ожидается ГГГГ-ММ)`);
    if (isValidIsoMonth(from) && isValidIsoMonth(to) && from > to) bad('/months', `диапазон месяцев начинается (${from}) позже, чем заканчивается (${to})`);
  } else if ('lastWeekOf' in spec) {
    if (!isValidIsoMonth(spec.lastWeekOf)) bad('/lastWeekOf', `несуществующий месяц «${spec.lastWeekOf}» (ожидается ГГГГ-ММ)`);
  } else if (isAfterSpec(spec)) {
    if (!allowAfter) return false;
    if (!(Number.isInteger(spec.days) && spec.days >= 0)) bad('/days', 'целое неотрицательное число дней');
  } else if (isSetLaterSpec(spec)) {
    if (!allowAfter) bad('', 'окно периода задаётся датой, месяцем, диапазоном месяцев или последней неделей месяца, не «по специальному графику»');
    else if (typeof spec.setLater !== 'string' || spec.setLater.trim() === '') bad('/setLater', 'укажите формулировку дорожной карты, например «по специальному графику»');
  } else {
    bad('', 'укажите срок одной из форм: date, month, months, lastWeekOf, after или setLater');
  }
  return sound;
}

function dependsTransitively(template: CycleTemplate, stageIndex: Map<string, number>, from: string, target: string): boolean {
  const seen = new Set<string>();
  const stack = [...(template.stages[stageIndex.get(from)!]?.dependsOn ?? [])];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === target) return true;
    if (seen.has(id) || !stageIndex.has(id)) continue;
    seen.add(id);
    stack.push(...(template.stages[stageIndex.get(id)!].dependsOn ?? []));
  }
  return false;
}

function checkParticipantStagesFollowIdentification(template: CycleTemplate, identificationStage: number, problems: Problems): void {
  const stageIndex = new Map<string, number>();
  template.stages.forEach((stage, i) => {
    if (!stageIndex.has(stage.id)) stageIndex.set(stage.id, i);
  });
  const identificationId = template.stages[identificationStage].id;
  template.stages.forEach((stage, i) => {
    const step = (stage.steps ?? []).find((s) => KINDS_NEEDING_PARTICIPANTS.includes(s.kind));
    if (!step) return;
    if (i === identificationStage) {
      problems.add(`/stages/${i}`, `шаг «${step.id}» (${step.kind}) работает со школами-участницами и не может быть в одном этапе с их идентификацией`);
    } else if (stageIndex.get(stage.id) === i && !dependsTransitively(template, stageIndex, stage.id, identificationId)) {
      problems.add(
        `/stages/${i}/dependsOn`,
        `этап «${stage.id}» содержит шаг «${step.id}» (${step.kind}) и должен (прямо или через другие этапы) зависеть от этапа идентификации «${identificationId}»`,
      );
    }
  });
}

/**
 * A stage can open no earlier than the latest deadline among the stages it depends on; a step due before that
 * could never be done on time. Compared on the dates as written, for the template's own first academic year.
 */
function checkTimeline(template: CycleTemplate, stageIndex: Map<string, number>, problems: Problems): void {
  const first = programmeFirstYear(template);
  let times: Map<string, StepInstanceTimes[]>;
  try {
    times = computeStepTimes(template, first);
  } catch (error) {
    if (error instanceof TimelineError) {
      problems.add(error.path, error.message);
      return;
    }
    throw error;
  }
  const located = locateSteps(template);
  const stageDeadline = new Map<string, string>();
  for (const stage of template.stages) {
    let latest = '';
    for (const step of stage.steps ?? []) for (const instance of times.get(step.id) ?? []) if (instance.setLater === undefined && instance.dueLocal > latest) latest = instance.dueLocal;
    if (stageIndex.get(stage.id) !== undefined && !stageDeadline.has(stage.id)) stageDeadline.set(stage.id, latest);
  }

  template.stages.forEach((stage, i) => {
    let start = '';
    let startStage = '';
    for (const dep of stage.dependsOn ?? []) {
      const deadline = stageDeadline.get(dep) ?? '';
      if (deadline > start) {
        start = deadline;
        startStage = dep;
      }
    }
    (stage.steps ?? []).forEach((step, j) => {
      const path = `/stages/${i}/steps/${j}`;
      if (located.get(step.id)?.path !== path) return;
      const instances = times.get(step.id) ?? [];
      const firstInstance = instances[0];
      if (start && firstInstance && firstInstance.setLater === undefined && firstInstance.dueLocal < start) {
        problems.add(
          `${path}/deadline`,
          `срок шага «${step.id}» (${humanLocal(firstInstance.dueLocal)}) раньше, чем может начаться этап «${stage.id}»: ` +
            `он ждёт этап «${startStage}», последний срок которого ${humanLocal(start)}`,
        );
      }
      if (step.kind !== 'monitoring' || !step.monitoring) return;
      instances.forEach((instance) => {
        const periods = computePeriods(template, step, path, instance.academicYear, first);
        for (const period of periods) {
          if (start && period.dueLocal < start) {
            problems.add(period.path, `период мониторинга «${period.title}» заканчивается (${humanLocal(period.dueLocal)}) раньше, чем может начаться этап «${stage.id}» (${humanLocal(start)})`);
          }
          if (period.dueLocal > instance.dueLocal) {
            problems.add(`${path}/deadline`, `срок шага мониторинга (${humanLocal(instance.dueLocal)}) раньше конца периода «${period.title}» (${humanLocal(period.dueLocal)}): срок шага — окончание всего мониторинга`);
            break;
          }
        }
        const months = new Map<string, string>();
        for (const period of periods) {
          if (months.has(period.id)) problems.add(period.path, `два периода мониторинга заканчиваются в одном месяце (${period.id}): ${months.get(period.id)} и ${period.title}`);
          months.set(period.id, period.title);
        }
      });
    });
  });
  checkBestPracticeDynamics(template, times, located, problems);
}

/**
 * Best practices are chosen, once monitoring is over, by the improvement of an indicator from one period to the
 * next: with fewer than two periods reporting it, the cycle would invite nobody.
 */
function checkBestPracticeDynamics(
  template: CycleTemplate,
  times: Map<string, StepInstanceTimes[]>,
  located: Map<string, { path: string }>,
  problems: Problems,
): void {
  const steps = template.stages.flatMap((stage) => stage.steps ?? []);
  for (const step of steps) {
    if (step.kind !== 'best_practice' || !step.bestPractice) continue;
    const path = located.get(step.id)?.path;
    if (!path) continue;
    const indicator = step.bestPractice.indicator;
    let reporting = 0;
    for (const monitoring of steps) {
      const form = monitoring.kind === 'monitoring' ? monitoring.monitoring?.form : undefined;
      if (!form || !(template.forms?.[form]?.fields ?? []).some((f) => f.id === indicator)) continue;
      const monitoringPath = located.get(monitoring.id)?.path ?? '';
      for (const instance of times.get(monitoring.id) ?? []) {
        const periods = computePeriods(template, monitoring, monitoringPath, instance.academicYear, programmeFirstYear(template));
        reporting += periods.length;
      }
    }
    if (reporting < 2) {
      problems.add(
        `${path}/bestPractice/indicator`,
        `лучшие практики отбираются по улучшению показателя «${indicator}» от периода к периоду мониторинга, а его сообщает ` +
          `${countOf(reporting, NOUNS.period)}; нужно не меньше двух — иначе приглашать будет некого`,
      );
    }
  }
}

function humanLocal(local: string): string {
  return `${local.slice(8, 10)}.${local.slice(5, 7)}.${local.slice(0, 4)} ${local.slice(11, 16)}`;
}
