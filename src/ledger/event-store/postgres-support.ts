// Small PostgreSQL helpers shared by the tree store, the sequencer lock and the read-model bootstrap.
import pg from 'pg';
import { nativeSha256 } from '../native-sha256.js';

/** Schema names are interpolated into SQL: only plain lower-case identifiers are accepted. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError(`invalid schema name ${schema}`);
  return schema;
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

/** Runs `work` holding a session-level advisory lock on its own connection (e.g. one bootstrap at a time across instances). */
export async function withAdvisoryLock<T>(connectionString: string, label: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
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
