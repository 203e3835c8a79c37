import type { Engine } from './engine';

/** What a setup run did, step by step (shared by the steps and the run's report). */
export type Outcome = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface StepResult {
  step: string;
  outcome: Outcome;
  detail?: string;
}

/** A write that was sent (or, on a dry run, would have been). */
export interface PlannedWrite {
  target: 'cluster' | 'dashboards';
  method: string;
  url: string;
  body: unknown;
}

export interface SetupReport {
  engine: Engine;
  steps: StepResult[];
  writes: PlannedWrite[];
}
