import { compileMessageRules } from '../../libs/forwarding/filters-and-masks/screen';
import { parseJsonObjectMessage } from '../../libs/forwarding/documents/json-message';
import { Problems } from '../../libs/forwarding/rules/problems';

// Shapes a second blind corpus found changed or unparsed; each beside a near miss that must stay masked.
const all = compileMessageRules(
  { masks: [{ name: 'm', logGroups: ['*'], builtins: ['*'] }] },
  new Problems('test'),
  new Set(),
)!.forGroup('g')!;

describe('ordinary lines a second blind corpus found changed', () => {
  it.each([
    'Newtonsoft.Json, Version=13.0.0.0, Culture=neutral, PublicKeyToken=30ad4fe6b2a6aeed',
    '{"assembly":{"Name":"mscorlib","PublicKeyToken":"b77a5c561934e089"}}',
    'node version 10.0.19.1 installed',
    'client v10.0.0.1 connected',
  ])('leaves %s', (line) => {
    expect(all.maskMessage(line) ?? line).toBe(line);
  });

  it.each([
    ['connected to 10.0.0.1 (version check ok)', 'connected to [IPV4] (version check ok)'],
    ['host=10.0.0.1 v2', 'host=[IPV4] v2'],
    ['{"token":"30ad4fe6b2a6aeed"}', '{"token":"[MASKED]"}'],
  ])('still masks %s', (line, expected) => {
    expect(all.maskMessage(line)).toBe(expected);
  });
});

describe('a JSON message after a byte order mark', () => {
  it('is parsed for its fields, as after white space', () => {
    expect(parseJsonObjectMessage('\uFEFF{"level":"warn","n":1}')).toEqual({ level: 'warn', n: 1 });
    expect(parseJsonObjectMessage('\uFEFF  {"n":1}')).toEqual({ n: 1 });
    expect(parseJsonObjectMessage('\uFEFFnot json')).toBeUndefined();
  });
});
