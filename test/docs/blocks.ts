import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The shell command blocks of the project's Markdown (README.md, docs/*.md), with what the
 * document says about each: the `<!-- doc-test: <kind> <reason> -->` comment on the line
 * before the fence, and the output shown right after it (a ```json / ```text block with only
 * blank lines between).
 */
export const SHELL_LANGS = ['sh', 'bash', 'shell', 'console'];
export const MARKER_KINDS = ['aws', 'slack', 'cluster', 'skip'] as const;
export type MarkerKind = (typeof MARKER_KINDS)[number];

export interface Marker {
  kind: MarkerKind;
  reason: string;
}

export interface CommandBlock {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The commands, dedented; for `console` blocks, the `$ ` lines without their prompt. */
  script: string;
  marker?: Marker;
  /** A marker comment that names no known kind (reported as a failure, never ignored). */
  badMarker?: string;
  expected?: { lang: string; text: string; line: number };
}

interface Fence {
  line: number;
  lang: string;
  body: string[];
  end: number;
}

function fences(lines: string[]): Fence[] {
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    // CommonMark: a backtick fence's info string has no backtick (so inline ```` ```sh ```` is
    // not a fence), and only a run of at least as many backticks closes it.
    const open = /^(\s*)(`{3,})\s*([^`\s]*)[^`]*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const close = new RegExp(`^\\s*\`{${open[2]!.length},}\\s*$`);
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) body.push(lines[j]!.slice(indent));
    found.push({ line: i + 1, lang: open[3]!, body, end: j });
    i = j;
  }
  return found;
}

export function commandBlocks(file: string, markdown: string): CommandBlock[] {
  const lines = markdown.split('\n');
  const all = fences(lines);
  const blocks: CommandBlock[] = [];
  all.forEach((fence, index) => {
    if (!SHELL_LANGS.includes(fence.lang)) return;
    const block: CommandBlock = { file, line: fence.line, lang: fence.lang, script: fence.body.join('\n') };
    const before = lines
      .slice(0, fence.line - 1)
      .reverse()
      .find((l) => l.trim() !== '');
    const comment = /^\s*<!--\s*doc-test:\s*(\S+)\s*(.*?)\s*-->\s*$/.exec(before ?? '');
    if (comment) {
      const kind = comment[1] as MarkerKind;
      if (MARKER_KINDS.includes(kind)) block.marker = { kind, reason: comment[2]! };
      else block.badMarker = comment[0]!.trim();
    }
    const next = all[index + 1];
    if (
      next !== undefined &&
      ['json', 'text', 'output'].includes(next.lang) &&
      lines.slice(fence.end + 1, next.line - 1).every((l) => l.trim() === '')
    )
      block.expected = { lang: next.lang, text: next.body.join('\n'), line: next.line };
    if (fence.lang === 'console') {
      const commands = fence.body.filter((l) => l.startsWith('$ ')).map((l) => l.slice(2));
      const output = fence.body.filter((l) => !l.startsWith('$ '));
      block.script = commands.join('\n');
      if (block.expected === undefined && output.some((l) => l.trim() !== ''))
        block.expected = { lang: 'text', text: output.join('\n'), line: fence.line };
    }
    blocks.push(block);
  });
  return blocks;
}

/** README.md and docs/*.md of the project at `root`. */
function projectMarkdown(root: string): Array<{ file: string; markdown: string }> {
  const files = [
    'README.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return files.map((file) => ({ file, markdown: readFileSync(join(root, file), 'utf8') }));
}

export function projectBlocks(root: string): CommandBlock[] {
  return projectMarkdown(root).flatMap(({ file, markdown }) => commandBlocks(file, markdown));
}

/**
 * Fences that name no language (`file:line`): a command in one would never be run, so every
 * fence must say what it holds (`text` for diagrams and shown output).
 */
export function untaggedFences(root: string): string[] {
  return projectMarkdown(root).flatMap(({ file, markdown }) => untaggedIn(file, markdown));
}

export function untaggedIn(file: string, markdown: string): string[] {
  return fences(markdown.split('\n'))
    .filter((fence) => fence.lang === '')
    .map((fence) => `${file}:${fence.line}`);
}

/** The parts of a command's output that change from run to run: times, ports, durations, ids. */
export function normalise(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>')
    .replace(/\b(127\.0\.0\.1|localhost):\d+/g, '$1:<port>')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, '<duration>')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g, '<uuid>')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

/**
 * Whether a command's stdout shows what the document shows. JSON: the same values, line by line
 * (stdout's lines that are not JSON, such as a summary, are ignored). Text: the same lines, where
 * a line `…` in the document stands for any number of lines.
 */
export function outputDiffers(expected: { lang: string; text: string }, stdout: string): string | undefined {
  if (expected.lang === 'json') {
    const parse = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .flatMap((l) => {
          try {
            return [normalise(JSON.stringify(JSON.parse(l)))];
          } catch {
            return [];
          }
        });
    let shown = parse(expected.text);
    if (shown.length === 0) shown = [normalise(JSON.stringify(JSON.parse(expected.text)))];
    const printed = parse(stdout);
    return JSON.stringify(shown) === JSON.stringify(printed)
      ? undefined
      : `shows:\n${shown.join('\n')}\nprints:\n${printed.join('\n')}`;
  }
  const pattern = normalise(expected.text)
    .split('\n')
    .map((line) => (line.trim() === '…' ? '[\\s\\S]*?' : line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('\n')
    .replace(/\n\[\\s\\S\]\*\?\n/g, '(?:\\n[\\s\\S]*?)?\\n');
  return new RegExp(`^${pattern}$`).test(normalise(stdout))
    ? undefined
    : `shows:\n${expected.text}\nprints:\n${stdout.trim()}`;
}
