import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Flavor = 'elasticsearch' | 'opensearch';

export interface SearchRequest {
  method: string;
  /** Path with the query string. */
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body?: unknown;
}

type Json = Record<string, unknown>;

function patternsOverlap(a: string, b: string): boolean {
  const [x, y] = [a.replace(/\*$/, ''), b.replace(/\*$/, '')];
  return x.startsWith(y) || y.startsWith(x);
}

function globMatches(pattern: string, name: string): boolean {
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(name);
}

/**
 * A loopback server answering the template, lifecycle and saved-objects APIs the way
 * Elasticsearch + Kibana or OpenSearch + Dashboards do, with their refusals: overlapping
 * templates at equal priority, ISM updates without the current seq_no, imports without the
 * product's xsrf header. It records every request and keeps what was written.
 */
export class SearchServer {
  readonly requests: SearchRequest[] = [];
  readonly templates = new Map<string, Json>();
  readonly policies = new Map<string, { body: Json; seqNo: number }>();
  /** index name -> lifecycle policy name (ILM setting or ISM policy id), null when none. */
  readonly indices = new Map<string, string | null>();
  readonly savedObjects = new Map<string, Json>();
  private seqNo = 0;
  private server: http.Server | undefined;

  constructor(
    readonly flavor: Flavor,
    private readonly options: {
      version?: string;
      authorize?: (req: http.IncomingMessage) => boolean;
      /** A cluster without ILM / ISM (e.g. nodes from the published jars): their routes do not exist. */
      noRetentionPlugin?: boolean;
    } = {},
  ) {}

  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  /** Requests that change something (everything but GET). */
  get writes(): SearchRequest[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        let reply: Reply;
        if (this.options.authorize && !this.options.authorize(req))
          reply = { status: 401, body: { error: 'auth' } };
        else {
          try {
            reply = this.route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://x'), req.headers, body);
          } catch (error) {
            reply = { status: 400, body: { error: { type: 'parse_exception', reason: String(error) } } };
          }
        }
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private route(method: string, url: URL, headers: http.IncomingHttpHeaders, raw: string): Reply {
    const path = decodeURIComponent(url.pathname);
    const body = (raw && !raw.startsWith('--') ? JSON.parse(raw) : {}) as Json;
    const key = `${method} ${path}`;
    if (key === 'GET /') return { status: 200, body: this.rootInfo() };
    let match = /^\/_index_template\/([^/]+)$/.exec(path);
    if (match) return this.template(method, match[1]!, body);
    match = /^\/_ilm\/policy\/([^/]+)$/.exec(path);
    const retention = !this.options.noRetentionPlugin;
    if (match && retention && this.flavor === 'elasticsearch') return this.ilm(method, match[1]!, body);
    match = /^\/_plugins\/_ism\/policies\/([^/]+)$/.exec(path);
    if (match && retention && this.flavor === 'opensearch')
      return this.ism(method, match[1]!, body, url.searchParams);
    match = /^\/_plugins\/_ism\/(explain|add|change_policy)\/(.+)$/.exec(path);
    if (match && this.flavor === 'opensearch') return this.ismIndices(match[1]!, match[2]!, body);
    match = /^\/([^_/][^/]*)\/_settings(?:\/index\.lifecycle\.name)?$/.exec(path);
    if (match && this.flavor === 'elasticsearch') return this.settings(method, match[1]!, body);
    if (key === 'POST /api/saved_objects/_import') return this.importObjects(headers, raw, url.searchParams);
    // What both engines answer for a route nobody registered (checked on Elasticsearch 9.5.3 and
    // OpenSearch 3.8.0): 400, not 404.
    return {
      status: 400,
      body: { error: `no handler found for uri [${url.pathname}] and method [${method}]` },
    };
  }

  private rootInfo(): Json {
    return this.flavor === 'elasticsearch'
      ? { name: 'es', version: { number: this.options.version ?? '8.15.0', build_flavor: 'default' } }
      : { name: 'os', version: { distribution: 'opensearch', number: this.options.version ?? '2.15.0' } };
  }

  private template(method: string, name: string, body: Json): Reply {
    if (method === 'GET') {
      const stored = this.templates.get(name);
      return stored
        ? { status: 200, body: { index_templates: [{ name, index_template: stored }] } }
        : { status: 404, body: { error: 'index_template_missing_exception' } };
    }
    for (const [other, template] of this.templates) {
      const overlap = (template.index_patterns as string[]).some((a) =>
        (body.index_patterns as string[]).some((b) => patternsOverlap(a, b)),
      );
      if (other !== name && overlap && template.priority === body.priority) {
        return { status: 400, body: { error: `overlaps ${other} at the same priority` } };
      }
    }
    this.templates.set(name, body);
    return { status: 200, body: { acknowledged: true } };
  }

  private ilm(method: string, name: string, body: Json): Reply {
    const stored = this.policies.get(name);
    if (method === 'GET') {
      return stored
        ? { status: 200, body: { [name]: { version: stored.seqNo, policy: stored.body.policy } } }
        : { status: 404, body: { error: 'resource_not_found_exception' } };
    }
    this.policies.set(name, { body, seqNo: ++this.seqNo });
    return { status: 200, body: { acknowledged: true } };
  }

  private ism(method: string, id: string, body: Json, query: URLSearchParams): Reply {
    const stored = this.policies.get(id);
    if (method === 'GET') {
      if (!stored) return { status: 404, body: { error: 'policy not found' } };
      // ISM returns the policy with fields of its own, as the real plugin does.
      const policy = {
        policy_id: id,
        schema_version: 21,
        last_updated_time: 1,
        ...(stored.body.policy as Json),
      };
      return { status: 200, body: { _id: id, _seq_no: stored.seqNo, _primary_term: 1, policy } };
    }
    if (stored && (query.get('if_seq_no') !== String(stored.seqNo) || query.get('if_primary_term') !== '1')) {
      return { status: 409, body: { error: 'version_conflict_engine_exception' } };
    }
    this.policies.set(id, { body, seqNo: ++this.seqNo });
    return { status: stored ? 200 : 201, body: { _id: id } };
  }

  private ismIndices(action: string, target: string, body: Json): Reply {
    if (action === 'explain') {
      const result: Json = {};
      for (const [name, policy] of this.indices) {
        if (globMatches(target, name))
          result[name] = { 'index.plugins.index_state_management.policy_id': policy };
      }
      return { status: 200, body: { ...result, total_managed_indices: 0 } };
    }
    for (const name of target.split(',')) {
      if (action === 'add' && this.indices.get(name) === null)
        this.indices.set(name, body.policy_id as string);
    }
    return { status: 200, body: { updated_indices: target.split(',').length, failures: false } };
  }

  private settings(method: string, target: string, body: Json): Reply {
    const names = [...this.indices.keys()].filter((name) =>
      target.split(',').some((t) => globMatches(t, name)),
    );
    if (method === 'PUT') {
      for (const name of names) this.indices.set(name, body['index.lifecycle.name'] as string);
      return { status: 200, body: { acknowledged: true } };
    }
    const result: Json = {};
    for (const name of names) {
      const policy = this.indices.get(name);
      result[name] = { settings: policy ? { 'index.lifecycle.name': policy } : {} };
    }
    return { status: 200, body: result };
  }

  private importObjects(headers: http.IncomingHttpHeaders, raw: string, query: URLSearchParams): Reply {
    const xsrf = this.flavor === 'elasticsearch' ? 'kbn-xsrf' : 'osd-xsrf';
    if (headers[xsrf] === undefined)
      return { status: 400, body: { message: `Request must contain a ${xsrf} header.` } };
    if (!String(headers['content-type']).startsWith('multipart/form-data')) return { status: 415 };
    const ndjson = raw.split('\r\n\r\n', 2)[1]!.split('\r\n--')[0]!;
    const objects = ndjson
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Json);
    for (const object of objects) {
      const id = `${object.type}:${object.id}`;
      if (this.savedObjects.has(id) && query.get('overwrite') !== 'true') {
        return { status: 200, body: { success: false, errors: [{ id, error: { type: 'conflict' } }] } };
      }
      this.savedObjects.set(id, object);
    }
    return { status: 200, body: { success: true, successCount: objects.length } };
  }
}
