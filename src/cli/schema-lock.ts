// On PostgreSQL the data directory's lock sees no other instance: each instance has a directory of its own. So a
// running server also holds a shared advisory lock on its schema for as long as it runs, and the offline commands that
// write to the shared stores (settle, projections rebuild) take that lock alone, so that neither runs beside a server
// of the schema, whichever directory either was given.
import pg from 'pg';
import { advisoryLockKey, pgConnection } from '../ledger/event-store/postgres-support.js';

const servingKey = (schema: string) => advisoryLockKey(`sandbox-ledger/serving:${schema}`);

/** A session of its own, ended to let the lock go (ending the session releases it). */
async function session(url: string): Promise<pg.Client> {
  const client = new pg.Client(pgConnection(url, 'schema-lock'));
  client.on('error', () => {
    /* a session lost: the lock goes with it; the stores report any real outage */
  });
  await client.connect();
  return client;
}

/**
 * Holds the schema as one of its servers until the returned function is called; an offline command running on it is
 * waited for (`onWait` says so first).
 */
export async function holdSchemaServing(url: string, schema: string, onWait: () => void): Promise<() => Promise<void>> {
  const client = await session(url);
  const key = servingKey(schema);
  try {
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock_shared($1::bigint) AS held', [key]);
    if (!rows[0].held) {
      onWait();
      await client.query('SELECT pg_advisory_lock_shared($1::bigint)', [key]);
    }
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return () => client.end().catch(() => undefined);
}

/** Holds the schema alone until the returned function is called, or gives null at once when a server holds it. */
export async function holdSchemaAlone(url: string, schema: string): Promise<(() => Promise<void>) | null> {
  const client = await session(url);
  try {
    const { rows } = await client.query<{ held: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS held', [servingKey(schema)]);
    if (rows[0].held) return () => client.end().catch(() => undefined);
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  await client.end().catch(() => undefined);
  return null;
}
