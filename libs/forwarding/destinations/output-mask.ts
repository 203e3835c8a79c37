import type { DeadLetter, DeadLetterSink } from './dead-letter';
import { setLogLineMask } from '../../runtime/logger';
import { GroupScreen, NO_LOG_GROUP, type MessageRules } from '../filters-and-masks/screen';

/**
 * The stage's masks on what the functions write besides documents and archive lines (those are
 * masked on their way in: screen.ts): dead letters, the functions' own log lines and errors,
 * and the notifier's Slack messages. Each value is masked on its tree like a JSON message
 * (structure.ts): every string, secret-named fields whole.
 */
export class OutputMasks {
  /** Every mask of the file, whatever its log groups: for what belongs to no log group. */
  private readonly every: GroupScreen;

  constructor(private readonly rules: MessageRules) {
    this.every = new GroupScreen([], rules.masks);
  }

  /** `value` masked by every mask of the file (log lines, errors, Slack messages). */
  value<T>(value: T): T {
    return maskOrWithhold(this.every, value);
  }

  /** A dead letter masked as its log group's events are (every mask when it has no group). */
  deadLetter(entry: DeadLetter): DeadLetter {
    const screen =
      entry.logGroup === undefined ? this.every : this.rules.forGroup(entry.logGroup ?? NO_LOG_GROUP);
    return screen === undefined || screen.masks.length === 0 ? entry : maskOrWithhold(screen, entry);
  }

  /** A dead-letter sink that masks every entry before it is stored. */
  deadLetters(sink: DeadLetterSink): DeadLetterSink {
    return { put: (entries) => sink.put(entries.map((entry) => this.deadLetter(entry))) };
  }
}

/**
 * The value masked. Masking cannot fail on JSON values (too deep: masked as text), but a value
 * that is not JSON-shaped at all (a cycle) is withheld rather than written unmasked.
 */
function maskOrWithhold<T>(screen: GroupScreen, value: T): T {
  try {
    return screen.maskValue(value, new Set()) as T;
  } catch (error) {
    return { withheld: `could not be masked (${(error as Error).name})` } as T;
  }
}

/**
 * The output masks of a stage's rules file (undefined without masks), installed on the
 * process's log lines: called once at cold start by each function that reads the file.
 */
export function installOutputMasks(rules: MessageRules | undefined): OutputMasks | undefined {
  const masks = rules === undefined || rules.masks.length === 0 ? undefined : new OutputMasks(rules);
  setLogLineMask(masks && ((line) => masks.value(line)));
  return masks;
}
