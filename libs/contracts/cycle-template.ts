/**
 * Roadmap templates: the declarative document a region writes (YAML or JSON) and the resolved plan the cycle
 * workflow runs. Sandbox-safe: plain types only.
 *
 * Dates in a template are written as the roadmap writes them ('2020-09-15', 'сентябрь 2020' → '2020-09'). They are
 * anchored to `programme.firstAcademicYear` (or `firstCalendarYear`); launching the template for a later year shifts
 * every date by the same number of years, so a region's roadmap is reusable year after year.
 */
import type { DecreeNonWorkingDaysMode } from '../domain/calendar/ru-production-calendar.data';
import type { DeadlineCalendar, NotificationPolicy, TaskAction } from './deadline-task';

/** Who acts in a step. Each role maps to organisations of the region's directory. */
export type ActorRole = 'ministry' | 'institute' | 'municipality' | 'school' | 'partner_school';
export const ACTOR_ROLES: readonly ActorRole[] = ['ministry', 'institute', 'municipality', 'school', 'partner_school'];

/** Roles that may review a submission. */
export type ReviewerRole = 'ministry' | 'institute' | 'municipality';

/**
 * - task: the actor reports completion (a comment, optionally a document);
 * - identification: the ministry approves the list of participant schools computed from imported results;
 * - submission: the actor submits a document and/or a structured form, optionally reviewed in rounds;
 * - partnership: the municipality proposes pairs, and each agreement is confirmed by the participant school,
 *   the partner school and the municipality, with the signed document stored;
 * - monitoring: at each period of the cadence the reporter reports its indicators;
 * - best_practice: schools with the largest and steadiest improvement describe their practice; the ministry
 *   reviews it and publishes it to the bank.
 */
export type StepKind = 'task' | 'identification' | 'submission' | 'partnership' | 'monitoring' | 'best_practice';
export const STEP_KINDS: readonly StepKind[] = ['task', 'identification', 'submission', 'partnership', 'monitoring', 'best_practice'];

/** 'YYYY-MM-DD' */
export type IsoDate = string;
/** 'YYYY-MM' */
export type IsoMonth = string;

/**
 * A deadline as roadmaps write it. Exactly one form:
 * - { date: '2020-09-15' }                      «до 15 сентября 2020»
 * - { month: '2020-09' }                        «сентябрь 2020»: opens on the 1st, due on the last day
 * - { months: { from: '2020-07', to: '2020-09' } }  «июль–сентябрь»
 * - { lastWeekOf: '2019-06' }                   «последняя неделя июня»: opens 7 days before the month's end
 * - { after: 'step-id', days: 10, calendar?: 'working' | 'calendar' }  an offset from another step's deadline
 * - { setLater: 'по специальному графику' }      a date not known when the roadmap is approved: the ministry sets it
 *                                               while the cycle runs, with its basis («срок будет установлен» until then)
 * `time` (HH:mm) is the local time of the deadline; without it, the end of that working day: 18:00, or 17:00 on a
 * pre-holiday shortened day.
 */
export type DeadlineSpec =
  | { date: IsoDate; time?: string }
  | { month: IsoMonth; time?: string }
  | { months: { from: IsoMonth; to: IsoMonth }; time?: string }
  | { lastWeekOf: IsoMonth; time?: string }
  | { after: string; days: number; calendar?: 'working' | 'calendar'; time?: string }
  | { setLater: string; time?: never };

/** A normative act a deadline rests on («приказ министерства от 12.08.2020 № 1234»). */
export interface LegalAct {
  id: string;
  title: string;
  number?: string;
  /** 'YYYY-MM-DD' */
  date?: IsoDate;
}

export interface LegalBasisRef {
  act: string;
  clause?: string;
}

export type FieldType = 'text' | 'number' | 'integer' | 'percent' | 'date' | 'boolean' | 'choice' | 'table' | 'group';

/** One field of a structured form. `table` has `columns` (rows are submitted as a list); `group` nests `fields`. */
export interface FormField {
  id: string;
  title: string;
  type: FieldType;
  required?: boolean;
  options?: string[];
  min?: number;
  max?: number;
  unit?: string;
  columns?: FormField[];
  fields?: FormField[];
  /** For monitoring indicators: whether a larger value is an improvement (default true). */
  higherIsBetter?: boolean;
}

export interface FormDefinition {
  title: string;
  fields: FormField[];
}

export interface SubmissionSpec {
  document: 'required' | 'optional' | 'none';
  /** Id of a form in the template's `forms`. */
  form?: string;
}

/** A duration after an event (a submission, a proposal). */
export interface OffsetSpec {
  days: number;
  calendar?: 'working' | 'calendar';
}

export interface ReviewSpec {
  by: ReviewerRole;
  /** How many times the reviewer may return the submission for revision; after that only approve or reject. */
  maxRounds: number;
  /** The reviewer's deadline, counted from each submission. */
  deadline: OffsetSpec;
}

export type CadencePreset = 'quarterly' | 'semiannual';

export interface MonitoringPeriodSpec {
  id: string;
  title: string;
  window: DeadlineSpec;
}

export interface MonitoringSpec {
  reporter: 'school' | 'municipality';
  /** Quarterly by default. A preset repeats every programme year; `periods` lists them explicitly. */
  cadence?: CadencePreset | { periods: MonitoringPeriodSpec[] };
  /** The indicators' form. */
  form: string;
}

export interface PartnershipSpec {
  /** How many participant schools one partner school may support at once. */
  maxPartnersPerSchool: number;
  /** Each agreement must be confirmed by its three parties within this time after the proposal. */
  confirmation: OffsetSpec;
}

export interface BestPracticeSpec {
  /** The monitoring form's field whose dynamics select the schools. */
  indicator: string;
  /** At most this many schools are invited. */
  top: number;
  /** The practice description form. */
  form: string;
  review: ReviewSpec;
}

export type StepRepeat = 'yearly' | 'monthly' | 'quarterly';
export const STEP_REPEATS: readonly StepRepeat[] = ['yearly', 'monthly', 'quarterly'];

export interface TemplateStep {
  id: string;
  title: string;
  description?: string;
  kind: StepKind;
  actor: ActorRole;
  deadline: DeadlineSpec;
  /**
   * - 'yearly' — «июнь ежегодно»: one instance per programme year;
   * - 'monthly' / 'quarterly' — «в течение года, ежемесячно»: continuous work with a report per calendar month or
   *   calendar quarter; the deadline (`month` or `months`) is the whole window, and each period is an instance
   *   opening at the period's start and due on its last working day (task and submission steps only).
   */
  repeat?: StepRepeat;
  submission?: SubmissionSpec;
  review?: ReviewSpec;
  monitoring?: MonitoringSpec;
  partnership?: PartnershipSpec;
  bestPractice?: BestPracticeSpec;
  policy?: NotificationPolicy;
  legalBasis?: LegalBasisRef;
  /** The roadmap's own wording of who is responsible, kept for the record. */
  responsible?: string;
  expectedResult?: string;
}

export interface TemplateStage {
  id: string;
  title: string;
  dependsOn?: string[];
  steps: TemplateStep[];
}

/** Whether a programme year runs September–August («2020/2021 учебный год») or January–December («2021 год»). */
export type ProgrammeYearKind = 'academic' | 'calendar';

export interface CycleTemplate {
  id: string;
  version: number;
  title: string;
  /** Where the roadmap comes from (a document, an order). */
  source?: string;
  timeZone: string;
  /** Exactly one of `firstAcademicYear` and `firstCalendarYear` (programmeYearKind / programmeFirstYear read it). */
  programme: {
    /** The academic year (its starting calendar year) the template's dates are written for. */
    firstAcademicYear?: number;
    /**
     * Instead of `firstAcademicYear`, for a roadmap that runs within calendar years («февраль – декабрь 2021»): the
     * year its dates are written for. The cycle's year is then a calendar year («на 2021 год»), and monitoring presets
     * follow calendar quarters and half-years.
     */
    firstCalendarYear?: number;
    /** How many programme years (academic or calendar) it spans (monitoring presets and yearly steps repeat per year). */
    years: number;
  };
  legalActs?: LegalAct[];
  notificationPolicy?: NotificationPolicy;
  /** How the production calendar counts for this roadmap. */
  productionCalendar?: {
    /**
     * The 2020–2021 «нерабочие дни по указу Президента»: 'non-working' (default) moves deadlines off them and skips
     * them when counting working days; 'working' counts them as the working days the Government's calendar has.
     */
    decreeNonWorkingDays?: DecreeNonWorkingDaysMode;
  };
  forms?: Record<string, FormDefinition>;
  stages: TemplateStage[];
}

/** One validation problem, with a JSON-pointer-like path into the document ('/stages/2/steps/0/deadline'). */
export interface TemplateProblem {
  path: string;
  message: string;
  /** 1-based position in the source text, for syntax errors. */
  line?: number;
  column?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// The resolved plan: what the cycle workflow runs. Computed once at launch from one template version.
// ---------------------------------------------------------------------------------------------------------------

/**
 * A duration as the workflow applies it: working or calendar days in real time, seconds in a compressed test
 * calendar.
 */
export type PlanDuration = { workingDays: number } | { calendarDays: number } | { seconds: number };

export interface ResolvedLegalBasis {
  act: LegalAct;
  clause?: string;
  /** Human-readable: «Приказ … от 12.08.2020 № 1234, п. 2.1». */
  text: string;
}

export interface ResolvedPeriod {
  id: string;
  title: string;
  /** Local 'YYYY-MM-DDTHH:mm:ss': the report task is issued then. */
  opensAt: string;
  /** Local 'YYYY-MM-DDTHH:mm:ss', before the non-working-day shift (resolveDeadline applies it). */
  dueLocal: string;
}

export interface ResolvedReview {
  by: ReviewerRole;
  maxRounds: number;
  deadline: PlanDuration;
}

export interface ResolvedStep {
  /** Unique in the plan: the step id, or 'step-id@2019' for a yearly step's instance. */
  key: string;
  stepId: string;
  stageId: string;
  title: string;
  description?: string;
  kind: StepKind;
  actor: ActorRole;
  /** Local 'YYYY-MM-DDTHH:mm:ss' before which the task is not issued; absent = as soon as the stage opens. */
  opensAt?: string;
  /**
   * Local 'YYYY-MM-DDTHH:mm:ss', before the non-working-day shift. For a step whose date is set later, the latest
   * date it may be set to (the roadmap's last deadline).
   */
  dueLocal: string;
  /**
   * The roadmap's words for a date not known at approval («по специальному графику»): the ministry sets the date
   * while the cycle runs, with its basis, and the step's tasks are issued then. Until then: «срок будет установлен».
   */
  deadlineSetLater?: string;
  submission?: SubmissionSpec;
  review?: ResolvedReview;
  /** Monitoring only. */
  reporter?: 'school' | 'municipality';
  periods?: ResolvedPeriod[];
  monitoringForm?: string;
  /** Partnership only. */
  maxPartnersPerSchool?: number;
  confirmation?: PlanDuration;
  /** Best practice only. */
  bestPractice?: { indicator: string; top: number; form: string; review: ResolvedReview };
  policy: NotificationPolicy;
  legalBasis?: ResolvedLegalBasis;
  responsible?: string;
  expectedResult?: string;
}

export interface ResolvedStage {
  id: string;
  title: string;
  dependsOn: string[];
  steps: ResolvedStep[];
}

export interface ResolvedCyclePlan {
  templateId: string;
  templateVersion: number;
  title: string;
  timeZone: string;
  /** The year the cycle runs for: the academic year by its first calendar year, or the calendar year (`yearKind`). */
  academicYear: number;
  /** 'calendar' for a template written with `programme.firstCalendarYear`; absent = an academic year. */
  yearKind?: ProgrammeYearKind;
  /** 'working-days' for real cycles; 'calendar-days' for a compressed test calendar. */
  calendar: DeadlineCalendar;
  /** The template's choice, or 'non-working'; absent in plans resolved before the choice existed (= 'non-working'). */
  decreeNonWorkingDays?: DecreeNonWorkingDaysMode;
  /** Present when the plan was compressed for tests: every real day lasts this many seconds. */
  compression?: { secondsPerDay: number; origin: string };
  forms: Record<string, FormDefinition>;
  stages: ResolvedStage[];
}

/** A row of the dry run: one task for one organisation, with every reminder and escalation it would send. */
export interface DryRunTask {
  stageId: string;
  stepKey: string;
  title: string;
  organizationId: string;
  /** Whose heads the «supervisor» escalation reaches: a school's municipality, the ministry for everyone else. */
  supervisorOrganizationId: string;
  periodId?: string;
  /** A confirmation's party: '1-school', '1-partner', '1-municipality' for the first pair. */
  party?: string;
  opensAt?: string;
  /** Local 'YYYY-MM-DDTHH:mm:ss' after the non-working-day shift. */
  dueLocal: string;
  dueAt: string;
  movedFromNonWorkingDay: boolean;
  /** Set when the task would be issued too late for its planned deadline: the roadmap's date, before the move. */
  plannedDueLocal?: string;
  /** Why the deadline differs from the roadmap's, in Russian (see lateIssueNote). */
  lateIssueNote?: string;
  reminders: string[];
  /** `organizationId`: whose heads receive it. */
  escalations: { at: string; notify: string; organizationId: string }[];
  legalBasis?: string;
  /** What the task asks for (submit, review, propose_pairs, confirm_agreement, report, …). */
  action?: TaskAction;
  /** The organisation the work is about when it differs from the assignee (the municipality whose plan is reviewed). */
  subjectOrganizationId?: string;
}
