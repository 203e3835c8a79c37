/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read the engine's answers field by field */
/** A few calls to a real engine node, as the tests read back what it holds. */
export class EngineClient {
  constructor(readonly url: string) {}

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : undefined };
  }

  async ok(method: string, path: string, body?: unknown): Promise<any> {
    const { status, json } = await this.request(method, path, body);
    if (status < 200 || status >= 300)
      throw new Error(`${method} ${path} answered ${status}: ${JSON.stringify(json)}`);
    return json;
  }

  /** Documents in the indices matching `pattern`, after a refresh (the forwarder never waits for one). */
  async count(pattern: string, query?: unknown): Promise<number> {
    await this.ok('POST', `/${pattern}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
    const answer = await this.ok(
      'POST',
      `/${pattern}/_count?ignore_unavailable=true&allow_no_indices=true`,
      query === undefined ? undefined : { query },
    );
    return answer.count as number;
  }

  async deleteIndices(pattern: string): Promise<void> {
    await this.request(
      'DELETE',
      `/${pattern}?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all`,
    );
  }
}
