import type { DeadLetter, DeadLetterSink, EncodedDocument, Transport } from '../destinations';

/** What became of one Kinesis record in this invocation. */
export interface RecordState {
  sequenceNumber: string;
  /** Documents (and dead letters) of this record not yet delivered, found duplicate or dead-lettered. */
  pending: number;
  /** Why the record can never be decoded; set for poison records. */
  poison?: string;
}

/**
 * Maps delivery outcomes back to the Kinesis record each document came from. `Delivery` only
 * counts outcomes; this wraps the transport and the dead-letter sink it uses and settles a
 * document when the destination accepted it (delivered, or 409: already there) or when its dead
 * letter was stored. After `close()` a record with anything unsettled is a batch item failure.
 * Objects are keyed weakly, so one tracker serves every invocation of a container (and
 * concurrent invocations in tests) without per-invocation state.
 */
export class RecordOutcomes {
  private readonly owners = new WeakMap<object, RecordState>();

  /** Registers a document or dead-letter event of a record before it is pushed. */
  track(item: object, state: RecordState): void {
    state.pending++;
    this.owners.set(item, state);
  }

  private settle(item: unknown): void {
    if (typeof item !== 'object' || item === null) return;
    const state = this.owners.get(item);
    if (state === undefined) return;
    state.pending--;
    this.owners.delete(item);
  }

  wrapTransport(inner: Transport): Transport {
    return {
      kind: inner.kind,
      encode: (doc) => inner.encode(doc),
      decode: (text) => inner.decode(text),
      send: async (batch: readonly EncodedDocument[], timeoutMs: number) => {
        const outcomes = await inner.send(batch, timeoutMs);
        outcomes.forEach((outcome, i) => {
          if (outcome.kind === 'delivered' || outcome.kind === 'duplicate') this.settle(batch[i]!.doc);
        });
        return outcomes;
      },
    };
  }

  wrapDeadLetters(inner: DeadLetterSink): DeadLetterSink {
    return {
      put: async (entries: readonly DeadLetter[]) => {
        const location = await inner.put(entries);
        for (const entry of entries) this.settle(entry.document ?? entry.event);
        return location;
      },
    };
  }
}
