import { compileMessageRules, type GroupScreen } from '../../libs/forwarding/filters-and-masks/screen';
import { Problems } from '../../libs/forwarding/rules/problems';

/** The screen of a rules file with one mask of these built-ins for every log group; no problem allowed. */
export function screenOf(builtins: unknown[]): GroupScreen {
  const problems = new Problems('test');
  const rules = compileMessageRules(
    { masks: [{ name: 'm', logGroups: ['*'], builtins }] },
    problems,
    new Set(),
  );
  expect(problems.list).toEqual([]);
  return rules!.forGroup('g')!;
}
