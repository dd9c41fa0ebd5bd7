// Batched stream reads for a store a round trip away: the readStream calls made in one turn of the event loop are
// answered by one query, each caller getting envelopes of its own.
import type { EventEnvelope } from '../../verifier/envelope.js';
import { rowToEnvelope, type EventRow } from './event-reads.js';

/** Most streams in one query; more calls in a turn make several queries. */
const MAX_STREAMS = 500;

interface Waiter {
  resolve: (events: EventEnvelope[]) => void;
  reject: (e: unknown) => void;
}

export class StreamReads {
  private pending = new Map<string, Waiter[]>();
  private turn: NodeJS.Immediate | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    /** The rows of every stream named, grouped by stream and each stream's in revision order. */
    private readonly fetch: (streams: string[]) => Promise<EventRow[]>,
  ) {}

  /**
   * The stream's events in revision order. The query is sent after this call (at the end of the turn), so it sees
   * at least every commit that completed before the call.
   */
  read(stream: string): Promise<EventEnvelope[]> {
    if (this.closed) return Promise.reject(new Error('the event store is closed'));
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(stream);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(stream, [{ resolve, reject }]);
      // setImmediate, not a microtask: the requests whose I/O arrived in this turn of the loop get to add their reads.
      this.turn ??= setImmediate(() => this.flush());
    });
  }

  /** Answers the reads already asked for, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.turn) {
      clearImmediate(this.turn);
      this.flush();
    }
    await Promise.allSettled([...this.inFlight]);
  }

  private flush(): void {
    this.turn = null;
    const all = [...this.pending];
    this.pending = new Map();
    for (let i = 0; i < all.length; i += MAX_STREAMS) {
      const batch = all.slice(i, i + MAX_STREAMS);
      const done = this.answer(batch).finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    }
  }

  private async answer(batch: Array<[string, Waiter[]]>): Promise<void> {
    let rows: EventRow[];
    try {
      rows = await this.fetch(batch.map(([stream]) => stream));
    } catch (err) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
      return;
    }
    const byStream = new Map<string, EventRow[]>();
    for (const r of rows) {
      const list = byStream.get(r.stream);
      if (list) list.push(r);
      else byStream.set(r.stream, [r]);
    }
    for (const [stream, waiters] of batch) {
      const found = byStream.get(stream) ?? [];
      for (const w of waiters) {
        try {
          w.resolve(found.map(rowToEnvelope)); // parsed per caller: no caller sees another's changes
        } catch (err) {
          w.reject(err);
        }
      }
    }
  }
}
