import type { Writable } from 'node:stream';
import { serializeDocument } from '../documents/serialize';
import type { LogDocument } from '../documents/types';
import { encodedText, type EncodedDocument, type ItemOutcome, type Transport } from './types';

/** The embedded default: one JSON document per line on stdout, for `sls invoke local`, grep and jq. */
export class StdoutTransport implements Transport {
  readonly kind = 'stdout';

  constructor(private readonly out: Writable = process.stdout) {}

  encode(doc: LogDocument): string {
    return `${serializeDocument(doc)}\n`;
  }

  decode(text: string): LogDocument {
    return JSON.parse(text) as LogDocument;
  }

  async send(batch: readonly EncodedDocument[]): Promise<ItemOutcome[]> {
    let text = '';
    for (const item of batch) text += encodedText(item);
    await new Promise<void>((resolve, reject) =>
      this.out.write(text, (error) => (error ? reject(error) : resolve())),
    );
    return batch.map(() => ({ kind: 'delivered' }));
  }
}
