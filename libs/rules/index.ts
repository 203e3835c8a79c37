export { applyRule, applyRules, markFailure } from './apply';
export { BUILTIN_PARSERS } from './builtins';
export {
  loadRules,
  loadRulesFile,
  RulesError,
  rulesFileFromText,
  rulesFromText,
  type RulesFile,
} from './load';
export { compileRules } from './validate';
export * from './types';
