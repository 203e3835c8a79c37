export {
  compileMultiline,
  MATCH_CHARS,
  MULTILINE_DEFAULTS,
  multilineForGroup,
  type MultilineForGroup,
  type MultilineRule,
} from './config';
export { joinPayload, ObjectJoin, StreamJoin, type JoinedEvent, type ObjectJoinLimits } from './join';
