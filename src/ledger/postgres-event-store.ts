// PostgreSQL event store: one global order that stays contiguous under concurrent writers in many processes.
import pg from 'pg';
import type { EventEnvelope, Sha256 } from '../verifier/envelope.js';
import { ConcurrencyError } from './event-store.port.js';
import type {
  AppendResult, EventStore, ExpectedRevision, NewEvent, ReadAllOptions, StreamAppend, Unsubscribe,
} from './event-store.port.js';
import { nativeSha256 } from './native-sha256.js';
import {
  expectationHolds, NO_HEAD, planAppend, rowToEnvelope, SizeListeners, validateAppends, validateReadAll,
} from './sqlite-event-store.js';
import type { EventRow, StreamHead } from './sqlite-event-store.js';

const COLUMNS = 'position, id, stream, revision, type, data, meta, recorded_at AS "recordedAt", prev_hash AS "prevHash", hash';

export interface PostgresEventStoreOptions {
  /** Schema holding the `events` table (created if missing); default `ledger`. */
  schema?: string;
  sha256?: Sha256;
}

/** A per-schema advisory lock key (signed int64), so separate ledgers in one database do not serialize each other. */
function advisoryLockKey(schema: string): string {
  const digest = nativeSha256(new TextEncoder().encode(`sandbox-ledger/events:${schema}`));
  return BigInt.asIntN(64, Buffer.from(digest).readBigUInt64BE(0)).toString();
}

export class PostgresEventStore implements EventStore {
  private readonly listeners = new SizeListeners();
  private closed = false;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly lockKey: string,
    private readonly sha256: Sha256,
  ) {}

  static async open(connectionString: string, opts: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const schema = opts.schema ?? 'ledger';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`invalid schema name ${schema}`);
    const pool = new pg.Pool({ connectionString });
    pool.on('error', () => { /* an idle client died; the next query gets a fresh connection and reports any real outage */ });
    const table = `"${schema}".events`;
    const lockKey = advisoryLockKey(schema);
    try {
      // Under the same lock as appends: concurrent first starts cannot race on CREATE SCHEMA / CREATE TABLE.
      await inTransaction(pool, async (client) => {
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
    return new PostgresEventStore(pool, table, lockKey, opts.sha256 ?? nativeSha256);
  }

  async appendToStream(stream: string, events: NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.appendMulti([{ stream, events, expectedRevision }]);
  }

  async appendMulti(appends: StreamAppend[]): Promise<AppendResult> {
    validateAppends(appends);
    let result: AppendResult;
    try {
      result = await inTransaction(this.pool, async (client) => {
        // Held until COMMIT: position n+1 is only assigned after n has committed, so the log has no gaps, even briefly.
        await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [this.lockKey]);
        // A separate statement: READ COMMITTED takes its snapshot now, after the lock, so it sees the previous commit.
        const max = await client.query<{ next: string }>(`SELECT COALESCE(MAX(position) + 1, 0) AS next FROM ${this.table}`);
        const streams = [...new Set(appends.map((a) => a.stream))];
        const found = await client.query<{ stream: string; revision: number; hash: string }>(
          `SELECT DISTINCT ON (stream) stream, revision, hash FROM ${this.table}
           WHERE stream = ANY($1::text[]) ORDER BY stream, revision DESC`, [streams]);
        const heads = new Map<string, StreamHead>(found.rows.map((r) => [r.stream, { revision: r.revision, hash: r.hash }]));
        const { rows, result } = planAppend(appends, Number(max.rows[0].next), heads, this.sha256);
        const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
        await client.query(
          `INSERT INTO ${this.table} (position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash)
           SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[],
                                $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
          [col((r) => r.envelope.leafIndex), col((r) => r.envelope.id), col((r) => r.envelope.stream),
            col((r) => r.envelope.revision), col((r) => r.envelope.type), col((r) => r.dataText), col((r) => r.metaText),
            col((r) => r.envelope.recordedAt), col((r) => r.envelope.prevHash), col((r) => r.envelope.hash)]);
        return result;
      });
    } catch (err) {
      throw await this.explainUniqueViolation(err, appends);
    }
    this.listeners.notify(result.lastPosition + 1);
    return result;
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

  async readStream(stream: string): Promise<EventEnvelope[]> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${COLUMNS} FROM ${this.table} WHERE stream = $1 ORDER BY revision`, [stream]);
    return rows.map(rowToEnvelope);
  }

  async readAll(fromPosition: number, options?: ReadAllOptions): Promise<EventEnvelope[]> {
    const limit = validateReadAll(fromPosition, options);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE position >= $1 ORDER BY position LIMIT $2`, [fromPosition, limit]);
    return rows.map(rowToEnvelope);
  }

  /** From the database, not a cache: other processes append too. Positions are contiguous, so max + 1 is the size. */
  async count(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT COALESCE(MAX(position) + 1, 0) AS n FROM ${this.table}`);
    return Number(rows[0].n);
  }

  /** The stream's last revision, -1 when it does not exist. */
  async lastRevision(stream: string): Promise<number> {
    const { rows } = await this.pool.query<{ revision: number }>(
      `SELECT revision FROM ${this.table} WHERE stream = $1 ORDER BY revision DESC LIMIT 1`, [stream]);
    return rows[0]?.revision ?? NO_HEAD.revision;
  }

  /** In-process only: called after this process's commits (other processes' appends are seen by reading). */
  subscribe(listener: (logSize: number) => void): Unsubscribe {
    return this.listeners.subscribe(listener);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** BEGIN (READ COMMITTED, explicitly: a stricter level would take its snapshot before the lock wait) … COMMIT, or ROLLBACK. */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    // A failed ROLLBACK means the connection is unusable: release it as broken so the pool discards it.
    await client.query('ROLLBACK').catch((e: Error) => { broken = e; });
    throw err;
  } finally {
    client.release(broken);
  }
}
