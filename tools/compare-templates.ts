/**
 * Compares the CloudFormation templates `sls package` wrote for each stage before and after a
 * change to resources/ or serverless.yml, so a refactoring can show it changed nothing it did
 * not mean to:
 *
 *   npx tsx tools/compare-templates.ts <before dir> <after dir>
 *
 * Each directory holds one folder per stage (`sls package --stage <s> --package <dir>/<s>`).
 * What differs on every packaging is left out: the artefacts' S3 keys (a timestamp) and the
 * code hashes with the Lambda version ids derived from them. Prints every added, removed or
 * changed resource, output and property path; exits 1 when there is any difference.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const TEMPLATE = 'cloudformation-template-update-stack.json';

/** The template without what changes on every packaging (timestamps, code hashes). */
export function normalised(template: Json): Json {
  const text = JSON.stringify(template)
    .replace(/"S3Key":"[^"]*\/([^/"]+)"/g, '"S3Key":"<artefact>/$1"')
    .replace(/"CodeSha256":"[^"]*"/g, '"CodeSha256":"<hash>"')
    .replace(/(\w+LambdaVersion)[A-Za-z0-9]{20,}/g, '$1<hash>');
  return JSON.parse(text) as Json;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Every path where the two differ, as "path: before -> after" (objects by key, arrays by index). */
export function differences(before: Json | undefined, after: Json | undefined, path = ''): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => differences(before[key], after[key], path === '' ? key : `${path}.${key}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length)
    return before.flatMap((item, i) => differences(item, after[i], `${path}[${i}]`));
  if (before === undefined) return [`+ ${path}: ${JSON.stringify(after)}`];
  if (after === undefined) return [`- ${path}: ${JSON.stringify(before)}`];
  return [`~ ${path}: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`];
}

function main(beforeDir: string, afterDir: string): number {
  const stages = readdirSync(beforeDir).filter((name) => existsSync(join(beforeDir, name, TEMPLATE)));
  let total = 0;
  for (const stage of stages.sort()) {
    const read = (dir: string) =>
      existsSync(join(dir, stage, TEMPLATE))
        ? normalised(JSON.parse(readFileSync(join(dir, stage, TEMPLATE), 'utf8')) as Json)
        : undefined;
    const found = differences(read(beforeDir), read(afterDir));
    total += found.length;
    console.log(`# ${stage}: ${found.length === 0 ? 'same' : `${found.length} differences`}`);
    for (const line of found) console.log(line.length > 400 ? `${line.slice(0, 400)}…` : line);
  }
  return total === 0 ? 0 : 1;
}

if (require.main === module) {
  const [beforeDir, afterDir] = process.argv.slice(2);
  if (beforeDir === undefined || afterDir === undefined) {
    console.error('usage: tsx tools/compare-templates.ts <before dir> <after dir>');
    process.exit(2);
  }
  process.exit(main(beforeDir, afterDir));
}
