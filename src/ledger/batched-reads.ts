// Reads a round trip away, batched: the reads of one turn of the event loop are answered by one query.
/** Most keys in one query; more reads in a turn make several queries. */
const MAX_KEYS = 500;

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (e: unknown) => void;
}

/**
 * Gathers the reads asked for in one turn of the event loop (the requests whose I/O arrived in it) and sends one
 * query for all their keys, at the end of the turn: each read sees at least every commit that completed before it was
 * asked for, as a query of its own would. Reads of the same key in a turn share the answer, which callers must not
 * change.
 */
export class BatchedReads<K, V> {
  private pending = new Map<K, Array<Waiter<V>>>();
  private turn: NodeJS.Immediate | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(
    /** The value of each key found (a key left out has none); one query. */
    private readonly fetch: (keys: K[]) => Promise<Map<K, V>>,
  ) {}

  /** The key's value, undefined when there is none. */
  read(key: K): Promise<V | undefined> {
    if (this.closed) return Promise.reject(new Error('closed'));
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) waiting.push({ resolve, reject });
      else this.pending.set(key, [{ resolve, reject }]);
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
    for (let i = 0; i < all.length; i += MAX_KEYS) {
      const done: Promise<void> = this.answer(all.slice(i, i + MAX_KEYS)).finally(() => this.inFlight.delete(done));
      this.inFlight.add(done);
    }
  }

  private async answer(batch: Array<[K, Array<Waiter<V>>]>): Promise<void> {
    let found: Map<K, V>;
    try {
      found = await this.fetch(batch.map(([key]) => key));
    } catch (err) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(err);
      return;
    }
    for (const [key, waiters] of batch) for (const w of waiters) w.resolve(found.get(key));
  }
}

/** Rows grouped by a column, in the order the query returned them. */
export function groupRows<K, R>(rows: readonly R[], key: (r: R) => K): Map<K, R[]> {
  const groups = new Map<K, R[]>();
  for (const r of rows) {
    const k = key(r);
    const list = groups.get(k);
    if (list) list.push(r);
    else groups.set(k, [r]);
  }
  return groups;
}
