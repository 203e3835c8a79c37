/**
 * What the rules file did to an invocation's events, by rule name: events dropped (a filter, or
 * a rule's include/exclude: one vocabulary, one metric) and events masked. Logged with the
 * invocation's line and published as EMF metrics `Dropped` and `Masked` with a `Rule`
 * dimension, so nothing disappears unseen.
 */
export class RuleTally {
  dropped = 0;
  masked = 0;
  readonly droppedBy = new Map<string, number>();
  readonly maskedBy = new Map<string, number>();

  drop(rule: string): void {
    this.dropped++;
    this.droppedBy.set(rule, (this.droppedBy.get(rule) ?? 0) + 1);
  }

  /** One event changed by the mask rule `rule` (events, not replacements, are counted). */
  mask(rule: string): void {
    this.masked++;
    this.maskedBy.set(rule, (this.maskedBy.get(rule) ?? 0) + 1);
  }

  /** Fields for the invocation's log line: totals always, per rule when any. */
  logFields(): Record<string, unknown> {
    return {
      dropped: this.dropped,
      masked: this.masked,
      ...(this.dropped > 0 ? { dropped_by_rule: Object.fromEntries(this.droppedBy) } : {}),
      ...(this.masked > 0 ? { masked_by_rule: Object.fromEntries(this.maskedBy) } : {}),
    };
  }

  /** One set of values per rule that dropped or masked anything: `{ Dropped?, Masked? }`. */
  metricsByRule(): Map<string, Record<string, number>> {
    const byRule = new Map<string, Record<string, number>>();
    for (const [rule, count] of this.droppedBy) byRule.set(rule, { Dropped: count });
    for (const [rule, count] of this.maskedBy) byRule.set(rule, { ...byRule.get(rule), Masked: count });
    return byRule;
  }
}
