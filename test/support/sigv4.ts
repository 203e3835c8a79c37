import { createHash, createHmac } from 'node:crypto';

/**
 * An independent SigV4 implementation, written from the published algorithm, used only to
 * check the signatures our destination library produces (which uses @smithy/signature-v4).
 */
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();
const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const rfc3986 = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export interface SignInput {
  method: string;
  path: string;
  /** Decoded query parameters. */
  query: Array<[string, string]>;
  /** Header names in any case; only those listed in signedHeaders are used. */
  headers: Record<string, string>;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  region: string;
  service: string;
  secretAccessKey: string;
}

export function signature(input: SignInput): string {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.headers)) lower[name.toLowerCase()] = value;
  const signed = [...input.signedHeaders].sort();
  const canonicalHeaders = signed
    .map((name) => `${name}:${(lower[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonicalQuery = input.query
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalPath = input.path
    .split('/')
    .map((segment) => rfc3986(rfc3986(decodeURIComponent(segment))))
    .join('/');
  const canonicalRequest = [
    input.method,
    canonicalPath,
    canonicalQuery,
    canonicalHeaders,
    signed.join(';'),
    input.payloadHash,
  ].join('\n');
  const date = input.amzDate.slice(0, 8);
  const scope = `${date}/${input.region}/${input.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${input.secretAccessKey}`, date);
  for (const part of [input.region, input.service, 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

export { sha256Hex };

/** Parses `AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/es/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string):
  | {
      accessKeyId: string;
      date: string;
      region: string;
      service: string;
      signedHeaders: string[];
      signature: string;
    }
  | undefined {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      header,
    );
  if (!match) return undefined;
  return {
    accessKeyId: match[1]!,
    date: match[2]!,
    region: match[3]!,
    service: match[4]!,
    signedHeaders: match[5]!.split(';'),
    signature: match[6]!,
  };
}
