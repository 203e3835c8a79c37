/**
 * Built-in multiline rules for the stack traces of six languages (`"preset": "java"`, ...). A
 * preset tells whether a line continues the event before it from the line and the line before
 * it (`previous`): the last line of a Python traceback (`KeyboardInterrupt`, `botocore...NoSuchKey:
 * ...`) looks like an ordinary line, and only what precedes it tells them apart. Every preset
 * leaves a line that starts like a log entry (a timestamp, a level, Go's `2019/01/15 07:48:05`)
 * alone: it starts its own event. What each recognises is listed in docs/multiline.md#presets;
 * the traces they are tested on are in test/fixtures/multiline/presets/.
 */
export type Continues = (line: string, previous: string) => boolean;

export const PRESET_NAMES = ['java', 'python', 'go', 'node', 'dotnet', 'ruby'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const INDENTED = /^\s/;
/** A log line that announces an error: the exception's first line may continue it. */
const ERRORISH = /err|exception|fatal|fail|crit|panic|severe|warn|traceback|unhandled|uncaught/i;

// Java (and Kotlin, Scala: the JVM prints them alike).
const JAVA_FRAME = /^\s+(at |\.\.\. \d+ (more|common frames omitted)\b)/;
const JAVA_CAUSE = /^\s*(Caused by|Suppressed): /;
const JVM_EXCEPTION = /^([a-zA-Z_$][\w$]*\.)+[\w$]*(Exception|Error|Throwable)\b(: |:$|$)/;

const java: Continues = (line, previous) =>
  JAVA_FRAME.test(line) ||
  JAVA_CAUSE.test(line) ||
  (INDENTED.test(line) && (JAVA_FRAME.test(previous) || JAVA_CAUSE.test(previous))) ||
  (JVM_EXCEPTION.test(line) && ERRORISH.test(previous));

// Python.
const PY_TRACEBACK = /^Traceback \(most recent call last\):\s*$/;
const PY_CHAINED =
  /^(During handling of the above exception, another exception occurred:|The above exception was the direct cause of the following exception:)\s*$/;
/** The last line of a traceback: a class name (its last part capitalised), then `: message` or nothing. */
const PY_EXCEPTION = /^([A-Za-z_]\w*\.)*[A-Z]\w*[a-z]\w*(: .*|:)?$/;
/** A pydantic ValidationError's header, after which each field's location is a line of its own. */
const PYDANTIC_HEADER = /\d+ validation errors? for \S+$/;
/** What PostgreSQL (psycopg) and SQLAlchemy add on lines of their own after the exception line. */
const PY_MESSAGE_TAIL =
  /^(DETAIL|HINT|CONTEXT|QUERY|LINE \d+): |^\[(SQL|parameters): |^\(Background on this error at: /;

const python: Continues = (line, previous) => {
  if (line === '' || INDENTED.test(line)) return true; // frames, source lines, ^ markers, chained gaps
  if (PY_CHAINED.test(line)) return true;
  if (PY_TRACEBACK.test(line)) return previous === '' || PY_CHAINED.test(previous) || ERRORISH.test(previous);
  if (PY_MESSAGE_TAIL.test(line)) return true;
  // The traceback's last line follows an indented frame or source line.
  if (PY_EXCEPTION.test(line) && INDENTED.test(previous)) return true;
  // pydantic: a field's location (no spaces) after the header or after the previous field's lines.
  return /^\S+$/.test(line) && (PYDANTIC_HEADER.test(previous) || INDENTED.test(previous));
};

// Go: a panic's or a fatal error's goroutine dump.
const GO_GOROUTINE = /^goroutine \d+ (.* )?\[[^\]]*\]:$/; // Go 1.23 may add gp=, m=
const GO_FUNCTION = /^\S+\(.*\)$/; // main.main(), net/http.(*conn).serve(...), main.Map[...](...)
const GO_DUMP_LINE = /^(\[signal |created by |\.\.\.additional frames elided\.\.\.$|exit status \d+$)/;

const go: Continues = (line, previous) => {
  if (line === '' || INDENTED.test(line) || GO_GOROUTINE.test(line) || GO_DUMP_LINE.test(line)) return true;
  // A function line follows the goroutine's header or the previous frame's file line.
  return GO_FUNCTION.test(line) && (GO_GOROUTINE.test(previous) || /^\t/.test(previous));
};

// Node.js (V8's stack format), and what an uncaught exception prints around it.
// `TypeError: ...`, `Error [ERR_X]: ...`, `[UnhandledPromiseRejection: ...] {`, `Uncaught ...`.
const JS_ERROR = /^\[?([A-Z]\w*)?(Error|Exception|Rejection)\b(\s*\[\w+\])?(: |:$|$|\])|^Uncaught /;
const JS_CARET = /^\s*\^+\s*$/;

const node: Continues = (line, previous) => {
  if (line === '' || INDENTED.test(line) || JS_CARET.test(line) || /^Node\.js v\d+/.test(line)) return true;
  if (/^[}\]]\s*$/.test(line)) return INDENTED.test(previous); // the end of an error's own properties
  return JS_ERROR.test(line) && (previous === '' || ERRORISH.test(previous) || JS_CARET.test(previous));
};

// .NET: exception lines, frames, inner exceptions; Microsoft.Extensions.Logging's indented message.
const DOTNET_MARKER = /^\s*(---> |--- End of )/;
const DOTNET_EXCEPTION = /^([A-Za-z_][\w`]*\.)+[\w`]*Exception\b(: |:$|$)/;

const dotnet: Continues = (line, previous) =>
  INDENTED.test(line) || DOTNET_MARKER.test(line) || (DOTNET_EXCEPTION.test(line) && ERRORISH.test(previous));

// Ruby: backtrace lines, indented or not; Rails' exception line.
const RUBY_FRAME = /^\s*(from )?\S+:\d+:in [`'].*['`]\s*$/;
const RUBY_EXCEPTION = /^([A-Z]\w*::)*[A-Z]\w* \(.*\):?$/;

/** The line Rails writes when a request ends: the exception that ended it follows. */
const RAILS_COMPLETED = /^Completed \d{3} /;

const ruby: Continues = (line, previous) =>
  line.trim() === '' ||
  INDENTED.test(line) ||
  RUBY_FRAME.test(line) ||
  (RUBY_EXCEPTION.test(line) &&
    (ERRORISH.test(previous) || RAILS_COMPLETED.test(previous) || previous.trim() === ''));

export const PRESETS: Readonly<Record<PresetName, Continues>> = { java, python, go, node, dotnet, ruby };
