export {
  builtinRoadmapsDirectory,
  CYCLE_TEMPLATE_SCHEMA,
  findProjectRoot,
  loadBuiltinTemplates,
  parseTemplate,
  TEMPLATE_LIMITS,
  validateAgainstSchema,
  type ParsedTemplate,
  type TemplateFormat,
} from './template-loader';
