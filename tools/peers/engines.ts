import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real OpenSearch and Elasticsearch nodes, each in one JVM started from the jars published to
 * Maven Central (no distribution download). First use resolves the jars with Maven into
 * `.cache/maven` and compiles the launchers into `.cache/engines`; later starts reuse both.
 * A node is tied to the process that started it: it stops and removes its data directory when
 * its standard input closes, so a killed parent leaves nothing behind.
 */

export type EngineKind = 'opensearch' | 'elasticsearch';
export const ENGINE_KINDS: EngineKind[] = ['opensearch', 'elasticsearch'];

/** Versions the suite runs; the poms in test/peers/engines/<kind>/ pin the same. */
export const ENGINE_VERSIONS: Record<EngineKind, string> = { opensearch: '3.8.0', elasticsearch: '9.5.3' };

const ROOT = join(__dirname, '..', '..');
const SOURCES = join(__dirname, 'engines');
const CACHE = process.env.LOGPIPE_ENGINE_CACHE ?? join(ROOT, '.cache');
/** Both engines' current versions need Java 21+; the machines have Temurin 25 beside Java 17. */
const DEFAULT_JAVA_HOME = '/usr/lib/jvm/temurin-25-jdk-amd64';

interface Launcher {
  main: string;
  sources: string[];
  /** Jars a node loads as a module from its own directory, kept off the JVM's classpath. */
  moduleJar: RegExp;
  /** Extra launcher arguments: the modules a node loads from directories (Elasticsearch). */
  moduleArgs(moduleJars: string[], build: string): string[];
}

const LAUNCHERS: Record<EngineKind, Launcher> = {
  opensearch: {
    main: 'OpenSearchNode',
    sources: ['OpenSearchNode.java', 'EngineHome.java'],
    moduleJar: /^$/,
    moduleArgs: () => [],
  },
  elasticsearch: {
    main: 'ElasticsearchNode',
    sources: ['ElasticsearchNode.java', 'EngineHome.java', 'RootInfoPlugin.java'],
    moduleJar: /\/(transport-netty4-|netty-)[^/]*\.jar$/,
    moduleArgs: (moduleJars, build) => [
      `module.transport-netty4=org.elasticsearch.transport.netty4.Netty4Plugin:${moduleJars.join(',')}`,
      `module.root-info=RootInfoPlugin:${join(build, 'root-info.jar')}`,
    ],
  },
};

export class EngineStartError extends Error {
  override name = 'EngineStartError';
}

export function javaHome(): string {
  const home =
    process.env.LOGPIPE_ENGINE_JAVA_HOME ??
    (existsSync(DEFAULT_JAVA_HOME) ? DEFAULT_JAVA_HOME : process.env.JAVA_HOME);
  if (home === undefined || !existsSync(join(home, 'bin', 'java'))) {
    throw new EngineStartError(
      `no Java 21+ found: set LOGPIPE_ENGINE_JAVA_HOME (tried ${DEFAULT_JAVA_HOME} and JAVA_HOME)`,
    );
  }
  return home;
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.slice(-4000);
    throw new EngineStartError(
      `${what} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
    );
  }
}

/** Where the node's classpath and compiled launcher are cached (its name changes with the pom and sources). */
function buildDir(kind: EngineKind): string {
  const launcher = LAUNCHERS[kind];
  const hash = createHash('sha256').update(readFileSync(join(SOURCES, kind, 'pom.xml')));
  for (const source of launcher.sources) hash.update(readFileSync(join(SOURCES, source)));
  return join(CACHE, 'engines', `${kind}-${hash.digest('hex').slice(0, 12)}`);
}

/** Whether a start will first resolve the jars and compile the launcher (npm run engine says so). */
export function enginePrepared(kind: EngineKind): boolean {
  return existsSync(join(buildDir(kind), 'ready'));
}

/** The node's classpath and the compiled launcher: resolved and built once, then read from the cache. */
export function prepareEngine(kind: EngineKind): { classpath: string[]; args: string[] } {
  const launcher = LAUNCHERS[kind];
  const pom = join(SOURCES, kind, 'pom.xml');
  const build = buildDir(kind);
  const classpathFile = join(build, 'classpath.txt');
  const java = javaHome();
  if (!existsSync(join(build, 'ready'))) {
    mkdirSync(build, { recursive: true });
    run(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        pom,
        `-Dmaven.repo.local=${join(CACHE, 'maven')}`,
        'dependency:build-classpath',
        `-Dmdep.outputFile=${classpathFile}`,
      ],
      `resolving the ${kind} jars with Maven`,
    );
    const classpath = readFileSync(classpathFile, 'utf8').trim();
    const classes = join(build, 'classes');
    run(
      join(java, 'bin', 'javac'),
      [
        '-nowarn',
        '-cp',
        classpath,
        '-d',
        classes,
        ...launcher.sources.map((source) => join(SOURCES, source)),
      ],
      `compiling the ${kind} launcher`,
    );
    const jar = join(java, 'bin', 'jar');
    // A plugin's classes must not be on the node's classpath too (Elasticsearch refuses "jar hell").
    run(
      jar,
      [
        'cf',
        join(build, 'launcher.jar'),
        '-C',
        classes,
        `${launcher.main}.class`,
        '-C',
        classes,
        'EngineHome.class',
      ],
      'jar',
    );
    if (kind === 'elasticsearch') {
      run(
        jar,
        [
          'cf',
          join(build, 'root-info.jar'),
          '-C',
          classes,
          'RootInfoPlugin.class',
          '-C',
          classes,
          'RootInfoPlugin$1.class',
        ],
        'jar',
      );
    }
    writeFileSync(join(build, 'ready'), '');
  }
  const jars = readFileSync(classpathFile, 'utf8').trim().split(':');
  return {
    classpath: [join(build, 'launcher.jar'), ...jars.filter((jar) => !launcher.moduleJar.test(jar))],
    args: launcher.moduleArgs(
      jars.filter((jar) => launcher.moduleJar.test(jar)),
      build,
    ),
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface EngineOptions {
  /** Node settings, e.g. `{ 'thread_pool.write.queue_size': '2' }`. */
  settings?: Record<string, string>;
  /** Reuse a port and data directory (a restart); the data is kept until `stop({ removeHome: true })`. */
  port?: number;
  home?: string;
  /** JVM heap; two nodes and jest share the machine. */
  heap?: string;
  /** Also append the JVM's output to this file (read by tests in other processes on failure). */
  logFile?: string;
}

/** A started node. `output` keeps the end of what the JVM printed, for failure messages. */
export class EngineNode {
  private output = '';
  private exited?: string;
  readonly exit: Promise<void>;

  constructor(
    readonly kind: EngineKind,
    readonly url: string,
    readonly port: number,
    readonly home: string,
    private readonly keepHome: boolean,
    private readonly child: ChildProcess,
    logFile?: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-6000);
      if (logFile !== undefined) appendFileSync(logFile, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exit = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exited = `exited with ${signal ?? code}`;
        resolve();
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Waits until the cluster answers green or yellow health; fails with the JVM's output if it dies. */
  async ready(timeoutMs = 240_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited !== undefined) break;
      if (await isHealthy(this.url)) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await this.stop();
    throw new EngineStartError(
      `${this.kind} node at ${this.url} ${this.exited ?? `not ready after ${timeoutMs / 1000} s`}; its output:\n${this.output}`,
    );
  }

  /** Stops the JVM (closing its input is the signal; SIGKILL if it hangs) and removes its data unless kept. */
  async stop(options: { removeHome?: boolean } = {}): Promise<void> {
    if (this.exited === undefined) {
      this.child.stdin?.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await this.exit;
      clearTimeout(timer);
    }
    if (!this.keepHome || options.removeHome) rmSync(this.home, { recursive: true, force: true });
  }
}

export async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/_cluster/health?wait_for_status=yellow&timeout=1s`, {
      signal: AbortSignal.timeout(5000),
    });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts one node on a free loopback port; resolve `ready()` before use. */
export async function startEngine(kind: EngineKind, options: EngineOptions = {}): Promise<EngineNode> {
  const { classpath, args } = prepareEngine(kind);
  const port = options.port ?? (await freePort());
  const keepHome = options.home !== undefined;
  const home = options.home ?? mkdtempSync(join(tmpdir(), `logpipe-${kind}-`));
  const settings = Object.entries(options.settings ?? {}).map(([key, value]) => `${key}=${value}`);
  const child = spawn(
    join(javaHome(), 'bin', 'java'),
    [
      `-Xms${options.heap ?? '512m'}`,
      `-Xmx${options.heap ?? '512m'}`,
      '-XX:+UseSerialGC',
      '--enable-native-access=ALL-UNNAMED',
      '-cp',
      classpath.join(':'),
      LAUNCHERS[kind].main,
      home,
      String(port),
      ...args,
      ...settings,
      ...(keepHome ? ['keep-home'] : []),
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  return new EngineNode(kind, `http://127.0.0.1:${port}`, port, home, keepHome, child, options.logFile);
}

/** Laptops without Java may set it; CI never does, so there every engine test runs. */
export const ENGINES_SKIPPED = process.env.LOGPIPE_SKIP_ENGINES === '1';

/** Test files reach the global nodes through `LOGPIPE_<KIND>_URL`, `_PID` and `_LOG`. */
export function engineEnvName(kind: EngineKind, what: 'URL' | 'PID' | 'LOG'): string {
  return `LOGPIPE_${kind.toUpperCase()}_${what}`;
}

/**
 * One node per engine for the whole jest run (global setup). They start in the background: test
 * files wait for them (engineUrl), so unit tests run while the JVMs boot.
 */
const started: EngineNode[] = [];

export async function startEngines(): Promise<void> {
  if (ENGINES_SKIPPED) {
    console.warn('\nLOGPIPE_SKIP_ENGINES=1: the OpenSearch and Elasticsearch tests are skipped');
    return;
  }
  const logs = join(__dirname, '..', '..', '.cache', 'engine-logs');
  mkdirSync(logs, { recursive: true });
  for (const kind of ENGINE_KINDS) {
    // A node already running (`npm run engine` in another terminal) is used as it is.
    if (process.env[engineEnvName(kind, 'URL')] !== undefined) continue;
    const logFile = join(logs, `${kind}.log`);
    rmSync(logFile, { force: true });
    // Resolving the jars (first use) fails here, with Maven's own message, before any test runs.
    const node = await startEngine(kind, { logFile });
    started.push(node);
    process.env[engineEnvName(kind, 'URL')] = node.url;
    process.env[engineEnvName(kind, 'PID')] = String(node.pid);
    process.env[engineEnvName(kind, 'LOG')] = logFile;
  }
}

export async function stopEngines(): Promise<void> {
  await Promise.all(started.splice(0).map((node) => node.stop()));
}
