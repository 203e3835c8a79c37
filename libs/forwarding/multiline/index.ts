export {
  compileMultiline,
  MATCH_CHARS,
  MULTILINE_DEFAULTS,
  multilineForGroup,
  type MultilineForGroup,
  type MultilineRule,
} from './config';
export { joinPayload, PART_OVERHEAD_BYTES, StreamJoin, type JoinedEvent } from './join';
export { OBJECT_JOIN_LIMITS, ObjectJoin, type ObjectJoinLimits } from './object-join';
