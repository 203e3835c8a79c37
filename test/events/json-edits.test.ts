import fc from 'fast-check';
import { escapeRegExp } from '../../libs/forwarding/filters-and-masks/prefilter';
import { replaceMatches, type TextEdits } from '../../libs/forwarding/filters-and-masks/replace';
import { compileMessageRules } from '../../libs/forwarding/filters-and-masks/screen';
import { v8Regex } from '../../libs/forwarding/filters-and-masks/v8-regex';
import { Problems } from '../../libs/forwarding/rules/problems';
import { makeCloudTrailPayload } from '../../bench/support/cloudtrail-payload';
import { gunzipSync } from 'node:zlib';

/**
 * A masked JSON message needs no parse to know it is still JSON when every replacement lies
 * inside a string (replace.ts, TextEdits): held here on random JSON texts and random edits, and
 * on the bench's CloudTrail records, whose masks (an access key id, an IPv6 address) now cost
 * no JSON.parse.
 */

// The text with every string's content removed: what an edit inside strings must keep.
const skeleton = (json: string) => json.replace(/"(?:[^"\\]|\\.)*"/g, '""');

const REPLACEMENTS = ['[MASKED]', '[CARD]', '', 'x y', '"', '\\', 'a\nb', '}'];

describe('edits that keep a JSON text JSON are known without a parse', () => {
  it('an edit marked safe leaves valid JSON with the same structure (random JSON, random edits)', () => {
    let safe = 0;
    let unsafe = 0;
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 3 }),
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 1, max: 6 }),
        fc.constantFrom(...REPLACEMENTS),
        (value, indent, at, length, replacement) => {
          const text = JSON.stringify(value, null, indent ? 1 : undefined);
          if (text.includes('\\u')) return; // off this path: the callers parse such texts
          const from = at % text.length;
          const literal = text.slice(from, from + length);
          const edits: TextEdits = { jsonSafe: true };
          const out = replaceMatches(
            v8Regex(escapeRegExp(literal)),
            text,
            () => replacement,
            undefined,
            edits,
          );
          if (out === text) return;
          if (!edits.jsonSafe) return void unsafe++;
          safe++;
          expect([text, out, skeleton(out)]).toEqual([text, out, skeleton(text)]);
          expect(() => JSON.parse(out)).not.toThrow();
        },
      ),
      { numRuns: 5000 },
    );
    // Both answers were given: the property is not vacuous.
    expect(safe).toBeGreaterThan(100);
    expect(unsafe).toBeGreaterThan(100);
  });

  it('a number, a literal or a span across quotes is not a safe edit', () => {
    const edit = (text: string, literal: string, replacement = '[X]') => {
      const edits: TextEdits = { jsonSafe: true };
      replaceMatches(v8Regex(escapeRegExp(literal)), text, () => replacement, undefined, edits);
      return edits.jsonSafe;
    };
    expect(edit('{"n":4111111111111111}', '4111111111111111')).toBe(false);
    expect(edit('{"a":true}', 'true')).toBe(false);
    expect(edit('{"a":"x","b":"y"}', 'x","b":"y')).toBe(false);
    expect(edit('{"a":"x"}', 'x', 'q"')).toBe(false);
    // Inside strings: digits and dots too (an odd number of quotes before them).
    expect(edit('{"ip":"10.0.0.1","n":1}', '10.0.0.1')).toBe(true);
    expect(edit('{"k":"AKIAIOSFODNN7EXAMPLE"}', 'AKIAIOSFODNN7EXAMPLE')).toBe(true);
    expect(edit('{"k":"a \\"10.0.0.1\\" b"}', '10.0.0.1')).toBe(true);
  });
});

describe('CloudTrail records are masked without a JSON parse', () => {
  it('masks the access key id and the IPv6 address in place, and the record stays JSON', () => {
    const problems = new Problems('test');
    const rules = compileMessageRules(
      { masks: [{ name: 'all', logGroups: ['*'], builtins: ['*'] }] },
      problems,
      new Set(),
    )!;
    const screen = rules.forGroup('g')!;
    const payload = makeCloudTrailPayload(6).awslogs.data;
    const records = (
      JSON.parse(gunzipSync(Buffer.from(payload, 'base64')).toString()) as {
        logEvents: Array<{ message: string }>;
      }
    ).logEvents.map((e) => e.message);
    const parse = jest.spyOn(JSON, 'parse');
    let masked: string[];
    try {
      masked = records.map((record) => screen.maskMessage(record));
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
    masked.forEach((out, i) => {
      expect(out).not.toBe(records[i]);
      expect(out).toContain('"accessKeyId":"[AWS_ACCESS_KEY_ID]"');
      expect(out).not.toMatch(/ASIA[A-Z0-9]{16}/);
      if (i % 3 !== 0) expect(out).toContain('"sourceIPAddress":"[IPV6]"');
      expect(skeleton(out)).toBe(skeleton(records[i]!));
    });
  });
});
