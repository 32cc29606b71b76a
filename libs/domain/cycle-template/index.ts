export { compressPlan, type CompressionOptions } from './compress';
export {
  WINDOW_LEAD_DAYS,
  fixedWindow,
  isValidIsoMonth,
  lastDayOfMonth,
  shiftDateByYears,
  type DeadlineWindow,
} from './dates';
export {
  assertPlanWithinCalendar,
  dateOutsideCalendar,
  DATE_TO_BE_SET,
  datesToBeSet,
  dryRun,
  TOP_SCHOOLS,
  type DateToBeSet,
  type DryRunOrganizations,
} from './dry-run';
export {
  describeTimeZone,
  legalBasisText,
  resolveCyclePlan,
  TemplateInvalidError,
  timeZoneMismatch,
  toPlanDuration,
  type ResolveOptions,
  type TimeZoneMismatch,
} from './resolve';
export { computePeriods, computeStepTimes, programmeFirstYear, programmeYearKind, programmeYearRu, TimelineError } from './timeline';
export { NUMERIC_FIELD_TYPES, REVIEWER_ROLES, validateTemplateSemantics } from './validate';
