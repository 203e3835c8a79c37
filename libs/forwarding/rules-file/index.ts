export { markFailure, PARSE_ERRORS_FIELD, PARSE_FAILURE_TAG } from '../documents/fields';
export { applyRule, applyRules } from '../rules/apply';
export { BUILTIN_PARSERS } from '../rules/builtins';
export {
  loadRules,
  loadRulesFile,
  RulesError,
  rulesFileFromText,
  rulesFromText,
  type RulesFile,
} from './load';
export { compileRules } from './validate';
export * from '../rules/types';
