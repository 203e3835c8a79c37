import type { Authorizer } from '../../libs/forwarding/destinations/auth';
import type { HttpClient } from '../../libs/forwarding/destinations/http';
import { requestUrl } from '../../libs/forwarding/destinations/url';
import { SearchSetupError } from './engine';

export type Method = 'GET' | 'POST' | 'PUT';

export interface ApiResponse {
  status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  json: unknown;
  text: string;
}

export interface ApiRequest {
  method: Method;
  path: string;
  /** A JSON value (serialised here) or raw bytes with their content type. */
  body?: unknown;
  raw?: { body: Buffer; contentType: string };
  headers?: Record<string, string>;
}

/**
 * JSON requests to one base URL (the cluster, or Kibana / Dashboards), through the destination
 * library's HttpClient and Authorizer: the same SigV4, basic or API key auth as the forwarder.
 */
export class ApiClient {
  constructor(
    private readonly base: URL,
    private readonly http: HttpClient,
    private readonly auth: Authorizer,
    private readonly timeoutMs = 30000,
  ) {}

  /** The URL a path resolves to, keeping any path of the base (e.g. `/_dashboards`, `/s/space`). */
  urlFor(path: string): URL {
    const [pathname, query] = path.split('?', 2) as [string, string | undefined];
    return requestUrl(this.base, pathname, query);
  }

  async send(request: ApiRequest): Promise<ApiResponse> {
    const url = this.urlFor(request.path);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let body: Buffer | undefined;
    if (request.raw !== undefined) {
      body = request.raw.body;
      headers['content-type'] = request.raw.contentType;
    } else if (request.body !== undefined) {
      body = Buffer.from(JSON.stringify(request.body));
      headers['content-type'] = 'application/json';
    }
    const outgoing = { url, method: request.method, headers, body: body ?? Buffer.alloc(0) };
    Object.assign(headers, await this.auth.authorize(outgoing));
    const response = await this.http.request({
      url,
      method: request.method,
      headers,
      body,
      timeoutMs: this.timeoutMs,
    });
    let json: unknown;
    try {
      json = response.body === '' ? undefined : JSON.parse(response.body);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text: response.body };
  }

  /** Sends and insists on a 2xx answer; anything else names the request and the status. */
  async expectOk(request: ApiRequest): Promise<ApiResponse> {
    const response = await this.send(request);
    if (response.status < 200 || response.status >= 300) {
      throw new SearchSetupError(
        `${request.method} ${this.urlFor(request.path).pathname} answered ${response.status}: ${response.text.slice(0, 300)}`,
      );
    }
    return response;
  }
}
