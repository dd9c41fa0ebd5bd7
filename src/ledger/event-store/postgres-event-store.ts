// PostgreSQL event store: one global order that stays contiguous under concurrent writers in many processes.
import pg from 'pg';
import type { EventEnvelope } from '../../verifier/envelope.js';
import { ConcurrencyError } from './event-store.port.js';
import type {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  StreamAppend,
  Unsubscribe,
} from './event-store.port.js';
import { advisoryLockKey, inTransaction, jsonRows, pgConnection } from './postgres-support.js';
import {
  type AdmitEvent,
  type CommitClock,
  expectationHolds,
  NO_HEAD,
  planPrepared,
  processCommitClock,
  type PlannedRow,
  type StreamHead,
} from './append-planning.js';
import { rowToEnvelope, validateReadAll, type EventRow } from './event-reads.js';
import { GroupCommit, type AppendOutcome, type QueuedAppend } from './group-commit.js';
import { RecentCommits } from './recent-commits.js';
import { SizeListeners } from './size-listeners.js';
import { BatchedReads, groupRows } from '../batched-reads.js';

const COLUMNS = 'position, id, stream, revision, type, data, meta, recorded_at AS "recordedAt", prev_hash AS "prevHash", hash';

/**
 * The store's statements, named: each connection has PostgreSQL parse and plan them once, then only binds values.
 * Names carry the schema, so stores on different schemas never share a name with another text.
 */
export function statements(table: string, schema: string) {
  const named = (name: string, text: string) => ({ name: `ledger.${schema}.${name}`, text });
  return {
    /**
     * The events of several streams, grouped by stream, each in revision order: one index range per stream. (With
     * `stream = ANY($1)`, a generic plan made while the table was small kept scanning the whole table as it grew.)
     */
    readStreams: named(
      'read-streams',
      `SELECT e.* FROM unnest($1::text[]) AS s(stream)
         CROSS JOIN LATERAL (SELECT ${COLUMNS} FROM ${table} e WHERE e.stream = s.stream ORDER BY revision) e`,
    ),
    readAll: named('read-all', `SELECT ${COLUMNS} FROM ${table} WHERE position >= $1 ORDER BY position LIMIT $2`),
    count: named('count', `SELECT position + 1 AS n, recorded_at FROM ${table} ORDER BY position DESC LIMIT 1`),
    lastRevision: named('last-revision', `SELECT revision FROM ${table} WHERE stream = $1 ORDER BY revision DESC LIMIT 1`),
    /**
     * Under the append lock, in one statement: the head (last revision and hash) of each stream the batch writes,
     * each an index probe, and one row with no stream for the log's next position and the time of its last event.
     */
    heads: named(
      'heads',
      `SELECT s.stream, h.revision, h.hash, NULL::bigint AS next, NULL::text AS recorded_at
         FROM unnest($1::text[]) AS s(stream)
         CROSS JOIN LATERAL (SELECT revision, hash FROM ${table} e WHERE e.stream = s.stream ORDER BY revision DESC LIMIT 1) h
       UNION ALL
       (SELECT NULL, NULL, NULL, position + 1, recorded_at FROM ${table} ORDER BY position DESC LIMIT 1)`,
    ),
    insert: named(
      'insert',
      `INSERT INTO ${table} (position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash)
       SELECT position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash
         FROM json_to_recordset($1::json) AS r(position bigint, id text, stream text, revision int, type text,
                                                data text, meta text, recorded_at text, prev_hash text, hash text)`,
    ),
  };
}
type Statements = ReturnType<typeof statements>;

export interface PostgresEventStoreOptions {
  /** Schema holding the `events` table (created if missing); default `ledger`. */
  schema?: string;
  /** Most commands in one group commit (default 1000). */
  maxBatch?: number;
  /** Where commit times come from (default: the process's clock). */
  clock?: CommitClock;
  /** What may be appended (append-planning.ts): asked of each event before its commit; a refused event fails its command. */
  admit?: AdmitEvent;
}

/** The batch's INSERT failed before COMMIT was sent: nothing is stored, so its commands may be retried one by one. */
class BatchInsertFailed extends Error {
  constructor(readonly cause: unknown) {
    super('group commit insert failed');
  }
}

export class PostgresEventStore implements EventStore {
  private readonly listeners = new SizeListeners();
  private readonly recent = new RecentCommits();
  /** Appends waiting for the next group commit; one commit of this process is in flight at a time. */
  private readonly commits: GroupCommit;
  /** readStream calls waiting for the next batched read. */
  private readonly streamReads: BatchedReads<string, EventRow[]>;
  private readonly sql: Statements;
  /**
   * BEGIN (READ COMMITTED, explicitly: a stricter level would take its snapshot before the lock wait) and the append
   * lock in one simple-protocol round trip; held until COMMIT. The key is a decimal this class computed, never input.
   */
  private readonly beginLocked: string;

  private constructor(
    private readonly pool: pg.Pool,
    table: string,
    schema: string,
    lockKey: string,
    maxBatch: number,
    private readonly clock: CommitClock,
    private readonly admit?: AdmitEvent,
  ) {
    if (!/^-?\d{1,20}$/.test(lockKey)) throw new TypeError(`invalid lock key ${lockKey}`);
    this.beginLocked = `BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock(${lockKey}::bigint)`;
    this.sql = statements(table, schema);
    this.commits = new GroupCommit((batch) => this.commit(batch), maxBatch, this.recent, this.listeners);
    this.streamReads = new BatchedReads(async (streams) => {
      const { rows } = await this.pool.query<EventRow>({ ...this.sql.readStreams, values: [streams] });
      return groupRows(rows, (r) => r.stream);
    });
  }

  static async open(connectionString: string, opts: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const schema = opts.schema ?? 'ledger';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`invalid schema name ${schema}`);
    const pool = new pg.Pool(pgConnection(connectionString, 'events'));
    pool.on('error', () => {
      /* an idle client died; the next query gets a fresh connection and reports any real outage */
    });
    const table = `"${schema}".events`;
    // Per schema, so separate ledgers in one database do not serialize each other.
    const lockKey = advisoryLockKey(`sandbox-ledger/events:${schema}`);
    try {
      // Under the same lock as appends: concurrent first starts cannot race on CREATE SCHEMA / CREATE TABLE.
      await inReadCommitted(pool, async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [lockKey]);
        await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
          position BIGINT PRIMARY KEY,
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
        )`); // data/meta as TEXT, not JSONB: JSONB rewrites the text; TEXT reads back exactly what was hashed
      });
    } catch (err) {
      await pool.end();
      throw err;
    }
    const maxBatch = opts.maxBatch ?? 1000;
    if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) {
      await pool.end();
      throw new TypeError(`invalid maxBatch ${maxBatch}`);
    }
    return new PostgresEventStore(pool, table, schema, lockKey, maxBatch, opts.clock ?? processCommitClock, opts.admit);
  }

  async appendToStream(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.appendMulti([{ stream, events, expectedRevision }]);
  }

  /**
   * Group commit: appends called while a commit is in flight (or in the same turn of the event loop) are written
   * together in the next transaction, under the one advisory lock. Expectations are checked in call order against the
   * batch's own view, a failing command fails alone, and each call resolves only after COMMIT.
   */
  appendMulti(appends: StreamAppend[]): Promise<AppendResult> {
    return this.commits.append(appends);
  }

  /** One transaction for the batch; if its INSERT fails, each command is retried in a transaction of its own. */
  private async commit(batch: QueuedAppend[]): Promise<void> {
    let outcomes: AppendOutcome[];
    try {
      outcomes = await this.writeBatch(batch);
    } catch (err) {
      if (err instanceof BatchInsertFailed && batch.length > 1) {
        for (const q of batch) await this.commit([q]);
        return;
      }
      const cause = err instanceof BatchInsertFailed ? err.cause : err;
      // COMMIT itself failing (or the connection) leaves the outcome unknown: never retry, report it to every caller.
      const reported = batch.length === 1 ? await this.explainUniqueViolation(cause, batch[0].appends) : cause;
      this.commits.fail(batch, reported);
      return;
    }
    this.commits.answer(batch, outcomes);
  }

  /**
   * Four round trips, whatever the batch's size: BEGIN with the lock; the heads and the next position; one INSERT of
   * every row; COMMIT.
   */
  private writeBatch(batch: QueuedAppend[]): Promise<AppendOutcome[]> {
    return inTransaction(
      this.pool,
      async (client) => {
        // The lock is held until COMMIT: position n+1 is only assigned after n has committed, so the log has no gaps,
        // even briefly. The heads are read by the next statement: READ COMMITTED takes its snapshot then, after the
        // lock, so it sees the previous commit.
        const streams = [...new Set(batch.flatMap((q) => q.appends.map((a) => a.stream)))];
        const found = await client.query<{ stream: string | null; revision: number; hash: string; next: string; recorded_at: string }>({
          ...this.sql.heads,
          values: [streams],
        });
        // The batch's view of every head: a command that passes moves it, so later commands see its effects.
        const view = new Map<string, StreamHead>();
        let next = 0;
        // The time of the event before this batch, under the lock: instances with clocks apart still never go back.
        let previousRecordedAt: string | null = null;
        for (const r of found.rows) {
          if (r.stream === null) {
            next = Number(r.next);
            previousRecordedAt = r.recorded_at;
          } else view.set(r.stream, { revision: r.revision, hash: r.hash });
        }
        const rows: PlannedRow[] = [];
        const outcomes = batch.map(({ appends }): AppendOutcome => {
          const heads = new Map(appends.map((a) => [a.stream, view.get(a.stream) ?? NO_HEAD]));
          try {
            const planned = planPrepared(appends, next, heads, { clock: this.clock, previousRecordedAt }, this.admit);
            rows.push(...planned.rows);
            previousRecordedAt = planned.rows[planned.rows.length - 1].envelope.recordedAt;
            for (const [stream, head] of heads) view.set(stream, head);
            next = planned.result.lastPosition + 1;
            return { ok: true, result: planned.result };
          } catch (error) {
            return { ok: false, error }; // nothing of it was written: the commands that pass are inserted below
          }
        });
        if (rows.length > 0) {
          const records = rows.map(({ envelope: e, dataText, metaText }) => ({
            position: e.leafIndex,
            id: e.id,
            stream: e.stream,
            revision: e.revision,
            type: e.type,
            data: dataText,
            meta: metaText,
            recorded_at: e.recordedAt,
            prev_hash: e.prevHash,
            hash: e.hash,
          }));
          try {
            await client.query({ ...this.sql.insert, values: [jsonRows(records)] });
          } catch (err) {
            throw new BatchInsertFailed(err);
          }
        }
        return outcomes;
      },
      this.beginLocked,
    );
  }

  /** Second guard: a writer that bypassed the lock made UNIQUE(stream, revision) refuse us; report it as the conflict it is. */
  private async explainUniqueViolation(err: unknown, appends: StreamAppend[]): Promise<unknown> {
    if ((err as { code?: string }).code !== '23505') return err;
    for (const a of appends) {
      const last = await this.lastRevision(a.stream);
      if (!expectationHolds(a.expectedRevision, last)) return new ConcurrencyError(a.stream, a.expectedRevision, last);
    }
    return err;
  }

  /**
   * The readStream calls of one turn of the event loop share one query (each caller gets envelopes of its own). It is
   * sent after every one of them was made, so each sees at least what was committed before its call.
   */
  async readStream(stream: string): Promise<EventEnvelope[]> {
    return ((await this.streamReads.read(stream)) ?? []).map(rowToEnvelope); // parsed per caller: none sees another's changes
  }

  async readAll(fromPosition: number, options?: ReadAllOptions): Promise<EventEnvelope[]> {
    const limit = validateReadAll(fromPosition, options);
    const recent = this.recent.read(fromPosition, limit);
    if (recent) return recent;
    const { rows } = await this.pool.query<EventRow>({ ...this.sql.readAll, values: [fromPosition, limit] });
    return rows.map(rowToEnvelope);
  }

  /**
   * The log's size, from the database, not a cache: other processes append too. Positions are contiguous, so the last
   * one + 1 is the size. Its last event's time is taken up by this store's commit clock on the way (ledger-clock.ts): an
   * instance that another one's commits keep idle, whose read models it takes up without reading their events, still
   * states no time earlier than theirs once it has looked at the log.
   */
  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string; recorded_at: string }>(this.sql.count);
    if (rows.length === 0) return 0;
    this.clock.observe(rows[0].recorded_at);
    return Number(rows[0].n);
  }

  /** The stream's last revision, -1 when it does not exist. */
  async lastRevision(stream: string): Promise<number> {
    const { rows } = await this.pool.query<{ revision: number }>({ ...this.sql.lastRevision, values: [stream] });
    return rows[0]?.revision ?? NO_HEAD.revision;
  }

  /** In-process only: called after this process's commits (other processes' appends are seen by reading). */
  subscribe(listener: (logSize: number) => void): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  /** Commits the appends already queued (they were accepted), then closes the pool; later appends are refused. */
  async close(): Promise<void> {
    if (this.commits.closed) return;
    await this.commits.close();
    await this.streamReads.close();
    this.listeners.clear();
    this.recent.clear();
    await this.pool.end();
  }
}

/** BEGIN (READ COMMITTED, explicitly: a stricter level would take its snapshot before the lock wait) … COMMIT, or ROLLBACK. */
const inReadCommitted = <T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
  inTransaction(pool, work, 'BEGIN ISOLATION LEVEL READ COMMITTED');
