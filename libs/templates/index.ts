export {
  builtinRoadmapsDirectory,
  CYCLE_TEMPLATE_SCHEMA,
  findProjectRoot,
  loadBuiltinTemplates,
  parseTemplate,
  validateAgainstSchema,
  type ParsedTemplate,
  type TemplateFormat,
} from './template-loader';
