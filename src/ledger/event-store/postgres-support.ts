// Small PostgreSQL helpers shared by the tree store, the sequencer lock and the read-model bootstrap.
import pg from 'pg';
import { nativeSha256 } from '../native-sha256.js';

/** Schema names are interpolated into SQL: only plain lower-case identifiers are accepted. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`invalid schema name ${schema}`);
  return schema;
}

/** A lone surrogate as JSON.stringify writes it (a well-formed pair stays as it is); a text escaping `\ud8…` may match too. */
const LONE_SURROGATE = /\\ud[89a-f]/i;

/**
 * Rows for one `json_to_recordset($1::json) AS r(column type, …)` parameter: one JSON text, made by JSON.stringify,
 * instead of one array literal per column, whose elements node-postgres escapes one by one in JavaScript (the larger
 * part of binding a batch). A string that is not well-formed UTF-16 is written as node-postgres writes it (its lone
 * surrogates as U+FFFD): PostgreSQL refuses the \uD800 escapes JSON would give it.
 */
export function jsonRows(rows: ReadonlyArray<Record<string, unknown>>): string {
  const text = JSON.stringify(rows);
  if (!LONE_SURROGATE.test(text)) return text;
  const wellFormed = (value: unknown) => (typeof value === 'string' && !value.isWellFormed() ? value.toWellFormed() : value);
  return JSON.stringify(rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, wellFormed(value)]))));
}

/** A signed int64 advisory-lock key for `label` (e.g. `sandbox-ledger/sequencer:<schema>`), as a string for pg. */
export function advisoryLockKey(label: string): string {
  const digest = nativeSha256(new TextEncoder().encode(label));
  return BigInt.asIntN(64, Buffer.from(digest).readBigUInt64BE(0)).toString();
}

/** BEGIN … COMMIT on one pooled connection, or ROLLBACK; a connection whose ROLLBACK failed is discarded. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/**
 * CREATE SCHEMA IF NOT EXISTS under the PostgresEventStore's own lock key: concurrent first starts (and the event
 * store creating its table at the same moment) must not race on the catalog's unique index.
 */
export async function ensureSchema(pool: pg.Pool, schema: string): Promise<void> {
  checkSchemaName(schema);
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [advisoryLockKey(`sandbox-ledger/events:${schema}`)]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  });
}

/**
 * A connection's settings, named in pg_stat_activity by the part of the server that holds it (`sandbox-ledger events`,
 * …): a fallback, so an application_name in the URL or PGAPPNAME still wins.
 */
export const pgConnection = (connectionString: string | undefined, part: string) => ({
  connectionString,
  fallback_application_name: pgApplicationName(part),
});

/** `sandbox-ledger <part>`: the application_name of the connections that part of the server opens. */
export const pgApplicationName = (part: string) => `sandbox-ledger ${part}`;

/** Runs `work` holding a session-level advisory lock on its own connection (e.g. one bootstrap at a time across instances). */
export async function withAdvisoryLock<T>(connectionString: string, label: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client(pgConnection(connectionString, 'lock'));
  client.on('error', () => {
    /* surfaces as the failed query below */
  });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [advisoryLockKey(label)]);
    return await work();
  } finally {
    await client.end().catch(() => undefined); // ending the session releases the lock
  }
}
