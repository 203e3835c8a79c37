import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the docs show of a file must be what the file holds. */
const root = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The first fenced block of `lang` after `marker` in a Markdown file. */
function blockAfter(markdown: string, marker: string, lang: string): string {
  const at = markdown.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = markdown.indexOf('```' + lang + '\n', at) + lang.length + 4;
  return markdown.slice(start, markdown.indexOf('\n```', start));
}

describe('docs against the files they show', () => {
  it('docs/kinesis.md shows every rule of config/rules.dev.json as it is', () => {
    const shown = JSON.parse(
      blockAfter(read('docs/kinesis.md'), '`config/rules.dev.json` does the same', 'json'),
    );
    expect(shown.rules).toEqual(JSON.parse(read('config/rules.dev.json')).rules);
  });

  it('docs/deploy.md lists every param of params.yml', () => {
    const names = new Set([...read('params.yml').matchAll(/^ {2}([a-zA-Z]+):/gm)].map((m) => m[1]));
    const deploy = read('docs/deploy.md');
    expect([...names].filter((name) => !deploy.includes('`' + name + '`'))).toEqual([]);
  });
});
