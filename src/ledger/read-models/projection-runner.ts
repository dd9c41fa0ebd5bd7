// The one projection runner: applies every read model in log order, advancing its checkpoint in the same transaction.
import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { EventStore, Unsubscribe } from '../event-store/event-store.port.js';
import type { EventEnvelope } from '../../verifier/envelope.js';
import { processCommitClock } from '../event-store/append-planning.js';
import { orderProjections, type Projection } from './projection.js';
import { ProjectionCheckpoint } from './projection-checkpoint.entity.js';
import { createMissingIndexes, dropLooseIndexes } from './rebuild-indexes.js';
import { BatchRows } from './row-batch.js';
import { runInBatch, type BatchStatement } from './batch-statements.js';
import { DomainError } from '../../common/domain-error.js';
import { RepeatedLines } from '../../common/repeated-lines.js';

const CHECKPOINT = 'read-models';
/** Moves the checkpoint $2 to $1 if it stands at $3. */
const CLAIM_BATCH: BatchStatement = {
  name: 'runner.claim-batch',
  text: ({ table, column: c, param }) =>
    `UPDATE ${table(ProjectionCheckpoint)} SET ${c('position')} = ${param(1)} WHERE ${c('name')} = ${param(2)} AND ${c('position')} = ${param(3)}`,
};
/** Events per transaction: each projection reads and writes its rows once per batch. */
const BATCH = 10_000;
/**
 * Events per transaction in a rebuild: a row that later events change (a filing labelled after it was filed) is more
 * often written once, and fewer commits write each changed page; it holds a few hundred MB of events at a time.
 */
const REBUILD_BATCH = 50_000;
/**
 * SQLite page cache while rebuilding, in KiB (negative: a size, not a page count): the unique index on content hashes
 * takes inserts in random order, and a batch's changed pages stay in memory until its commit.
 */
const REBUILD_PAGE_CACHE = -256 * 1024;
/**
 * WAL pages between the connection's own checkpoints while rebuilding (the checkpoint thread's backstop otherwise, see
 * src/ledger/sqlite/wal-checkpoints.ts, whose checkpoints go on meanwhile).
 */
const REBUILD_CHECKPOINT_PAGES = 64 * 1024;
/**
 * How long the runner lets commits gather before applying them when no request waits for them: writes are answered
 * from their events, and the read models follow in one transaction per batch rather than one per commit.
 */
const FOLLOW_DELAY_MS = 10;
/**
 * SQLite: the read models' connection does not wait for a write lock another connection holds (see openReadModels),
 * since better-sqlite3 would wait on the event loop. A write transaction found busy is tried again after a pause,
 * doubled from the first to the longest, with the event loop free meanwhile.
 */
const BUSY_PAUSE_FIRST_MS = 5;
const BUSY_PAUSE_LONGEST_MS = 200;
/** How long a write other than a batch (an idempotency record) keeps trying: as long as SQLite's busy timeout waited. */
const BUSY_WAIT_MS = 5000;

/** SQLite's refusal of a lock another connection holds (SQLITE_BUSY and its extended codes), as TypeORM passes it on. */
function isBusy(err: unknown): boolean {
  const e = err as { code?: unknown; driverError?: { code?: unknown } } | null;
  return /^SQLITE_BUSY/.test(String(e?.code ?? e?.driverError?.code ?? ''));
}

/**
 * A write to the read models (an Idempotency-Key's record) found them locked by another process for as long as it may
 * wait: 503, to be sent again (a request whose events were appended finds them by its key, and is told so).
 */
export class ReadModelsLocked extends DomainError {
  readonly name = 'ReadModelsLocked';
  readonly retryAfterSeconds = 1;
  constructor(cause: unknown) {
    super('unavailable', 'unavailable', "another process holds the read models' database locked: send the request again");
    this.cause = cause;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Waiter {
  position: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class ProjectionRunner {
  private readonly logger = new Logger('projections');
  /** A failure retried every second (a batch by rules this build does not know, a database out of reach) is logged once a minute. */
  private readonly failures = new RepeatedLines(60_000, (line) => this.logger.error(line));
  /** Next log position to apply; every event before it is in the read models. */
  private next = 0;
  private running: Promise<void> | null = null;
  private again = false;
  private waiters: Waiter[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe: Unsubscribe | null = null;
  private retry: NodeJS.Timeout | null = null;
  private follow: NodeJS.Timeout | null = null;
  /** On a shared store: the timer that looks for what other instances wrote and applied (followOthers). */
  private others: NodeJS.Timeout | null = null;
  /** The next pass first takes up where the shared checkpoint stands, when another instance applied beyond `next`. */
  private adoptShared = false;
  private rebuilding = false;
  private stopped = false;
  /** Since when the next batch has found the read models locked by another connection (null: it has not). */
  private busySince: number | null = null;
  /** The log size this process knows of without reading it: that of its own latest commit. */
  private known = 0;
  /**
   * The next pass reads the log's size from the store (at start, in a rebuild, after a failure, and for a reader waiting
   * for a position beyond `known`, which another instance may have written); otherwise it applies up to `known`.
   */
  private countNeeded = true;
  private readonly appliedListeners = new Set<(events: readonly EventEnvelope[]) => void>();

  private projections: Projection[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly db: DataSource,
    projections: readonly Projection[] = [],
    /** Events per transaction, in a rebuild too; by default BATCH, and REBUILD_BATCH in a rebuild. */
    private readonly batchSize?: number,
  ) {
    this.register(projections);
  }

  /** Adds read models before the runner starts; every batch is applied to them in dependency order. */
  register(projections: readonly Projection[]): void {
    if (this.unsubscribe || this.running) throw new Error('projections are registered before the runner starts');
    this.projections = orderProjections([...this.projections, ...projections]);
  }

  /** A runner over the same read models that applies `batchSize` events per transaction (tests, tools). */
  withBatchSize(batchSize: number): ProjectionRunner {
    return new ProjectionRunner(this.store, this.db, this.projections, batchSize);
  }

  /** The registered read models, in the order each batch is applied to them. */
  get names(): string[] {
    return this.projections.map((p) => p.name);
  }

  /** The next log position to apply: the read models hold everything before it (it moves once a batch has committed). */
  get position(): number {
    return this.next;
  }

  async start(): Promise<void> {
    // The row must exist before any batch locks it (instances sharing PostgreSQL claim batches through it). Read first:
    // written only once, by the first start, so a start while another process holds the write lock is not held up.
    const checkpoint = () => this.db.getRepository(ProjectionCheckpoint).findOneBy({ name: CHECKPOINT });
    let row = await checkpoint();
    if (!row) {
      await this.exclusive((em) =>
        em.createQueryBuilder().insert().into(ProjectionCheckpoint).values({ name: CHECKPOINT, position: 0 }).orIgnore().execute(),
      );
      row = await checkpoint();
    }
    this.next = row?.position ?? 0;
    this.unsubscribe = this.store.subscribe((size) => {
      this.known = Math.max(this.known, size);
      this.followSoon();
    });
    await this.catchUp();
  }

  /**
   * On a store other instances write too and that does not tell this one of their commits (PostgreSQL): every
   * `intervalMs`, whether or not this one is asked anything, takes up the batches they applied (one read of the shared
   * checkpoint) and applies what none has yet, so an idle instance's read models, and its /health `projectedTo`, keep
   * up with the log rather than wait for its next request.
   */
  followOthers(intervalMs: number): void {
    if (this.others || intervalMs <= 0) return;
    this.others = setInterval(() => {
      // Not while a pass runs, nor while a failed one waits for its retry (which reads the log's size itself).
      if (this.stopped || this.running || this.retry) return;
      this.adoptShared = true;
      this.countNeeded = true;
      void this.catchUp().catch(() => undefined);
    }, intervalMs);
    this.others.unref();
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.retry) clearTimeout(this.retry);
    if (this.follow) clearTimeout(this.follow);
    if (this.others) clearInterval(this.others);
    this.failures.flush();
  }

  /** Applies the commits of the next few milliseconds together (a reader waiting for them starts at once: waitFor). */
  private followSoon(): void {
    this.follow ??= setTimeout(() => {
      this.follow = null;
      void this.catchUp().catch(() => undefined);
    }, FOLLOW_DELAY_MS);
  }

  /**
   * Serialises every write to the read-model database (one SQLite connection cannot nest transactions). On SQLite the
   * transaction takes the write lock with its first statement, before `work` runs: a lock held by another connection
   * (a tool, a backup) is found before anything is done, and the transaction is tried again, with other reads and
   * writes served meanwhile, for up to `busyWaitMs` (then SQLITE_BUSY is thrown).
   */
  async exclusive<T>(work: (em: EntityManager) => Promise<T>, busyWaitMs = BUSY_WAIT_MS): Promise<T> {
    const giveUpAt = Date.now() + busyWaitMs;
    for (let wait = BUSY_PAUSE_FIRST_MS; ; wait = Math.min(wait * 2, BUSY_PAUSE_LONGEST_MS)) {
      try {
        return await this.serial(() => this.db.transaction(async (em) => (await this.lockForWrite(em), work(em))));
      } catch (err) {
        if (!isBusy(err)) throw err;
        if (this.stopped || Date.now() >= giveUpAt) throw busyWaitMs > 0 ? new ReadModelsLocked(err) : err;
      }
      await pause(wait);
    }
  }

  /** SQLite: takes the write lock now (a deferred transaction takes it at its first write, maybe after reads). */
  private async lockForWrite(em: EntityManager): Promise<void> {
    if (this.db.options.type === 'postgres') return;
    const table = this.db.getMetadata(ProjectionCheckpoint).tableName;
    await em.query(`UPDATE "${table}" SET "position" = "position" WHERE 0`);
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
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
    return () => {
      this.appliedListeners.delete(entry);
    };
  }

  /** Resolves once the event at `leafIndex` is in the read models (read-your-writes). */
  waitFor(leafIndex: number): Promise<void> {
    if (leafIndex < this.next) return Promise.resolve();
    if (leafIndex >= this.known) this.countNeeded = true;
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
        const failure = `projection failed at position ${this.next}: ${(err as Error).message}`;
        this.failures.line(failure, failure);
        this.failWaiters(err as Error);
        this.countNeeded = true;
        if (!this.stopped)
          this.retry ??= setTimeout(() => {
            this.retry = null;
            void this.catchUp().catch(() => undefined);
          }, 1000);
        throw err;
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /**
   * Clears every read model and replays the whole log. On SQLite the tables the projections name are filled without
   * their non-unique indexes, created again at the end (or, if the process stops first, when the read models are next
   * opened), with a larger page cache and fewer WAL checkpoints meanwhile. Rows and checkpoint commit together as in any
   * batch and synchronous stays NORMAL, so a rebuild stopped at any point resumes from its checkpoint like a catch-up.
   */
  async rebuild(onProgress?: (applied: number, total: number) => void): Promise<void> {
    await this.running?.catch(() => undefined);
    const sqlite = this.db.options.type !== 'postgres';
    const unindexed = sqlite ? this.projections.flatMap((p) => p.rebuiltWithoutIndexes ?? []) : [];
    const restore = sqlite
      ? {
          cache_size: await this.pragma('cache_size', REBUILD_PAGE_CACHE),
          wal_autocheckpoint: await this.pragma('wal_autocheckpoint', REBUILD_CHECKPOINT_PAGES),
        }
      : null;
    try {
      await this.exclusive(async (em) => {
        await dropLooseIndexes(em.queryRunner!, unindexed);
        for (const p of this.projections) await p.clear(em);
        await em.save(ProjectionCheckpoint, { name: CHECKPOINT, position: 0 });
      });
      this.next = 0;
      this.rebuilding = true;
      this.countNeeded = true;
      await this.catchUp(onProgress);
    } finally {
      this.rebuilding = false;
      if (unindexed.length > 0) await this.exclusive((em) => createMissingIndexes(em.queryRunner!, unindexed));
      if (restore) {
        for (const [name, value] of Object.entries(restore)) await this.pragma(name, value);
        await this.truncateWal();
      }
    }
  }

  /**
   * Brings the WAL back to its usual size after a rebuild. The checkpoint thread may hold SQLite's checkpoint lock for a
   * moment, and a checkpoint is refused (busy) rather than made to wait for it: tried again, a few times.
   */
  private async truncateWal(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const [row] = (await this.serial(() => this.db.query('PRAGMA wal_checkpoint(TRUNCATE)'))) as Array<{ busy: number }>;
      if (row?.busy === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.logger.warn('the WAL of the read models stays large after the rebuild: its checkpoint was busy');
  }

  /** Sets a SQLite pragma of the read-model connection; returns the value it had. */
  private pragma(name: string, value: number): Promise<number> {
    return this.serial(async () => {
      const [before] = (await this.db.query(`PRAGMA ${name}`)) as Array<Record<string, number>>;
      await this.db.query(`PRAGMA ${name} = ${Math.trunc(value)}`);
      return before[name];
    });
  }

  private async applyAll(onProgress?: (applied: number, total: number) => void): Promise<void> {
    if (this.adoptShared) {
      // What another instance applied is in the shared read models: no need to read those events to find it out.
      this.adoptShared = false;
      const shared = await this.db.getRepository(ProjectionCheckpoint).findOneBy({ name: CHECKPOINT });
      if (shared && shared.position > this.next) {
        this.next = shared.position;
        this.releaseWaiters();
      }
    }
    // Following this process's own commits needs no read of the log's size: the store told it.
    let total = this.known;
    if (this.countNeeded) {
      this.countNeeded = false;
      total = Math.max(total, await this.store.count());
    }
    while (this.next < total && !this.stopped) {
      const batch = await this.store.readAll(this.next, { limit: this.batchSize ?? (this.rebuilding ? REBUILD_BATCH : BATCH) });
      if (batch.length === 0) break;
      if (batch[0].leafIndex !== this.next) throw new Error(`store returned position ${batch[0].leafIndex}, expected ${this.next}`);
      // Events other instances wrote, by their clocks: this process's commands never state an earlier time (ledger-clock.ts).
      processCommitClock.observe(batch[batch.length - 1].recordedAt);
      const end = batch[batch.length - 1].leafIndex + 1;
      this.next = await this.applyBatch(batch, end);
      if (this.next === end) for (const l of [...this.appliedListeners]) l(batch);
      this.releaseWaiters();
      onProgress?.(end, total);
    }
    if (this.next >= total) this.releaseWaiters();
  }

  /**
   * Applies `batch` (ending before `end`) in one transaction with the checkpoint; returns where the checkpoint then
   * stands. While another connection holds the SQLite file's write lock, the batch waits for it as long as it takes,
   * without holding the event loop: requests are answered meanwhile, and those waiting for the read models get their
   * 503 when their own wait ends. A transaction found busy did nothing (the lock is its first statement), so the same
   * batch is applied once, and in order, when the lock is released.
   */
  private async applyBatch(batch: readonly EventEnvelope[], end: number): Promise<number> {
    const apply = async (em: EntityManager) => {
      // Another instance on the same read models may have applied (or a rebuild reset) this batch meanwhile.
      const stored = await this.claimBatch(em, this.next, end);
      if (stored !== this.next) return stored;
      const rows = new BatchRows(em);
      for (const p of this.projections) await p.applyBatch(batch, em, rows);
      await rows.flush();
      return end;
    };
    for (let wait = BUSY_PAUSE_FIRST_MS; ; wait = Math.min(wait * 2, BUSY_PAUSE_LONGEST_MS)) {
      try {
        const stands = await this.exclusive(apply, 0);
        if (this.busySince !== null) this.logger.log(`the read models' lock was let go after ${Date.now() - this.busySince} ms`);
        this.busySince = null;
        return stands;
      } catch (err) {
        if (!isBusy(err)) throw err;
        if (this.stopped) return this.next; // closing: the batch is applied at the next start
        if (this.busySince === null) {
          this.busySince = Date.now();
          this.logger.warn(`the read models are locked by another connection: position ${this.next} is applied once it lets go`);
        }
      }
      await pause(wait);
      if (this.stopped) return this.next;
    }
  }

  /**
   * Moves the checkpoint from `from` to `to` in the batch's transaction, in one statement, if it still stands at `from`;
   * otherwise returns where it stands. On PostgreSQL the UPDATE row-locks the checkpoint until commit: one instance
   * applies a batch, another waits for its commit, finds the checkpoint moved and skips it.
   */
  private async claimBatch(em: EntityManager, from: number, to: number): Promise<number> {
    const { changes } = await runInBatch(em, CLAIM_BATCH, [to, CHECKPOINT, from]);
    if (changes === 1) return from;
    const row = await em.getRepository(ProjectionCheckpoint).findOneBy({ name: CHECKPOINT });
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
