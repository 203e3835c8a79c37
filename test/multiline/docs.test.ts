import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';

/** The multiline examples of the docs compile, and docs/multiline.md shows the fixture's rules as they are. */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The first ```json block after `marker`. */
function jsonAfter(markdown: string, marker: string): string {
  const at = markdown.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = markdown.indexOf('```json\n', at) + '```json\n'.length;
  return markdown.slice(start, markdown.indexOf('\n```', start));
}

describe('multiline examples in the docs', () => {
  it("README's example is a valid rules file", () => {
    const text = jsonAfter(read('README.md'), '## Stack traces as one document');
    expect(rulesFileFromText(text, 'README.md').multiline.map((rule) => rule.name)).toEqual([
      'java-traces',
      'python-traces',
    ]);
  });

  it("docs/multiline.md shows the fixture's multiline rules", () => {
    const shown = JSON.parse(jsonAfter(read('docs/multiline.md'), '## Configuration'));
    expect(shown.multiline).toEqual(JSON.parse(read('test/fixtures/multiline/rules.json')).multiline);
    expect(rulesFileFromText(JSON.stringify(shown), 'docs/multiline.md').multiline).toHaveLength(3);
  });
});
