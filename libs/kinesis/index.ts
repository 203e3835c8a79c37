export { createKinesisForwarder, forwardKinesis, isKinesisEvent, type KinesisForwarder } from './forward';
export { decodeRecordData, splitLines, type RecordLine, type RecordPayload } from './records';
export { lineDocument, recordOrigin, type RecordOrigin } from './documents';
export { RecordOutcomes, type RecordState } from './outcomes';
