import { AppError } from '../../libs/runtime/errors';

/** Something about the search cluster or the setup run went wrong; the message says what and where. */
export class SearchSetupError extends AppError {}

export type EngineKind = 'elasticsearch' | 'opensearch';

/** What the setup needs to know about the cluster to pick the right variant of each artifact. */
export interface Engine {
  kind: EngineKind;
  version: string;
  /** `flattened` (Elasticsearch) or `flat_object` (OpenSearch 2.7+) is available for `json`. */
  flatJson: boolean;
}

/** Major/minor of a version string such as "8.15.1" or "2.11.0-SNAPSHOT". */
function majorMinor(version: string): [number, number] {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
}

export function atLeast(version: string, major: number, minor: number): boolean {
  const [a, b] = majorMinor(version);
  return a > major || (a === major && b >= minor);
}

/**
 * Reads the engine from the body of `GET /`. OpenSearch says `version.distribution: "opensearch"`;
 * Elasticsearch has no distribution. Versions without what the artifacts need are refused here,
 * before anything is written.
 */
export function engineFromRootInfo(info: unknown): Engine {
  const version = (info as { version?: { number?: unknown; distribution?: unknown; build_flavor?: unknown } })
    ?.version;
  if (typeof version?.number !== 'string') {
    throw new SearchSetupError(
      'GET / did not answer with version.number: is this Elasticsearch or OpenSearch?',
    );
  }
  const number = version.number;
  if (version.distribution === 'opensearch') {
    return { kind: 'opensearch', version: number, flatJson: atLeast(number, 2, 7) };
  }
  if (version.build_flavor === 'oss') {
    // Legacy Amazon Elasticsearch Service domains: no ILM and no `flattened` (X-Pack features).
    throw new SearchSetupError(
      `Elasticsearch ${number} OSS has neither ILM nor the flattened type; upgrade the domain to OpenSearch`,
    );
  }
  if (!atLeast(number, 7, 14)) {
    throw new SearchSetupError(
      `Elasticsearch ${number} is too old: ILM policies with _meta need 7.14 or later`,
    );
  }
  return { kind: 'elasticsearch', version: number, flatJson: true };
}
