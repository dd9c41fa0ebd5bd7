// Group commit, the front both SQL stores share: the appends called in one turn of the event loop (or while a commit
// is in flight) queue up and are written together as one batch by the store's drain, each answered once it is durable.
import { types } from 'node:util';
import type { AppendResult, StreamAppend } from './event-store.port.js';
import { prepareAppends, validateAppends, type PreparedAppend } from './append-planning.js';
import type { RecentCommits } from './recent-commits.js';
import type { SizeListeners } from './size-listeners.js';

/** One appendMulti call waiting for the next group commit. */
export interface QueuedAppend {
  appends: PreparedAppend[];
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}
/** What one command of a group commit came to. */
export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/**
 * A store's drain: writes one batch and answers each of its appends (answer, fail). Synchronous, or a promise while
 * it waits on the database; a throw or a rejection fails the appends of the batch it has not answered.
 */
export type DrainBatch = (batch: QueuedAppend[]) => void | Promise<void>;

export class GroupCommit {
  private queue: QueuedAppend[] = [];
  private refusing = false;
  /** The next batch, waiting for its turn of the event loop. */
  private turn: NodeJS.Immediate | null = null;
  /** The batch an asynchronous drain is writing; one at a time. */
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly drain: DrainBatch,
    /** Most commands in one batch. */
    private readonly maxBatch: number,
    private readonly recent: RecentCommits,
    private readonly listeners: SizeListeners,
  ) {}

  get closed(): boolean {
    return this.refusing;
  }

  /**
   * Queues the append for the next group commit and resolves once that commit is durable. Expectations are checked
   * in the order of the calls; a failing command (ConcurrencyError, anything else) fails alone.
   */
  async append(appends: StreamAppend[]): Promise<AppendResult> {
    validateAppends(appends);
    if (this.refusing) throw new Error('the event store is closed');
    const prepared = prepareAppends(appends);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ appends: prepared, resolve, reject });
      this.schedule();
    });
  }

  /** After a commit, before anyone is answered: its events join the recent ones, then the listeners learn the new size. */
  answer(batch: readonly QueuedAppend[], outcomes: readonly AppendOutcome[]): void {
    const events = outcomes.flatMap((o) => (o.ok ? o.result.events : []));
    if (events.length > 0) {
      this.recent.add(events);
      this.listeners.notify(events[events.length - 1].leafIndex + 1);
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.result) : batch[i].reject(o.error)));
  }

  /** Nothing of the batch was stored (or the outcome is unknown): every append of it fails with `error`. */
  fail(batch: readonly QueuedAppend[], error: unknown): void {
    for (const q of batch) q.reject(error);
  }

  /** Refuses later appends, then writes those already queued (they were accepted). */
  async close(): Promise<void> {
    this.refusing = true;
    for (;;) {
      if (this.inFlight) {
        await this.inFlight;
      } else if (this.turn) {
        clearImmediate(this.turn); // closing: the queued batch need not wait for its turn
        this.turn = null;
        this.next();
      } else {
        return;
      }
    }
  }

  private schedule(): void {
    if (this.turn || this.inFlight) return;
    // setImmediate, not a microtask: the requests whose I/O arrived in this turn of the loop get to queue their appends.
    this.turn = setImmediate(() => {
      this.turn = null;
      this.next();
    });
  }

  /**
   * Writes the next batch. A synchronous drain holds the event loop, so the batch after it waits for the next turn;
   * an asynchronous one let the loop run while it waited, and what queued meanwhile is written straight after.
   */
  private next(): void {
    const batch = this.queue.splice(0, this.maxBatch);
    if (batch.length === 0) return;
    let written: void | Promise<void> = undefined;
    try {
      written = this.drain(batch);
    } catch (err) {
      this.fail(batch, err);
    }
    // A promise of any realm: one made by node's own modules is not `instanceof` this realm's Promise when the code
    // runs in a vm context (jest's ESM modules), and two batches would then be written at once.
    if (types.isPromise(written)) {
      this.inFlight = written
        .catch((err: unknown) => this.fail(batch, err))
        .then(() => {
          this.inFlight = null;
          this.next();
        });
    } else if (this.queue.length > 0) {
      this.schedule();
    }
  }
}
