import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rulesFileFromText } from '../../libs/forwarding/rules-file';

const read = (path: string) => readFileSync(join(__dirname, '..', '..', path), 'utf8');

/** The first ```json block after `marker`. */
function jsonAfter(markdown: string, marker: string): string {
  const at = markdown.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const start = markdown.indexOf('```json\n', at) + 8;
  return markdown.slice(start, markdown.indexOf('\n```', start));
}

describe('the filters and masks the docs show are valid rules files', () => {
  it.each([
    ['README.md', '## Filters and masking'],
    ['docs/filters-and-masking.md', '# Filters and masking'],
  ])('%s', (file, marker) => {
    const compiled = rulesFileFromText(jsonAfter(read(file), marker), file);
    expect(compiled.messages?.filters.length).toBeGreaterThan(0);
    expect(compiled.messages?.masks.length).toBeGreaterThan(0);
  });
});
