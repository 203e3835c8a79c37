import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * What can be checked of a command that cannot run here (it needs AWS, Slack or a configured
 * cluster): that the program's command and every option exist. `npx sls …` against osls's own
 * command schema, `aws <service> <operation> --flags` against the API models of botocore (in the
 * tests' Python venv, installed with moto), `npm run <script>` against package.json, `npx tsx
 * <file>` against the file. Other programs (curl, jq, for loops) are not checked.
 */
type OptionSchema = Record<string, { shortcut?: string }>;
type CommandSchema = { options?: OptionSchema };

const AWS_GLOBAL_FLAGS = [
  'query',
  'output',
  'region',
  'profile',
  'endpoint-url',
  'no-cli-pager',
  'debug',
  'no-paginate',
  'max-items',
  'starting-token',
  'page-size',
  'cli-input-json',
];
/** `aws s3`'s own commands (not API operations: those are `aws s3api`). */
const AWS_S3_COMMANDS: Record<string, string[]> = {
  ls: ['recursive', 'human-readable', 'summarize'],
  cp: ['recursive', 'exclude', 'include', 'content-type'],
  mv: ['recursive', 'exclude', 'include'],
  rm: ['recursive', 'exclude', 'include'],
  sync: ['delete', 'exclude', 'include'],
  mb: [],
  rb: ['force'],
};

/** botocore's CLI names: DescribeDeliveryStream -> describe-delivery-stream. */
export const kebab = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();

/** Words of one simple command (quotes kept together, not expanded). */
function words(command: string): string[] {
  return [...command.matchAll(/'[^']*'|"(?:[^"\\]|\\.)*"|\S+/g)].map((m) =>
    m[0]!.replace(/^(['"])(.*)\1$/, '$2'),
  );
}

/** The simple commands of a script: continuations joined, comments dropped, split at | && ; $( and newlines. */
export function simpleCommands(script: string): string[] {
  return script
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.replace(/(^|\s)#(?![^'"]*['"][^'"]*$).*$/, '').trim())
    .flatMap((line) => line.split(/\|\||&&|\||;|\$\(|\)|&(?!\d)/))
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => part.replace(/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)+/, '')); // leading VAR=value assignments
}

export class StaticChecker {
  private readonly commands: Map<string, CommandSchema>;
  private readonly common: OptionSchema;
  private readonly scripts: Record<string, string>;
  private readonly botocore: string;

  constructor(
    private readonly root: string,
    venvDir: string,
  ) {
    const schemas = join(root, 'node_modules', 'osls', 'lib', 'cli', 'commands-schema');
    /* eslint-disable @typescript-eslint/no-require-imports -- osls's own CommonJS schema modules */
    this.commands = new Map([
      ...(require(join(schemas, 'no-service.js')) as Map<string, CommandSchema>),
      ...(require(join(schemas, 'service.js')) as Map<string, CommandSchema>),
      ...(require(join(schemas, 'aws-service.js')) as Map<string, CommandSchema>),
    ]);
    this.common = {
      ...(require(join(schemas, 'common-options', 'global.js')) as OptionSchema),
      ...(require(join(schemas, 'common-options', 'service.js')) as OptionSchema),
      ...(require(join(schemas, 'common-options', 'aws-service.js')) as OptionSchema),
    };
    /* eslint-enable @typescript-eslint/no-require-imports */
    this.scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    const lib = join(venvDir, 'lib');
    const python = readdirSync(lib).find((name) => name.startsWith('python3'))!;
    this.botocore = join(lib, python, 'site-packages', 'botocore', 'data');
  }

  /** Problems of every simple command of a script; [] when everything checkable exists. */
  problems(script: string): string[] {
    return simpleCommands(script).flatMap((command) => this.commandProblems(words(command)));
  }

  private commandProblems(argv: string[]): string[] {
    const [program, ...args] = argv;
    if (program === 'npx' && args[0] === 'sls') return this.slsProblems(args.slice(1));
    if (program === 'npx' && args[0] === 'tsx')
      return existsSync(join(this.root, args[1] ?? '')) ? [] : [`npx tsx: no file ${args[1]}`];
    if (program === 'npm' && args[0] === 'run') {
      const script = args.slice(1).find((a) => !a.startsWith('-'));
      return script !== undefined && this.scripts[script] !== undefined
        ? []
        : [`npm run: no script ${script}`];
    }
    if (program === 'aws') return this.awsProblems(args);
    return [];
  }

  private slsProblems(args: string[]): string[] {
    const positional = args.slice(0, args.findIndex((a) => a.startsWith('-')) >>> 0);
    let name = '';
    for (let n = positional.length; n > 0; n--)
      if (this.commands.has(positional.slice(0, n).join(' '))) {
        name = positional.slice(0, n).join(' ');
        break;
      }
    if (name === '') return [`sls: no command "${positional.join(' ')}"`];
    const options = { ...this.common, ...this.commands.get(name)!.options };
    const shortcuts = new Set(Object.values(options).map((o) => o.shortcut));
    return args
      .filter((a) => a.startsWith('-'))
      .filter((a) =>
        a.startsWith('--') ? options[a.slice(2).split('=')[0]!] === undefined : !shortcuts.has(a.slice(1)),
      )
      .map((a) => `sls ${name}: no option ${a}`);
  }

  private awsProblems(args: string[]): string[] {
    const [service, operation] = args;
    const flags = args.filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=')[0]!);
    if (service === 's3') {
      const known = AWS_S3_COMMANDS[operation ?? ''];
      if (known === undefined) return [`aws s3: no command ${operation}`];
      return flags
        .filter((f) => !known.includes(f) && !AWS_GLOBAL_FLAGS.includes(f))
        .map((f) => `aws s3 ${operation}: no option --${f}`);
    }
    const model = this.model(service === 's3api' ? 's3' : (service ?? ''));
    if (model === undefined) return [`aws: no service ${service}`];
    const op = Object.entries(model.operations).find(([name]) => kebab(name) === operation);
    if (op === undefined) return [`aws ${service}: no operation ${operation}`];
    const input = op[1].input?.shape;
    const members = new Set(Object.keys((input && model.shapes[input]?.members) ?? {}).map(kebab));
    return flags
      .filter((f) => !members.has(f) && !AWS_GLOBAL_FLAGS.includes(f))
      .map((f) => `aws ${service} ${operation}: no option --${f}`);
  }

  private model(service: string):
    | {
        operations: Record<string, { input?: { shape: string } }>;
        shapes: Record<string, { members?: object }>;
      }
    | undefined {
    const dir = join(this.botocore, service);
    if (!existsSync(dir)) return undefined;
    const version = readdirSync(dir).sort().pop()!;
    const file = join(dir, version, 'service-2.json');
    const text = existsSync(file)
      ? readFileSync(file, 'utf8')
      : gunzipSync(readFileSync(`${file}.gz`)).toString('utf8');
    return JSON.parse(text) as ReturnType<StaticChecker['model']>;
  }
}

/**
 * Names of a stage's stack (`logpipe-<stage>-…`) a command uses, by stage: each must be one the
 * stage declares. `stages` are the stages of params.yml; the longest that fits a name wins.
 */
export function stackNames(script: string, stages: string[]): Map<string, string[]> {
  const byStage = new Map<string, string[]>();
  const longestFirst = [...stages].sort((a, b) => b.length - a.length);
  for (const [name] of script.matchAll(/\blogpipe-[A-Za-z0-9-]*[A-Za-z0-9]/g)) {
    const stage = longestFirst.find((s) => name.startsWith(`logpipe-${s}-`));
    if (stage === undefined) continue;
    byStage.set(stage, [...new Set([...(byStage.get(stage) ?? []), name])]);
  }
  return byStage;
}
