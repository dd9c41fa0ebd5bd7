// The in-memory tail of the log that the SQL stores' readAll answers from.
import type { EventEnvelope } from '../../verifier/envelope.js';

/** Envelopes shared by the appender and every reader of the log: frozen, so none of them can change what another sees. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The envelopes of this process's latest commits, contiguous and in log order: readAll answers from them, so the
 * readers that follow the log (projections, Merkle log, near-duplicate index) get the events of a commit as the append
 * built them (hashed once, never parsed back from the store). Bounded; a commit that does not follow the last one
 * (another process appended in between) starts it afresh.
 */
export class RecentCommits {
  private events: EventEnvelope[] = [];

  constructor(private readonly capacity = 1024) {}

  /** The events of one commit, in log order (the caller's AppendResult envelopes, frozen here). */
  add(committed: readonly EventEnvelope[]): void {
    if (committed.length === 0) return;
    const last = this.events[this.events.length - 1];
    if (last && committed[0].leafIndex !== last.leafIndex + 1) this.events = [];
    for (const e of committed) this.events.push(deepFreeze(e));
    if (this.events.length > this.capacity) this.events = this.events.slice(this.events.length - this.capacity);
  }

  /** Up to `limit` events from `fromPosition` on, when that position is held; null when the store must be read. */
  read(fromPosition: number, limit: number): EventEnvelope[] | null {
    const first = this.events[0];
    if (!first || fromPosition < first.leafIndex || fromPosition > this.events[this.events.length - 1].leafIndex) return null;
    const start = fromPosition - first.leafIndex;
    return this.events.slice(start, start + limit);
  }

  clear(): void {
    this.events = [];
  }
}
