import {
  compileLogGroupSelector,
  logGroupsField,
  perLogGroup,
} from '../../libs/forwarding/filters-and-masks/selector';
import { Problems } from '../../libs/forwarding/rules/problems';

describe('log group selector', () => {
  const select = compileLogGroupSelector(['/aws/lambda/api', '/ecs/*', '/aws/eks/*/access', 'app-?']);

  it.each([
    ['/aws/lambda/api', true],
    ['/aws/lambda/api-2', false],
    ['/ecs/web', true],
    ['/ecs', false],
    ['/aws/eks/prod/access', true],
    ['/aws/eks/prod/error', false],
    ['app-1', true],
    ['app-12', false],
  ])('%s -> %s', (group, selected) => {
    expect(select(group)).toBe(selected);
  });

  it('treats regular-expression characters as literal', () => {
    expect(compileLogGroupSelector(['/a.b/*'])('/aXb/x')).toBe(false);
    expect(compileLogGroupSelector(['/a.b/*'])('/a.b/x')).toBe(true);
  });

  it('names the field of a bad selector', () => {
    const problems = new Problems('filter "x"');
    expect(logGroupsField([], 'logGroups', problems)).toBeUndefined();
    expect(logGroupsField(['ok', 3], 'logGroups', problems)).toBeUndefined();
    expect(problems.list).toHaveLength(2);
    expect(problems.list[0]).toMatch(/^filter "x": logGroups: /);
    expect(logGroupsField('/ecs/*', 'logGroups', problems)?.('/ecs/a')).toBe(true);
  });

  it('resolves each group once, undefined results included, and stays bounded', () => {
    const calls: string[] = [];
    const lookup = perLogGroup((group) => (calls.push(group), group === 'a' ? undefined : group.length), 2);
    expect([lookup('a'), lookup('a'), lookup('bb'), lookup('bb')]).toEqual([undefined, undefined, 2, 2]);
    expect(calls).toEqual(['a', 'bb']);
    lookup('ccc');
    lookup('a');
    expect(calls).toEqual(['a', 'bb', 'ccc', 'a']);
  });
});
