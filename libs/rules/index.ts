export { applyRule, applyRules, markFailure } from './apply';
export { BUILTIN_PARSERS } from './builtins';
export { loadRules, RulesError, rulesFromText } from './load';
export { compileRules } from './validate';
export * from './types';
