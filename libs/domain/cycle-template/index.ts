export { compressPlan, type CompressionOptions } from './compress';
export {
  WINDOW_LEAD_DAYS,
  fixedWindow,
  isValidIsoMonth,
  lastDayOfMonth,
  shiftDateByYears,
  type DeadlineWindow,
} from './dates';
export { assertPlanWithinCalendar, dateOutsideCalendar, dryRun, TOP_SCHOOLS, type DryRunOrganizations } from './dry-run';
export { legalBasisText, resolveCyclePlan, TemplateInvalidError, toPlanDuration, type ResolveOptions } from './resolve';
export { computePeriods, computeStepTimes, TimelineError } from './timeline';
export { NUMERIC_FIELD_TYPES, REVIEWER_ROLES, validateTemplateSemantics } from './validate';
