export {
  decodeRecordData,
  recordLines,
  recordOrigin,
  splitLines,
  type RecordLine,
  type RecordPayload,
} from './records';
export { RecordOutcomes, type RecordState } from './outcomes';
