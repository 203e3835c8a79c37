import type { CloudWatchLogsData } from '../../libs/forwarding/decoding/subscription';

// The AWS console blueprint (LogsToElasticsearch), rewritten here as the baseline.
// It keeps the blueprint's operations and their cost: a message with a '{' is JSON.parse'd to
// validate it and again to use it, extracted fields are converted one by one, each event makes
// two Date objects, and the action and source are joined through arrays. It does less than ours:
// no Lambda line parsing, no levels, no REPORT numbers, a flat source.
function blueprintJson(text: string): string | null {
  const brace = text.indexOf('{');
  if (brace < 0) return null;
  const candidate = text.substring(brace);
  try {
    JSON.parse(candidate);
  } catch {
    return null;
  }
  return candidate;
}

function blueprintSource(message: string, extracted?: Record<string, string>): Record<string, unknown> {
  if (extracted) {
    const source: Record<string, unknown> = {};
    for (const key of Object.keys(extracted)) {
      const value = extracted[key];
      if (!value) continue;
      if (!Number.isNaN(Number(value)) && value.trim() !== '') {
        source[key] = Number(value);
        continue;
      }
      const json = blueprintJson(value);
      if (json !== null) source[`$${key}`] = JSON.parse(json);
      source[key] = value;
    }
    return source;
  }
  const json = blueprintJson(message);
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
}

export function blueprintTransform(data: CloudWatchLogsData): string {
  let body = '';
  for (const event of data.logEvents) {
    const time = new Date(1 * event.timestamp);
    const index = [
      `cwl-${time.getUTCFullYear()}`,
      `0${time.getUTCMonth() + 1}`.slice(-2),
      `0${time.getUTCDate()}`.slice(-2),
    ].join('.');
    const source = blueprintSource(event.message, event.extractedFields);
    source['@id'] = event.id;
    source['@timestamp'] = new Date(1 * event.timestamp).toISOString();
    source['@message'] = event.message;
    source['@owner'] = data.owner;
    source['@log_group'] = data.logGroup;
    source['@log_stream'] = data.logStream;
    const action = { index: { _index: index, _type: data.logGroup, _id: event.id } };
    body += [JSON.stringify(action), JSON.stringify(source)].join('\n') + '\n';
  }
  return body;
}
