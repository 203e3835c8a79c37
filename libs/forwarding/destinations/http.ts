import http from 'node:http';
import https from 'node:https';
import { TransportError } from './types';

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpRequest {
  url: URL;
  method: 'GET' | 'POST' | 'PUT';
  headers: Record<string, string>;
  body?: Buffer;
  timeoutMs: number;
  /** The largest answer read (MAX_ANSWER_BYTES unless given): a larger one is a TransportError. */
  maxAnswerBytes?: number;
}

/**
 * The most of an answer's body that is buffered: 16 MiB. A `_bulk` answer filtered to ids,
 * statuses and errors is about 100 bytes per item (a few MB for 10,000 items with long reasons);
 * search setup's answers are smaller. Without a cap a 200 answer of hundreds of MB was buffered
 * whole (708 MB RSS) or killed the process (ERR_STRING_TOO_LONG thrown outside any request).
 */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** How much of a refusal (a status outside 2xx) is read: its start names the problem. */
const REFUSAL_BYTES = 64 * 1024;

/** The answer's body is larger than the cap: it was not read further, the connection dropped. */
export class AnswerTooLargeError extends TransportError {}

/**
 * A small HTTP client on node:http with keep-alive agents shared per container: one TCP/TLS
 * connection per concurrent batch, reused across invocations. Errors become TransportError.
 */
export class HttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(maxSockets: number) {
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets }),
      https: new https.Agent({ keepAlive: true, maxSockets }),
    };
  }

  /**
   * `timeoutMs` bounds the whole exchange, from connecting to the answer's last byte (the caller
   * passes at most the invocation's remaining time): a server that trickles its answer a byte at
   * a time, which an idle-socket timeout never cuts, cannot hold the invocation past it.
   */
  request(req: HttpRequest): Promise<HttpResponse> {
    const isHttps = req.url.protocol === 'https:';
    const send = isHttps ? https.request : http.request;
    return new Promise<HttpResponse>((resolve, reject) => {
      const deadline = setTimeout(() => {
        request.destroy(
          new TransportError(`${req.url.host} did not answer in full within ${req.timeoutMs} ms`, true),
        );
      }, req.timeoutMs);
      const settle =
        <T>(done: (value: T) => void) =>
        (value: T) => {
          clearTimeout(deadline);
          done(value);
        };
      resolve = settle(resolve);
      reject = settle(reject);
      const request = send(
        req.url,
        {
          method: req.method,
          headers: req.body ? { ...req.headers, 'content-length': String(req.body.length) } : req.headers,
          agent: isHttps ? this.agents.https : this.agents.http,
          timeout: req.timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          const status = response.statusCode ?? 0;
          // A refusal is read for its first bytes only (they go into an error message); its
          // status still decides (401 is not retried, 413 halves the batch, 429 waits).
          const refusal = status < 200 || status >= 300;
          const limit = Math.min(req.maxAnswerBytes ?? MAX_ANSWER_BYTES, refusal ? REFUSAL_BYTES : Infinity);
          let received = 0;
          const answer = () => ({
            status,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received <= limit) {
              chunks.push(chunk);
              return;
            }
            if (refusal) {
              chunks.push(chunk.subarray(0, chunk.length - (received - limit)));
              resolve(answer());
              request.destroy();
              return;
            }
            // Retryable: what the destination did with the request is unknown, so nothing is
            // counted delivered; a retry's documents already indexed come back as 409 duplicates.
            chunks.length = 0;
            const error = new AnswerTooLargeError(
              `answer from ${req.url.host} is larger than ${limit} bytes (status ${status}): not read further`,
              true,
            );
            reject(error);
            request.destroy(error);
          });
          response.on('error', (cause) =>
            reject(
              cause instanceof TransportError
                ? cause
                : new TransportError(`response from ${req.url.host} broke off`, true, undefined, { cause }),
            ),
          );
          response.on('end', () => {
            try {
              resolve(answer());
            } catch (cause) {
              // Never thrown out of this handler (it would escape every caller and end the process).
              reject(
                new TransportError(`answer from ${req.url.host} could not be read`, true, undefined, {
                  cause,
                }),
              );
            }
          });
        },
      );
      request.on('timeout', () => {
        request.destroy(
          new TransportError(`no response from ${req.url.host} within ${req.timeoutMs} ms`, true),
        );
      });
      request.on('error', (cause) => {
        reject(
          cause instanceof TransportError
            ? cause
            : new TransportError(
                `request to ${req.url.host} failed: ${(cause as Error).message}`,
                true,
                undefined,
                {
                  cause,
                },
              ),
        );
      });
      request.end(req.body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

/** Whole-request statuses worth retrying: throttling and server-side trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 408 || status >= 500;
}
