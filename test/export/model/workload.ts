import { HOUR_MS } from '../../../libs/exporter/time';
import type { LogsModel } from './logs-model';

interface ActiveStream {
  name: string;
  endsAt: number;
}

export interface WorkloadOptions {
  /** Earliest a late event arrives after its own timestamp, in ms (default 0). */
  minLatenessMs?: number;
  /** Latest an event may arrive after its own timestamp (late delivery), in ms. */
  maxLatenessMs: number;
  /** Share of events that arrive late at all. */
  lateShare: number;
}

/**
 * Writes like Lambda functions do: each instance gets its own stream, writes for a few hours
 * at most an hour apart, then never again. Some events carry timestamps from the past.
 */
export class Workload {
  private readonly active = new Map<string, ActiveStream[]>();
  private streamCounter = 0;
  private eventCounter = 0;

  constructor(
    private readonly model: LogsModel,
    private readonly random: () => number,
    private readonly options: WorkloadOptions,
  ) {}

  /** One hour of ingestion ending at `now` for every group that still exists. */
  hour(now: number): void {
    for (const groupName of this.model.groups.keys()) {
      const streams = (this.active.get(groupName) ?? []).filter((s) => s.endsAt > now);
      while (streams.length < 1 + Math.floor(this.random() * 3)) {
        streams.push({
          name: `instance-${++this.streamCounter}`,
          endsAt: now + (1 + this.random() * 30) * HOUR_MS,
        });
      }
      this.active.set(groupName, streams);
      for (const stream of streams) {
        const count = Math.floor(this.random() * 4);
        const events = [];
        for (let i = 0; i < count; i++) {
          const min = this.options.minLatenessMs ?? 0;
          const late =
            this.random() < this.options.lateShare
              ? min + this.random() * (this.options.maxLatenessMs - min)
              : 0;
          events.push({
            id: `evt-${++this.eventCounter}`,
            timestamp: Math.floor(now - this.random() * HOUR_MS - late),
          });
        }
        // Always write at least once an hour so a stream is never idle while it is alive.
        if (events.length === 0) events.push({ id: `evt-${++this.eventCounter}`, timestamp: now - 1 });
        this.model.putLogEvents(groupName, stream.name, events);
      }
    }
  }
}
