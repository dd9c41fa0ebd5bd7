// The events one right depends on, read from the event store: its filing stream, the disputes against it, the upheld
// disputes against its creator (repeat-infringer rule) and the policy stream. The read model only says which dispute
// streams to read; the facts come from the streams.
import type { DataSource, EntityManager } from 'typeorm';
import { filingStream, type WorkFiledData } from '../filing/filing.events.js';
import { disputeStream } from '../disputes/dispute.events.js';
import type { EventStore } from '../ledger/event-store.port.js';
import { DisputeView } from '../projections/dispute-view.entity.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { POLICY_STREAM, RIGHTS_EVENT_TYPES, ruleEvent, type RuleEvent } from '../verifier/rights-rules.js';

/** Every event a right depends on, in log order, up to leaf `upTo` (a projection replays as of its own event). */
export async function loadRightEvents(
  store: EventStore, db: Pick<DataSource | EntityManager, 'getRepository'>, filingId: string, upTo = Infinity,
): Promise<EventEnvelope[]> {
  const filingEvents = await store.readStream(filingStream(filingId));
  const filed = filingEvents.find((e) => e.type === 'WorkFiled');
  if (!filed || filed.leafIndex > upTo) return [];
  const { creator } = filed.data as WorkFiledData;
  // A dispute upheld in the end has outcome `upheld` in the read model whatever happened on the way.
  const disputes = await db.getRepository(DisputeView).find({ select: { disputeId: true }, where: [{ filingId }, { respondent: creator, outcome: 'upheld' }] });
  const streams = await Promise.all([...new Set(disputes.map((d) => d.disputeId))].map((id) => store.readStream(disputeStream(id))));
  const policy = await store.readStream(POLICY_STREAM);
  return mergeRightEvents([filingEvents, ...streams, policy], upTo);
}

/** The streams' events up to leaf `upTo`, in log order. */
export function mergeRightEvents<E extends RuleEvent>(streams: readonly (readonly E[])[], upTo: number): E[] {
  return streams.flat().filter((e) => e.leafIndex <= upTo).sort((a, b) => a.leafIndex - b.leafIndex);
}

/**
 * The rule events (ruleEvent: only what the rules read) of recently used streams, kept up to date by the batches the
 * projection runner applies, so a rebuild reads a stream from the store only when it is not among them. Safe whatever
 * happens to the read-model transaction: events in the store never change, and a batch that does not follow the last
 * one (a rebuild, a retry, a batch applied by another instance) empties the cache.
 */
export class RuleStreamCache {
  private readonly streams = new Map<string, { revision: number; events: RuleEvent[] }>();
  /** Every cached stream holds all its rule events below this leaf. */
  private end = -1;

  constructor(private readonly store: EventStore, private readonly capacity = 200_000) {}

  /** Takes in a batch of consecutive log events; `read` then answers as of its end. */
  advance(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    if (events[0].leafIndex !== this.end) this.streams.clear();
    for (const e of events) {
      const cached = this.streams.get(e.stream);
      if (cached && cached.revision + 1 !== e.revision) this.streams.delete(e.stream);
      else if (cached) this.keep(cached, e);
      else if (e.revision === 0) this.remember(e.stream, this.keep({ revision: -1, events: [] }, e));
    }
    this.end = events[events.length - 1].leafIndex + 1;
  }

  /** The stream's rule events below the end of the last batch, in log order. */
  async read(stream: string): Promise<RuleEvent[]> {
    const cached = this.streams.get(stream);
    if (cached) {
      this.streams.delete(stream); // most recently used last
      this.streams.set(stream, cached);
      return cached.events;
    }
    const entry = { revision: -1, events: [] as RuleEvent[] };
    for (const e of await this.store.readStream(stream)) if (e.leafIndex < this.end) this.keep(entry, e);
    this.remember(stream, entry);
    return entry.events;
  }

  private keep(entry: { revision: number; events: RuleEvent[] }, e: EventEnvelope): { revision: number; events: RuleEvent[] } {
    entry.revision = e.revision;
    if (RIGHTS_EVENT_TYPES.has(e.type)) entry.events.push(ruleEvent(e));
    return entry;
  }

  private remember(stream: string, entry: { revision: number; events: RuleEvent[] }): void {
    if (this.streams.size >= this.capacity) this.streams.delete(this.streams.keys().next().value!);
    this.streams.set(stream, entry);
  }
}
