import {
  CONDITION_OPERATORS,
  conditionPredicate,
  globPredicate,
  type Operator,
  type Predicate,
} from './conditions';
import { compileRegex, isObject, unknownKeys, type Problems } from './problems';

/** Validation of the `match`, `include` and `exclude` conditions of a rule. */
function condition(raw: unknown, field: string, problems: Problems): Predicate | undefined {
  if (!isObject(raw))
    return void problems.add(field, 'must be an object like {"field": "logtype", "equals": "accesslog"}');
  unknownKeys(raw, ['field', ...CONDITION_OPERATORS], field, problems);
  if (typeof raw.field !== 'string' || raw.field === '')
    return void problems.add(`${field}.field`, 'must be a field path');
  const operators = CONDITION_OPERATORS.filter((op) => raw[op] !== undefined);
  if (operators.length !== 1) {
    return void problems.add(
      field,
      `needs exactly one of ${CONDITION_OPERATORS.join(', ')} (got ${operators.length})`,
    );
  }
  const operator: Operator = operators[0]!;
  const operand = raw[operator];
  const primitive = (value: unknown) =>
    value === null || ['string', 'number', 'boolean'].includes(typeof value);
  const ok =
    operator === 'equals'
      ? primitive(operand)
      : operator === 'in'
        ? Array.isArray(operand) && operand.length > 0 && operand.every(primitive)
        : operator === 'exists'
          ? typeof operand === 'boolean'
          : typeof operand === 'string';
  if (!ok)
    return void problems.add(`${field}.${operator}`, `has the wrong type (${JSON.stringify(operand)})`);
  if (operator === 'regex' && compileRegex(operand as string, `${field}.regex`, problems) === undefined)
    return undefined;
  return conditionPredicate(raw.field, operator, operand);
}

export function conditions(raw: unknown, field: string, problems: Problems): Predicate[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.add(field, 'must be a list of conditions');
    return [];
  }
  return raw
    .map((item, i) => condition(item, `${field}[${i}]`, problems))
    .filter((p): p is Predicate => p !== undefined);
}

export function match(raw: unknown, problems: Problems): Predicate {
  const never: Predicate = () => false;
  if (!isObject(raw))
    return (
      problems.add('match', 'is required: {"logGroup": ..., "logStream": ..., "fields": [...]}'),
      never
    );
  unknownKeys(raw, ['logGroup', 'logStream', 'fields'], 'match', problems);
  const tests: Predicate[] = [];
  for (const [key, path] of [
    ['logGroup', 'aws.cloudwatch.log_group'],
    ['logStream', 'aws.cloudwatch.log_stream'],
  ] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== 'string' || raw[key] === '')
      problems.add(`match.${key}`, 'must be a name or a glob such as "/aws/eks/*"');
    else tests.push(globPredicate(path, raw[key]));
  }
  tests.push(...conditions(raw.fields, 'match.fields', problems));
  if (raw.logGroup === undefined && raw.logStream === undefined && raw.fields === undefined)
    problems.add('match', 'needs at least one of logGroup, logStream, fields');
  return (source) => tests.every((test) => test(source));
}
