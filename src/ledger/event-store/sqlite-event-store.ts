// Embedded SQLite event store (the default): one file, WAL, group commit (the appends of one event-loop turn share
// one transaction and one fsync; each is answered only once that commit is durable).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import type { EventEnvelope } from '../../verifier/envelope.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  StreamAppend,
  Unsubscribe,
} from './event-store.port.js';
import { openSqliteFile } from '../sqlite/open-file.js';
import { setPragma, setWal, SYNCHRONOUS_LEVEL } from '../sqlite/pragma.js';
import { checkpointInBackground } from '../sqlite/wal-checkpoints.js';
import {
  CommitClock,
  NO_HEAD,
  planPrepared,
  processCommitClock,
  type AdmitEvent,
  type PreparedAppend,
  type StreamHead,
} from './append-planning.js';
import { rowToEnvelope, validateReadAll, type EventRow } from './event-reads.js';
import { GroupCommit, type AppendOutcome, type QueuedAppend } from './group-commit.js';
import { deepFreeze, RecentCommits } from './recent-commits.js';
import { SizeListeners } from './size-listeners.js';

/** The page cache of the server's own SQLite files (the events, the Merkle tree), in KiB: SQLite's default. */
export const SQLITE_PAGE_CACHE_KIB = 2000;

const COLUMNS = 'position, id, stream, revision, type, data, meta, recorded_at AS recordedAt, prev_hash AS prevHash, hash';

export interface SqliteEventStoreOptions {
  /** FULL (default): a resolved append survives power loss. NORMAL: survives a process crash only, ~7x more commits/s. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Most commands in one group commit (default 1000): bounds how long one commit holds the event loop. */
  maxBatch?: number;
  /** Where commit times come from (default: the process's clock). */
  clock?: CommitClock;
  /** What may be appended (append-planning.ts): asked of each event before its commit; a refused event fails its command. */
  admit?: AdmitEvent;
  /**
   * Streams that many writes read and few write (the policy): held in memory once read, and read again after this
   * connection writes to them or any other connection commits (SQLite's data_version). Their envelopes come frozen.
   */
  heldStreams?: readonly string[];
}

/** The batch being written: the next free position, the heads of the streams it has touched so far, the last time recorded. */
interface BatchState {
  next: number;
  heads: Map<string, StreamHead>;
  lastRecordedAt: string | null;
}

export class SqliteEventStore implements EventStore {
  private readonly listeners = new SizeListeners();
  private readonly recent = new RecentCommits();
  private readonly stmt: {
    maxPosition: Database.Statement<[], number | null>;
    lastRecordedAt: Database.Statement<[], string | undefined>;
    head: Database.Statement<[string], StreamHead | undefined>;
    insert: Database.Statement<unknown[]>;
    readStream: Database.Statement<[string], EventRow>;
    readAll: Database.Statement<[number, number], EventRow>;
    ping: Database.Statement<[]>;
    dataVersion: Database.Statement<[], number>;
  };
  /** The held streams read so far, and the data_version read just before them (another connection's commit changes it). */
  private readonly held = new Map<string, readonly EventEnvelope[]>();
  private heldAt = -1;
  /** Appends called since the last group commit; written together on the next turn of the event loop. */
  private readonly commits: GroupCommit;
  private batch: BatchState = { next: 0, heads: new Map(), lastRecordedAt: null };
  private readonly batchTx: Database.Transaction<(queued: QueuedAppend[]) => AppendOutcome[]>;
  private readonly commandTx: Database.Transaction<(appends: PreparedAppend[]) => AppendResult>;

  private constructor(
    private readonly db: Database.Database,
    maxBatch: number,
    private readonly clock: CommitClock,
    private readonly heldStreams: ReadonlySet<string>,
    private readonly admit?: AdmitEvent,
  ) {
    this.stmt = {
      maxPosition: db.prepare<[], number | null>('SELECT max(position) FROM events').pluck(),
      lastRecordedAt: db.prepare<[], string | undefined>('SELECT recorded_at FROM events ORDER BY position DESC LIMIT 1').pluck(),
      head: db.prepare('SELECT revision, hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1'),
      insert: db.prepare(
        `INSERT INTO events (position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      readStream: db.prepare(`SELECT ${COLUMNS} FROM events WHERE stream = ? ORDER BY revision`),
      readAll: db.prepare(`SELECT ${COLUMNS} FROM events WHERE position >= ? ORDER BY position LIMIT ?`),
      ping: db.prepare('SELECT 1'),
      dataVersion: db.prepare<[], number>('PRAGMA data_version').pluck(),
    };
    this.commits = new GroupCommit((batch) => this.writeBatch(batch), maxBatch, this.recent, this.listeners);
    // One BEGIN IMMEDIATE … COMMIT for the whole batch: the write lock is taken up front, so the reads below and
    // the inserts see one state, and another connection's commit cannot slip in between.
    this.batchTx = db.transaction((queued: QueuedAppend[]) => {
      this.batch = {
        next: (this.stmt.maxPosition.get() ?? -1) + 1,
        heads: new Map(),
        lastRecordedAt: this.stmt.lastRecordedAt.get() ?? null,
      };
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
      const { rows, result } = planPrepared(
        appends,
        this.batch.next,
        heads,
        { clock: this.clock, previousRecordedAt: this.batch.lastRecordedAt },
        this.admit,
      );
      for (const { envelope: e, dataText, metaText } of rows) {
        this.stmt.insert.run(e.leafIndex, e.id, e.stream, e.revision, e.type, dataText, metaText, e.recordedAt, e.prevHash, e.hash);
      }
      // Only now, with every insert done: later commands of the batch see this one's effects.
      for (const [stream, head] of heads) this.batch.heads.set(stream, head);
      this.batch.next = result.lastPosition + 1;
      this.batch.lastRecordedAt = rows[rows.length - 1].envelope.recordedAt;
      return result;
    });
  }

  static open(file: string, opts: SqliteEventStoreOptions = {}): SqliteEventStore {
    const synchronous = opts.synchronous ?? 'FULL';
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new TypeError(`invalid synchronous ${String(synchronous)}`);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    const maxBatch = opts.maxBatch ?? 1000;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new TypeError(`invalid maxBatch ${maxBatch}`);
    return openSqliteFile(file, (db) => {
      setWal(db);
      setPragma(db, 'synchronous', synchronous, SYNCHRONOUS_LEVEL[synchronous]);
      // SQLite's own page cache size (better-sqlite3 builds it with 16 MB): appends touch the end of the table and its
      // indexes, and older pages come back from the OS's cache. 16 MB per connection was most of the server's RSS
      // growth under load, for no measured speed (BENCH_ONLY=http: 274–278 MiB peak instead of 293–296, same filings/s).
      setPragma(db, 'cache_size', -SQLITE_PAGE_CACHE_KIB);
      checkpointInBackground(db);
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
      return new SqliteEventStore(db, maxBatch, opts.clock ?? processCommitClock, new Set(opts.heldStreams), opts.admit);
    });
  }

  async appendToStream(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.appendMulti([{ stream, events, expectedRevision }]);
  }

  /** Group commit: written with the other appends of this turn of the event loop (see GroupCommit). */
  appendMulti(appends: StreamAppend[]): Promise<AppendResult> {
    return this.commits.append(appends);
  }

  /** Writes one batch in one transaction, then answers each append (synchronous=FULL: after the fsync). */
  private writeBatch(batch: QueuedAppend[]): void {
    if (!this.db.open) throw new Error('the event store is closed');
    let outcomes: AppendOutcome[];
    try {
      // A throw means SQLite rolled the batch back: nothing of it is stored, and every append of it fails.
      outcomes = this.batchTx.immediate(batch);
    } finally {
      // Every stream the batch meant to write, committed or not: read again before anyone is answered.
      if (this.held.size > 0) for (const q of batch) for (const a of q.appends) this.held.delete(a.stream);
    }
    this.commits.answer(batch, outcomes);
  }

  async readStream(stream: string): Promise<EventEnvelope[]> {
    if (!this.heldStreams.has(stream)) return this.stmt.readStream.all(stream).map(rowToEnvelope);
    // data_version first, then the rows: a commit elsewhere between the two changes the version the next read sees, so
    // at worst the stream is read once more (rows first, then the version, could hold rows older than the version).
    const version = this.stmt.dataVersion.get()!;
    if (version !== this.heldAt) {
      this.held.clear();
      this.heldAt = version;
    }
    let events = this.held.get(stream);
    if (!events) {
      events = deepFreeze(this.stmt.readStream.all(stream).map(rowToEnvelope));
      this.held.set(stream, events);
    }
    return [...events];
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
    await this.commits.close();
    this.listeners.clear();
    this.recent.clear();
    if (this.db.open) this.db.close();
  }
}
