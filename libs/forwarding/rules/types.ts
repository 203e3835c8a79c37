import type { LogDocument } from '../documents/types';
import type { Predicate } from './conditions';
import type { FieldType } from './convert';
import type { FieldPath } from './paths';
import type { TimeParser } from './time-format';

export const PARSER_TYPES = ['json', 'lambda', 'regex'] as const;
export type ParserType = (typeof PARSER_TYPES)[number];

/** One parse step: read `field`, parse it, merge the result at `target` (the root when undefined). */
export interface ParseStep {
  type: ParserType;
  field: FieldPath;
  target?: FieldPath;
  regex?: RegExp;
  /** Named groups of the regex, in order, read once at compile time. */
  groups?: string[];
}

export interface TimeStep {
  field: FieldPath;
  parse: TimeParser;
  format: string;
  keep: boolean;
}

/** A validated rule, ready to apply. */
export interface CompiledRule {
  name: string;
  matches: Predicate;
  parse: ParseStep[];
  time?: TimeStep;
  types: Array<{ field: FieldPath; name: string; type: FieldType }>;
  include: Predicate[];
  exclude: Predicate[];
  rename: Array<{ from: FieldPath; to: FieldPath }>;
  add: Array<{ field: FieldPath; value: unknown }>;
  drop: FieldPath[];
  /**
   * Index for the document's timestamp (epoch ms); undefined keeps the default index. Its
   * `prefix` names the dataset in data stream mode (INDEX_MODE=datastream).
   */
  index?: { nameFor(timestampMs: number): string; readonly prefix: string };
}

/** What applying the rules did to one document. */
export type RuleOutcome =
  | { kind: 'unmatched'; doc: LogDocument }
  | { kind: 'routed'; doc: LogDocument; rule: string; failed: boolean }
  | { kind: 'excluded'; rule: string };
