// The events one right depends on, read from the event store: its filing stream, the disputes against it, the upheld
// disputes against its creator (repeat-infringer rule) and the policy stream. The read model only says which dispute
// streams to read; the facts come from the streams.
import type { DataSource, EntityManager } from 'typeorm';
import { filingStream, type WorkFiledData } from '../filing/filing.events.js';
import { disputeStream } from '../disputes/dispute.events.js';
import type { EventStore } from '../ledger/event-store/event-store.port.js';
import { DisputeView } from '../disputes/dispute-view.entity.js';
import { knownPolicy } from '../policy/policy.decider.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import { POLICY_STREAM, RIGHTS_EVENT_TYPES, ruleEvent, type RuleEvent } from '../verifier/rights-events.js';

/**
 * Every event a right depends on, in log order, up to leaf `upTo`; refused (503 ruleset-unknown) when the policy holds a
 * version under rules newer than this build's.
 */
export async function loadRightEvents(
  store: EventStore,
  db: Pick<DataSource | EntityManager, 'getRepository'>,
  filingId: string,
  upTo = Infinity,
): Promise<EventEnvelope[]> {
  const filingEvents = await store.readStream(filingStream(filingId));
  const filed = filingEvents.find((e) => e.type === 'WorkFiled');
  if (!filed || filed.leafIndex > upTo) return [];
  const { creator } = filed.data as WorkFiledData;
  // A dispute upheld in the end has outcome `upheld` in the read model whatever happened on the way.
  const disputes = await db
    .getRepository(DisputeView)
    .find({ select: { disputeId: true }, where: [{ filingId }, { respondent: creator, outcome: 'upheld' }] });
  const streams = await Promise.all([...new Set(disputes.map((d) => d.disputeId))].map((id) => store.readStream(disputeStream(id))));
  return mergeRightEvents([filingEvents, ...streams, await readKnownPolicy(store)], upTo);
}

/** The policy stream's events; refused (knownPolicy: 503 ruleset-unknown) when a version settles by rules newer than this build's. */
export async function readKnownPolicy(store: EventStore): Promise<EventEnvelope[]> {
  const events = await store.readStream(POLICY_STREAM);
  knownPolicy(events);
  return events;
}

/** The streams' events up to leaf `upTo`, in log order. */
export function mergeRightEvents<E extends RuleEvent>(streams: readonly (readonly E[])[], upTo: number): E[] {
  return streams
    .flat()
    .filter((e) => e.leafIndex <= upTo)
    .sort((a, b) => a.leafIndex - b.leafIndex);
}

/**
 * The rule events (ruleEvent: only what the rules read) of recently used streams, kept up to date by the batches the
 * projection runner applies, so a rebuild reads a stream from the store only when it is not among them. Safe whatever
 * happens to the read-model transaction: events in the store never change, and a batch that does not follow the last
 * one (a rebuild, a retry, a batch applied by another instance) empties the cache.
 *
 * It holds only streams that begin with a rule event (filings, disputes, the policy, settlements), not the content
 * reservations and other streams the rules never read, and at most `capacity` of them, or four times the events of the
 * last batch when that is more: a server following its own commits applies small batches and keeps the streams of its
 * last few thousand filings, while a rebuild's batches of 50,000 events keep the streams of the last 200,000 (its
 * events reach further back). Each held filing costs about half a kilobyte of memory.
 */
export class RuleStreamCache {
  /** Streams used since the last turnover, and those used in the generation before (forgotten at the next turnover). */
  private recent = new Map<string, CachedStream>();
  private older = new Map<string, CachedStream>();
  /** Every cached stream holds all its rule events below this leaf. */
  private end = -1;

  /** The most streams held now: `capacity`, or four times the last batch's events. */
  private limit: number;

  constructor(
    private readonly store: EventStore,
    private readonly capacity = 20_000,
  ) {
    this.limit = capacity;
  }

  /** How many streams it holds. */
  get size(): number {
    return this.recent.size + this.older.size;
  }

  /** Takes in a batch of consecutive log events; `read` then answers as of its end. */
  advance(events: readonly EventEnvelope[]): void {
    if (events.length === 0) return;
    this.limit = Math.max(this.capacity, 4 * events.length);
    if (events[0].leafIndex !== this.end) {
      this.recent.clear();
      this.older.clear();
    }
    for (const e of events) {
      const cached = this.recent.get(e.stream) ?? this.older.get(e.stream);
      if (cached && cached.revision + 1 !== e.revision) {
        this.recent.delete(e.stream);
        this.older.delete(e.stream);
      } else if (cached) keep(cached, e);
      else if (e.revision === 0 && RIGHTS_EVENT_TYPES.has(e.type)) this.remember(e.stream, keep({ revision: -1, events: [] }, e));
    }
    this.end = events[events.length - 1].leafIndex + 1;
  }

  /** The stream's rule events below the end of the last batch, in log order. */
  async read(stream: string): Promise<RuleEvent[]> {
    const cached = this.recent.get(stream) ?? this.older.get(stream);
    if (cached) {
      if (!this.recent.has(stream)) this.remember(stream, cached);
      return cached.events;
    }
    const entry: CachedStream = { revision: -1, events: [] };
    for (const e of await this.store.readStream(stream)) if (e.leafIndex < this.end) keep(entry, e);
    this.remember(stream, entry);
    return entry.events;
  }

  private remember(stream: string, entry: CachedStream): void {
    if (this.recent.size >= this.limit / 2) {
      this.older = this.recent;
      this.recent = new Map();
    }
    this.recent.set(stream, entry);
  }
}

type CachedStream = { revision: number; events: RuleEvent[] };

function keep(entry: CachedStream, e: EventEnvelope): CachedStream {
  entry.revision = e.revision;
  if (RIGHTS_EVENT_TYPES.has(e.type)) entry.events.push(ruleEvent(e));
  return entry;
}
