// The one projection runner: applies every read model in log order, advancing its checkpoint in the same transaction.
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore, Unsubscribe } from '../ledger/event-store.port.js';
import type { EventEnvelope } from '../verifier/envelope.js';
import type { Projection } from './projection.js';
import { ProjectionCheckpoint } from './read-model.entities.js';

const CHECKPOINT = 'read-models';
/** Events per transaction: each projection reads and writes its rows once per batch. */
const BATCH = 10_000;

interface Waiter { position: number; resolve: () => void; reject: (e: Error) => void }

export class ProjectionRunner {
  private readonly logger = new Logger('projections');
  /** Next log position to apply; every event before it is in the read models. */
  private next = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private waiters: Waiter[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe: Unsubscribe | null = null;
  private retry: NodeJS.Timeout | null = null;
  private readonly appliedListeners = new Set<(events: readonly EventEnvelope[]) => void>();

  constructor(
    private readonly store: EventStore,
    private readonly db: DataSource,
    private readonly projections: Projection[],
    private readonly batchSize = BATCH,
  ) {}

  get position(): number {
    return this.next;
  }

  async start(): Promise<void> {
    // The row must exist before any batch locks it (instances sharing PostgreSQL claim batches through it).
    await this.db.createQueryBuilder().insert().into(ProjectionCheckpoint).values({ name: CHECKPOINT, position: 0 }).orIgnore().execute();
    const row = await this.db.getRepository(ProjectionCheckpoint).findOneBy({ name: CHECKPOINT });
    this.next = row?.position ?? 0;
    this.unsubscribe = this.store.subscribe(() => void this.catchUp().catch(() => undefined));
    await this.catchUp();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.retry) clearTimeout(this.retry);
  }

  /** Serialises every write to the read-model database (one SQLite connection cannot nest transactions). */
  exclusive<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => this.db.transaction(work));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Called with every batch this runner has committed to the read models, before the writers waiting for it resume
   * (so an in-memory cache of a read model, e.g. API keys, is invalidated before a revocation is answered).
   */
  onApplied(listener: (events: readonly EventEnvelope[]) => void): Unsubscribe {
    const entry = (events: readonly EventEnvelope[]) => listener(events);
    this.appliedListeners.add(entry);
    return () => { this.appliedListeners.delete(entry); };
  }

  /** Resolves once the event at `leafIndex` is in the read models (read-your-writes). */
  waitFor(leafIndex: number): Promise<void> {
    if (leafIndex < this.next) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ position: leafIndex, resolve, reject }));
    void this.catchUp().catch(() => undefined);
    return p;
  }

  /** Applies all events up to the log's current size. Concurrent calls share one pass. */
  catchUp(onProgress?: (applied: number, total: number) => void): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.applyAll(onProgress);
        } while (this.again);
      } catch (err) {
        this.logger.error(`projection failed at position ${this.next}: ${(err as Error).message}`);
        this.failWaiters(err as Error);
        this.retry ??= setTimeout(() => { this.retry = null; void this.catchUp().catch(() => undefined); }, 1000);
        throw err;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Clears every read model and replays the whole log. */
  async rebuild(onProgress?: (applied: number, total: number) => void): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.exclusive(async (em) => {
      for (const p of this.projections) await p.clear(em);
      await em.save(ProjectionCheckpoint, { name: CHECKPOINT, position: 0 });
    });
    this.next = 0;
    await this.catchUp(onProgress);
  }

  private async applyAll(onProgress?: (applied: number, total: number) => void): Promise<void> {
    const total = await this.store.count();
    while (this.next < total) {
      const batch = await this.store.readAll(this.next, { limit: this.batchSize });
      if (batch.length === 0) break;
      if (batch[0].leafIndex !== this.next) throw new Error(`store returned position ${batch[0].leafIndex}, expected ${this.next}`);
      const end = batch[batch.length - 1].leafIndex + 1;
      this.next = await this.exclusive(async (em) => {
        // Another instance on the same read models may have applied (or a rebuild reset) this batch meanwhile.
        const stored = await this.lockCheckpoint(em);
        if (stored !== this.next) return stored;
        for (const p of this.projections) await p.applyBatch(batch, em);
        await em.update(ProjectionCheckpoint, { name: CHECKPOINT }, { position: end });
        return end;
      });
      if (this.next === end) for (const l of [...this.appliedListeners]) l(batch);
      this.releaseWaiters();
      onProgress?.(end, total);
    }
    if (this.next >= total) this.releaseWaiters();
  }

  /** The stored checkpoint, row-locked until commit on PostgreSQL: one instance applies a batch, the others skip it. */
  private async lockCheckpoint(em: EntityManager): Promise<number> {
    const shared = em.connection.options.type === 'postgres';
    const row = await em.getRepository(ProjectionCheckpoint).findOne({ where: { name: CHECKPOINT }, ...(shared ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
    return row?.position ?? 0;
  }

  private releaseWaiters(): void {
    const ready = this.waiters.filter((w) => w.position < this.next);
    this.waiters = this.waiters.filter((w) => w.position >= this.next);
    ready.forEach((w) => w.resolve());
  }

  private failWaiters(err: Error): void {
    const all = this.waiters;
    this.waiters = [];
    all.forEach((w) => w.reject(err));
  }
}
