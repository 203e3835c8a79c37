import type { CloudWatchLogEvent, CloudWatchLogsData } from '../decoding/subscription';
import { logEventProblem } from '../decoding/subscription';
import { copyToRoot, PIPELINE_FIELDS, type CopyToRoot } from './fields';
import { EventGuard, failureReason, type DocumentSink, type RejectedEvent } from './guard';
import type { IndexNamer } from './index-name';
import {
  capLongStrings,
  JSON_STRING_MAX_CHARS,
  lambdaJsonFields,
  levelOf,
  lineTimeOf,
  parseJsonObjectMessage,
} from './json-message';
import { parseLambdaLine } from './lambda-lines';
import { isoTimestamp } from '../decoding/timestamp';
import type { DocumentSource, LogDocument } from './types';

export interface DocumentOptions {
  indexNamer: IndexNamer;
  /** The region the logs come from (a subscription payload does not say; the function's own region does). */
  region?: string;
  /** Copy the keys of a JSON message to the document root too, never overwriting the fields we set. */
  jsonAtRoot: boolean;
  /**
   * Other accounts whose log groups reach this stage (SOURCE_ACCOUNTS, a cross-account
   * destination): their events' `_id` is `<account>-<event id>`, unique across accounts, while
   * this account's stay the bare event id (the documents indexed before keep their ids).
   */
  sourceAccounts?: ReadonlySet<string>;
}

/** The document id of a CloudWatch event: see DocumentOptions.sourceAccounts. */
export function cloudWatchDocumentId(owner: string, eventId: string, options: DocumentOptions): string {
  return options.sourceAccounts?.has(owner) ? `${owner}-${eventId}` : eventId;
}

export interface LogStreamContext {
  owner: string;
  logGroup: string;
  logStream: string;
  /** Shared by every document of one payload (rules may not write `cloud`): fewer allocations. */
  cloud?: DocumentSource['cloud'];
  /** `<owner>-` for a source account's events (DocumentOptions.sourceAccounts), else empty. */
  idPrefix?: string;
}

// JSON_FIELDS_AT_ROOT: the keys stay under `json` too, so protected ones are simply not copied.
const JSON_AT_ROOT: CopyToRoot = { protect: PIPELINE_FIELDS, protectedKeys: 'skip', overwrite: false };

/** The message without one trailing "\n" or "\r\n" (as a document's `message` holds it). */
export function stripTrailingNewline(message: string): string {
  if (message.charCodeAt(message.length - 1) !== 10) return message;
  return message.charCodeAt(message.length - 2) === 13 ? message.slice(0, -2) : message.slice(0, -1);
}

/** Builds the document for one well-formed CloudWatch log event. */
export function buildDocument(
  context: LogStreamContext,
  event: CloudWatchLogEvent,
  options: DocumentOptions,
): LogDocument {
  const message = stripTrailingNewline(event.message);
  // Every document gets the same keys in the same order (unset ones undefined, which JSON leaves
  // out): one object shape, which JSON.stringify serialises about 20% faster than mixed shapes.
  const source: DocumentSource = {
    '@timestamp': isoTimestamp(event.timestamp),
    message,
    log: undefined,
    aws: {
      cloudwatch: { log_group: context.logGroup, log_stream: context.logStream, event_id: event.id },
      lambda: undefined,
    },
    cloud: context.cloud ?? { provider: 'aws', account: { id: context.owner }, region: options.region },
    json: undefined,
  };
  enrich(source, message, options);
  const id =
    context.idPrefix === undefined
      ? cloudWatchDocumentId(context.owner, event.id, options)
      : context.idPrefix === ''
        ? event.id
        : `${context.idPrefix}${event.id}`;
  return { _id: id, _index: options.indexNamer.nameFor(event.timestamp), _source: source };
}

/**
 * Adds the fields parsed from the message: Lambda line formats, JSON objects and their level.
 * A JSON line's own `@timestamp` (ECS loggers) becomes the document's: the time the event
 * happened. The caller has named the index and the id from the transport (the CloudWatch event's
 * time and id), which no line can change: a line from a wrong clock cannot open indices for
 * arbitrary days, and a redelivered event lands on the same document whatever it says.
 */
export function enrich(
  source: DocumentSource,
  message: string,
  options: Pick<DocumentOptions, 'jsonAtRoot'>,
): void {
  const json = parseJsonObjectMessage(message);
  if (json !== undefined) {
    // A string over the index's term limit would get the whole document refused (OpenSearch).
    if (message.length > JSON_STRING_MAX_CHARS) capLongStrings(json);
    source.json = json;
    const level = levelOf(json);
    if (level !== undefined) source.log = { level };
    const lineTime = lineTimeOf(json);
    if (lineTime !== undefined) source['@timestamp'] = isoTimestamp(lineTime);
    const lambda = lambdaJsonFields(json);
    if (lambda.requestId !== undefined || lambda.report !== undefined) {
      source.aws.lambda = { request_id: lambda.requestId };
      if (lambda.report !== undefined) source.aws.lambda.report = lambda.report;
    }
    if (options.jsonAtRoot) copyToRoot(source, json, JSON_AT_ROOT);
    return;
  }
  const lambda = parseLambdaLine(message);
  if (lambda !== undefined) {
    if (lambda.level !== undefined) source.log = { level: lambda.level };
    source.aws.lambda = { request_id: lambda.requestId };
    if (lambda.event !== undefined) source.aws.lambda.event = lambda.event;
    if (lambda.report !== undefined) source.aws.lambda.report = lambda.report;
  }
}

/**
 * Why an event of a payload is not turned into a document: malformed (no id, no time, a time
 * outside years 0000-9999), or an id an earlier event of the payload already had with another
 * message (a broken producer: the destination would keep the first and answer 409 for the
 * second, which would count as a retry's duplicate and vanish). The same id with the same
 * message is a true duplicate and goes on (409, counted as a duplicate).
 */
class PayloadEvents {
  /** The messages by id, built only once the ids stop ascending (see problem()). */
  private messages: Map<string, string> | undefined;
  private lastId = '';

  constructor(private readonly events: readonly unknown[]) {}

  /** Why events[index] is not turned into a document, or undefined. */
  problem(index: number): string | undefined {
    const event = this.events[index];
    const problem = logEventProblem(event);
    if (problem !== undefined) return problem;
    const { id, message } = event as CloudWatchLogEvent;
    // CloudWatch Logs ids are equal-length decimal numbers, ascending within a payload: while
    // each id is above the last, none can repeat, and one comparison replaces a map look-up.
    if (this.messages === undefined) {
      if (this.lastId === '' || (id.length === this.lastId.length && id > this.lastId)) {
        this.lastId = id;
        return undefined;
      }
      this.messages = new Map();
      for (let i = 0; i < index; i++) {
        const earlier = this.events[i];
        if (logEventProblem(earlier) === undefined && !this.messages.has((earlier as CloudWatchLogEvent).id))
          this.messages.set((earlier as CloudWatchLogEvent).id, (earlier as CloudWatchLogEvent).message);
      }
    }
    const earlier = this.messages.get(id);
    if (earlier === undefined) this.messages.set(id, message);
    else if (earlier !== message)
      return `log event id ${id} repeats an earlier event with a different message`;
    return undefined;
  }
}

function streamContext(data: CloudWatchLogsData, options: DocumentOptions): LogStreamContext {
  return {
    owner: data.owner,
    logGroup: data.logGroup,
    logStream: data.logStream,
    cloud: { provider: 'aws', account: { id: data.owner }, region: options.region },
    idPrefix: options.sourceAccounts?.has(data.owner) ? `${data.owner}-` : '',
  };
}

/**
 * Turns a decoded DATA_MESSAGE into documents, one per log event. An event that cannot become
 * a document (see PayloadEvents, or anything building it throws) is handed to `reject` with the
 * reason and the others go on. CONTROL_MESSAGE payloads yield nothing. The forwarding paths use
 * pushLogsData, which guards the rules and serialization too.
 */
export function* documentsFromLogsData(
  data: CloudWatchLogsData,
  options: DocumentOptions,
  reject: (rejected: RejectedEvent) => void,
): Generator<LogDocument> {
  if (data.messageType !== 'DATA_MESSAGE') return;
  const context = streamContext(data, options);
  const events = new PayloadEvents(data.logEvents);
  for (let i = 0; i < data.logEvents.length; i++) {
    const doc = guardedBuild(context, data.logEvents[i]!, i, options, events, reject);
    if (doc !== undefined) yield doc;
  }
}

/**
 * One event's document, or undefined when it was handed to `reject`. Outside the generator: a
 * try/catch around the build inside it measured 8-10% slower on the whole transform.
 */
function guardedBuild(
  context: LogStreamContext,
  event: CloudWatchLogEvent,
  index: number,
  options: DocumentOptions,
  events: PayloadEvents,
  reject: (rejected: RejectedEvent) => void,
): LogDocument | undefined {
  const problem = events.problem(index);
  const { logGroup, logStream } = context;
  if (problem !== undefined) {
    reject({ reason: problem, event, logGroup, logStream });
    return undefined;
  }
  try {
    return buildDocument(context, event, options);
  } catch (error) {
    reject({ reason: failureReason('document', error), event, logGroup, logStream });
    return undefined;
  }
}

/**
 * Pushes the documents of a DATA_MESSAGE to `sink`, every event guarded (EventGuard): building,
 * `route` (rules; undefined = filtered out) and serialization. Returns the documents pushed.
 */
export async function pushLogsData(
  data: CloudWatchLogsData,
  options: DocumentOptions,
  sink: DocumentSink,
  route?: (doc: LogDocument) => LogDocument | undefined,
): Promise<number> {
  if (data.messageType !== 'DATA_MESSAGE') return 0;
  const context = streamContext(data, options);
  const { logGroup, logStream } = data;
  const guard = new EventGuard<CloudWatchLogEvent>(
    sink,
    route === undefined
      ? (event) => buildDocument(context, event, options)
      : (event) => route(buildDocument(context, event, options)),
    (event, reason) => ({ reason, event, logGroup, logStream }),
  );
  const events = new PayloadEvents(data.logEvents);
  for (let i = 0; i < data.logEvents.length; i++) {
    const event = data.logEvents[i]!;
    const problem = events.problem(i);
    if (problem !== undefined) {
      sink.reject({ reason: problem, event, logGroup, logStream });
      continue;
    }
    const slot = guard.push(event);
    if (slot) await slot;
  }
  return guard.pushed;
}
