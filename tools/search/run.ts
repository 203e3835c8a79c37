import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Env } from '../../libs/runtime/env';
import { createAuthorizer, type DestinationDeps } from '../../libs/forwarding/destinations';
import { HttpClient } from '../../libs/forwarding/destinations/http';
import { applySearchSetup, type SetupReport } from './apply';
import { ilmPolicy, indexPattern, indexTemplate, ismPolicy, type SearchSettings } from './artifacts';
import { ApiClient } from './cluster';
import {
  dashboardsUrl,
  destinationOf,
  parseCliArgs,
  resolveTarget,
  USAGE,
  type StagePrinter,
} from './config';
import type { Engine } from './engine';
import { savedObjectsNdjson } from './saved-objects';

export interface RunDeps extends DestinationDeps {
  env: Env;
  printStage: StagePrinter;
  print: (text: string) => void;
}

/** The artifacts as files, for both engines: to review, or to import by hand in the UI. */
async function writeArtifacts(dir: string, settings: SearchSettings, print: (text: string) => void) {
  const variants: Array<[string, Engine]> = [
    ['elasticsearch', { kind: 'elasticsearch', version: 'any', flatJson: true }],
    ['opensearch', { kind: 'opensearch', version: '2.7+', flatJson: true }],
  ];
  for (const [name, engine] of variants) {
    await mkdir(join(dir, name), { recursive: true });
    const policy = engine.kind === 'elasticsearch' ? ilmPolicy(settings) : ismPolicy(settings);
    const files: Record<string, string> = {
      'index-template.json': JSON.stringify(indexTemplate(settings, engine), null, 2) + '\n',
      [engine.kind === 'elasticsearch' ? 'ilm-policy.json' : 'ism-policy.json']:
        JSON.stringify(policy, null, 2) + '\n',
      'saved-objects.ndjson': savedObjectsNdjson(settings, engine.kind),
    };
    for (const [file, text] of Object.entries(files)) {
      await writeFile(join(dir, name, file), text);
      print(`wrote ${join(dir, name, file)}`);
    }
  }
}

function describe(report: SetupReport, dryRun: boolean): string {
  const lines = [`${report.engine.kind} ${report.engine.version}`];
  for (const step of report.steps) {
    const outcome =
      dryRun && step.outcome !== 'unchanged' && step.outcome !== 'skipped'
        ? `would be ${step.outcome}`
        : step.outcome;
    lines.push(`  ${step.step}: ${outcome}${step.detail ? ` (${step.detail})` : ''}`);
  }
  if (dryRun) {
    for (const write of report.writes) {
      const body = typeof write.body === 'string' ? write.body : JSON.stringify(write.body, null, 2);
      lines.push(`\n${write.method} ${write.url}\n${body}`);
    }
  }
  return lines.join('\n');
}

/** `npm run search:setup`: resolves the target, applies (or prints) everything; returns the exit code. */
export async function runSearchSetup(argv: string[], deps: RunDeps): Promise<number> {
  const options = parseCliArgs(argv);
  if (options.help) {
    deps.print(USAGE);
    return 0;
  }
  const target = await resolveTarget(options, deps.env, deps.printStage);
  if (options.out !== undefined) {
    await writeArtifacts(options.out, target.settings, deps.print);
    return 0;
  }
  const destination = destinationOf(target);
  const dashboards = dashboardsUrl(options);
  const http = new HttpClient(2);
  try {
    const auth = createAuthorizer(destination, deps);
    const timeoutMs = destination.requestTimeoutMs;
    const cluster = new ApiClient(destination.url, http, auth, timeoutMs);
    deps.print(
      `${options.dryRun ? 'dry run: ' : ''}${target.source}, ${destination.url.host} (auth ${destination.auth.kind}), ` +
        `${target.settings.dataStream ? 'data streams' : 'indices'} ${indexPattern(target.settings)}, ` +
        (target.settings.withoutRetention
          ? 'no retention policy'
          : `retention ${target.settings.retentionDays} days`),
    );
    const report = await applySearchSetup(cluster, {
      settings: target.settings,
      dryRun: options.dryRun,
      // Kibana / Dashboards accept the same credentials (Amazon OpenSearch: the same SigV4 service, es).
      dashboards: dashboards && new ApiClient(dashboards, http, auth, timeoutMs),
    });
    deps.print(describe(report, options.dryRun));
    return 0;
  } finally {
    http.close();
  }
}
