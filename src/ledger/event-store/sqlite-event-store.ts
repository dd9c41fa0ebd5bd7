// Embedded SQLite event store (the default): one file, WAL, group commit (the appends of one event-loop turn share
// one transaction and one fsync; each is answered only once that commit is durable).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { computeEventHash, ZERO_HASH } from '../../verifier/envelope.js';
import type { EventEnvelope, JsonObject, Sha256 } from '../../verifier/envelope.js';
import { ConcurrencyError } from './event-store.port.js';
import type {
  AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, StreamAppend, Unsubscribe,
} from './event-store.port.js';
import { nativeSha256 } from '../native-sha256.js';

// ---- Store-independent helpers, shared with the PostgreSQL store (kept here so no other file is needed). ----

export const DEFAULT_READ_LIMIT = 1000;

/** The last event of a stream as the append sees it; revision -1 (and ZERO_HASH) when the stream does not exist. */
export interface StreamHead { revision: number; hash: string }
export const NO_HEAD: StreamHead = { revision: -1, hash: ZERO_HASH };

/** One row to insert: the envelope plus the exact JSON text that reads back as its data and meta. */
export interface PlannedRow { envelope: EventEnvelope; dataText: string; metaText: string }

/** The stored row shape both SQL stores select (column aliases match). */
export interface EventRow {
  position: number | string; id: string; stream: string; revision: number; type: string;
  data: string; meta: string; recordedAt: string; prevHash: string; hash: string;
}

const isPlainObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const isExpectedRevision = (x: unknown): x is ExpectedRevision =>
  x === 'no-stream' || x === 'any' || x === 'stream-exists' || (Number.isSafeInteger(x) && (x as number) >= 0);

/** Rejects malformed calls before any transaction starts (an empty append is a caller bug, not a no-op). */
export function validateAppends(appends: StreamAppend[]): void {
  if (!Array.isArray(appends) || appends.length === 0) throw new TypeError('appendMulti: no streams to append to');
  for (const a of appends) {
    if (typeof a.stream !== 'string' || a.stream === '') throw new TypeError('stream must be a non-empty string');
    if (!isExpectedRevision(a.expectedRevision)) {
      throw new TypeError(`stream ${a.stream}: invalid expected revision ${String(a.expectedRevision)}`);
    }
    if (!Array.isArray(a.events) || a.events.length === 0) throw new TypeError(`stream ${a.stream}: no events to append`);
    for (const e of a.events) {
      if (typeof e?.type !== 'string' || e.type === '') throw new TypeError(`stream ${a.stream}: event type must be a non-empty string`);
      if (!isPlainObject(e.data) || !isPlainObject(e.meta)) throw new TypeError(`stream ${a.stream}: data and meta must be JSON objects`);
    }
  }
}

export function expectationHolds(expected: ExpectedRevision, lastRevision: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return lastRevision === -1;
  if (expected === 'stream-exists') return lastRevision >= 0;
  return lastRevision === expected;
}

/** An event serialised once, when the append is called: what is stored, and the value that reads back from it. */
export interface PreparedEvent { type: string; data: JsonObject; meta: JsonObject; dataText: string; metaText: string }
export interface PreparedAppend { stream: string; expectedRevision: ExpectedRevision; events: PreparedEvent[] }

/**
 * Serialises every event's data and meta (throws TypeError on what JSON cannot hold, e.g. a BigInt or a cycle).
 * Done at call time, outside any transaction: later changes to the caller's objects cannot alter the append.
 */
export function prepareAppends(appends: StreamAppend[]): PreparedAppend[] {
  return appends.map(({ stream, expectedRevision, events }) => ({
    stream, expectedRevision,
    events: events.map((e) => {
      // Hash what reads back: the JSON round trip drops undefined, turns non-finite numbers into null, calls toJSON.
      const dataText = JSON.stringify(e.data);
      const metaText = JSON.stringify(e.meta);
      if (typeof dataText !== 'string' || typeof metaText !== 'string') throw new TypeError(`stream ${stream}: data and meta must serialise to JSON objects`);
      return { type: e.type, data: JSON.parse(dataText) as JsonObject, meta: JSON.parse(metaText) as JsonObject, dataText, metaText };
    }),
  }));
}

/**
 * Checks every expectation and builds the envelopes of one commit. `heads` holds the current head of every
 * stream named in `appends`; appends to the same stream within one batch see the earlier ones.
 * Throws ConcurrencyError on the first failed expectation (the caller rolls back).
 */
export function planAppend(
  appends: StreamAppend[], firstPosition: number, heads: Map<string, StreamHead>, sha256: Sha256,
): { rows: PlannedRow[]; result: AppendResult } {
  return planPrepared(prepareAppends(appends), firstPosition, heads, sha256);
}

/** planAppend for appends already serialised by prepareAppends. */
export function planPrepared(
  appends: PreparedAppend[], firstPosition: number, heads: Map<string, StreamHead>, sha256: Sha256,
): { rows: PlannedRow[]; result: AppendResult } {
  const recordedAt = new Date().toISOString(); // one commit, one timestamp: ISO-8601 UTC with ms
  const rows: PlannedRow[] = [];
  const nextRevisions: Record<string, number> = {};
  let position = firstPosition;
  for (const { stream, expectedRevision, events } of appends) {
    let head = heads.get(stream) ?? NO_HEAD;
    if (!expectationHolds(expectedRevision, head.revision)) throw new ConcurrencyError(stream, expectedRevision, head.revision);
    for (const e of events) {
      const row = buildRow(stream, head, e, position++, recordedAt, sha256);
      rows.push(row);
      head = { revision: row.envelope.revision, hash: row.envelope.hash };
    }
    heads.set(stream, head);
    nextRevisions[stream] = head.revision;
  }
  return { rows, result: { events: rows.map((r) => r.envelope), nextRevisions, lastPosition: position - 1 } };
}

function buildRow(stream: string, head: StreamHead, e: PreparedEvent, leafIndex: number, recordedAt: string, sha256: Sha256): PlannedRow {
  const body = {
    v: 1 as const, id: uuidv7(), stream, revision: head.revision + 1, type: e.type,
    data: e.data, meta: e.meta, recordedAt, prevHash: head.revision < 0 ? ZERO_HASH : head.hash,
  };
  return { envelope: { ...body, hash: computeEventHash(body, sha256), leafIndex }, dataText: e.dataText, metaText: e.metaText };
}

export function rowToEnvelope(r: EventRow): EventEnvelope {
  return {
    v: 1, id: r.id, stream: r.stream, revision: Number(r.revision), type: r.type,
    data: JSON.parse(r.data) as JsonObject, meta: JSON.parse(r.meta) as JsonObject,
    recordedAt: r.recordedAt, prevHash: r.prevHash, hash: r.hash, leafIndex: Number(r.position),
  };
}

export function validateReadAll(fromPosition: number, options?: ReadAllOptions): number {
  if (!Number.isSafeInteger(fromPosition) || fromPosition < 0) throw new TypeError(`invalid position ${fromPosition}`);
  const limit = options?.limit ?? DEFAULT_READ_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) throw new TypeError(`invalid limit ${limit}`);
  return limit;
}

/** In-process log-size listeners: called after commits, only with growing sizes; a throwing listener cannot break an append. */
export class SizeListeners {
  private readonly listeners = new Set<(logSize: number) => void>();
  private size = 0;

  subscribe(listener: (logSize: number) => void): Unsubscribe {
    const entry = (n: number) => listener(n); // a wrapper, so the same function may subscribe twice
    this.listeners.add(entry);
    return () => { this.listeners.delete(entry); };
  }

  notify(logSize: number): void {
    if (logSize <= this.size) return; // commits of concurrent appends may resolve out of order: never report a shrink
    this.size = logSize;
    for (const l of [...this.listeners]) {
      try { l(logSize); } catch { /* notification is advisory; the log is the source of truth */ }
    }
  }

  clear(): void { this.listeners.clear(); }
}

/** Envelopes shared by the appender and every reader of the log: frozen, so none of them can change what another sees. */
function deepFreeze<T>(value: T): T {
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

  clear(): void { this.events = []; }
}

// ---- The SQLite store. ----

const COLUMNS = 'position, id, stream, revision, type, data, meta, recorded_at AS recordedAt, prev_hash AS prevHash, hash';

export interface SqliteEventStoreOptions {
  /** FULL (default): a resolved append survives power loss. NORMAL: survives a process crash only, ~7x more commits/s. */
  synchronous?: 'FULL' | 'NORMAL';
  sha256?: Sha256;
  /** Most commands in one group commit (default 1000): bounds how long one commit holds the event loop. */
  maxBatch?: number;
}

/** One appendMulti call waiting for the next group commit. */
interface QueuedAppend { appends: PreparedAppend[]; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }
/** What one command of a group commit came to. */
export type AppendOutcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** After a commit, before anyone is answered: its events join the recent ones, then the listeners learn the new size. */
export function announceCommit(outcomes: readonly AppendOutcome[], recent: RecentCommits, listeners: SizeListeners): void {
  const events = outcomes.flatMap((o) => (o.ok ? o.result.events : []));
  if (events.length === 0) return;
  recent.add(events);
  listeners.notify(events[events.length - 1].leafIndex + 1);
}

/** The batch being written: the next free position and the heads of the streams it has touched so far. */
interface BatchState { next: number; heads: Map<string, StreamHead> }

export class SqliteEventStore implements EventStore {
  private readonly listeners = new SizeListeners();
  private readonly recent = new RecentCommits();
  private readonly stmt: {
    maxPosition: Database.Statement<[], number | null>;
    head: Database.Statement<[string], StreamHead | undefined>;
    insert: Database.Statement<unknown[]>;
    readStream: Database.Statement<[string], EventRow>;
    readAll: Database.Statement<[number, number], EventRow>;
    ping: Database.Statement<[]>;
  };
  /** Appends called since the last group commit; written together on the next turn of the event loop. */
  private queue: QueuedAppend[] = [];
  private drainScheduled = false;
  private closed = false;
  private batch: BatchState = { next: 0, heads: new Map() };
  private readonly batchTx: Database.Transaction<(queued: QueuedAppend[]) => AppendOutcome[]>;
  private readonly commandTx: Database.Transaction<(appends: PreparedAppend[]) => AppendResult>;

  private constructor(private readonly db: Database.Database, private readonly sha256: Sha256, private readonly maxBatch: number) {
    this.stmt = {
      maxPosition: db.prepare<[], number | null>('SELECT max(position) FROM events').pluck(),
      head: db.prepare('SELECT revision, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1'),
      insert: db.prepare(
        `INSERT INTO events (position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      readStream: db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? ORDER BY revision`),
      readAll: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`),
      ping: db.prepare('SELECT 1'),
    };
    // One BEGIN IMMEDIATE … COMMIT for the whole batch: the write lock is taken up front, so the reads below and
    // the inserts see one state, and another connection's commit cannot slip in between.
    this.batchTx = db.transaction((queued: QueuedAppend[]) => {
      this.batch = { next: (this.stmt.maxPosition.get() ?? -1) + 1, heads: new Map() };
      return queued.map(({ appends }): AppendOutcome => {
        try {
          return { ok: true, result: this.commandTx(appends) };
        } catch (error) {
          if (!db.inTransaction) throw error; // SQLite rolled the whole transaction back (I/O error, disk full): fail the batch
          return { ok: false, error };
        }
      });
    });
    // Nested in batchTx, so a SAVEPOINT: a failing command is rolled back alone and its neighbours still commit.
    this.commandTx = db.transaction((appends: PreparedAppend[]) => {
      const heads = new Map<string, StreamHead>();
      for (const { stream } of appends) {
        if (!heads.has(stream)) heads.set(stream, this.batch.heads.get(stream) ?? this.stmt.head.get(stream) ?? NO_HEAD);
      }
      const { rows, result } = planPrepared(appends, this.batch.next, heads, this.sha256);
      for (const { envelope: e, dataText, metaText } of rows) {
        this.stmt.insert.run(e.leafIndex, e.id, e.stream, e.revision, e.type, dataText, metaText, e.recordedAt, e.prevHash, e.hash);
      }
      // Only now, with every insert done: later commands of the batch see this one's effects.
      for (const [stream, head] of heads) this.batch.heads.set(stream, head);
      this.batch.next = result.lastPosition + 1;
      return result;
    });
  }

  static open(file: string, opts: SqliteEventStoreOptions = {}): SqliteEventStore {
    const synchronous = opts.synchronous ?? 'FULL';
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new TypeError(`invalid synchronous ${String(synchronous)}`);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file); // default busy timeout 5 s: another connection's write transaction is waited for
    try {
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      db.exec(`CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        stream TEXT NOT NULL,
        revision INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,
        meta TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL,
        UNIQUE (stream, revision)
      )`);
      const maxBatch = opts.maxBatch ?? 1000;
      if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new TypeError(`invalid maxBatch ${maxBatch}`);
      return new SqliteEventStore(db, opts.sha256 ?? nativeSha256, maxBatch);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  async appendToStream(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.appendMulti([{ stream, events, expectedRevision }]);
  }

  /**
   * Queues the append for the next group commit and resolves once that commit is durable. Expectations are checked
   * in the order of the calls; a failing command (ConcurrencyError, anything else) fails alone.
   */
  async appendMulti(appends: StreamAppend[]): Promise<AppendResult> {
    validateAppends(appends);
    if (this.closed) throw new Error('the event store is closed');
    const prepared = prepareAppends(appends);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ appends: prepared, resolve, reject });
      this.scheduleDrain();
    });
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // setImmediate, not a microtask: the requests whose I/O arrived in this turn of the loop get to queue their appends.
    setImmediate(() => this.drain());
  }

  /** Writes up to maxBatch queued appends in one transaction, then answers each (synchronous=FULL: after the fsync). */
  private drain(): void {
    this.drainScheduled = false;
    const queued = this.queue.splice(0, this.maxBatch);
    if (this.queue.length > 0) this.scheduleDrain();
    if (queued.length === 0 || !this.db.open) {
      for (const q of queued) q.reject(new Error('the event store is closed'));
      return;
    }
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.batchTx.immediate(queued);
    } catch (err) {
      for (const q of queued) q.reject(err); // rolled back: nothing of the batch is stored
      return;
    }
    announceCommit(outcomes, this.recent, this.listeners);
    outcomes.forEach((o, i) => (o.ok ? queued[i].resolve(o.result) : queued[i].reject(o.error)));
  }

  async readStream(stream: string): Promise<EventEnvelope[]> {
    return this.stmt.readStream.all(stream).map(rowToEnvelope);
  }

  async readAll(fromPosition: number, options?: ReadAllOptions): Promise<EventEnvelope[]> {
    const limit = validateReadAll(fromPosition, options);
    // Row by row: each row's text is garbage once parsed, instead of every row of a large read held until the last.
    return this.recent.read(fromPosition, limit) ?? Array.from(this.stmt.readAll.iterate(fromPosition, limit), rowToEnvelope);
  }

  /** Read from the file rather than a cache: another connection may have appended. */
  async count(): Promise<number> {
    return (this.stmt.maxPosition.get() ?? -1) + 1;
  }

  /** The stream's last revision, -1 when it does not exist. */
  async lastRevision(stream: string): Promise<number> {
    return (this.stmt.head.get(stream) ?? NO_HEAD).revision;
  }

  subscribe(listener: (logSize: number) => void): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  /** The durability settings as this connection really runs them (for diagnostics and tests). */
  settings(): { journalMode: string; synchronous: string } {
    const names = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: names[Number(this.db.pragma('synchronous', { simple: true }))] ?? 'unknown',
    };
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  /** Commits what is already queued (those appends were accepted), then closes; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 && this.db.open) this.drain();
    this.listeners.clear();
    this.recent.clear();
    if (this.db.open) this.db.close();
  }
}
