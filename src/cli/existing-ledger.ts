// The offline commands that act on a ledger (export, settle, projections rebuild) open its stores as the server does, and
// opening makes what is missing: pointed by a mistyped LEDGER_DATA_DIR (or run from the wrong directory, whose ./data
// is the default), or a mistyped LEDGER_DATABASE_SCHEMA, they made a new, empty ledger there (new signing keys and a
// RightsSettled included) and reported success.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { AppConfig } from '../config.js';
import { checkSchemaName, pgConnection } from '../ledger/event-store/postgres-support.js';

/**
 * Throws when the configured store holds no ledger, having made nothing: on the embedded store its event file must
 * exist in the data directory; on PostgreSQL the schema's events table (the data directory is not looked at: keys may
 * come from the environment, and an export reads the database alone). EventStoreDB makes its streams on first write,
 * and has nothing to look at beforehand. Only `serve` makes a new ledger.
 */
export async function requireLedger(config: AppConfig, command: string): Promise<void> {
  const refuse = (where: string, missing: string, fix: string): never => {
    throw new Error(`${command}: no ledger in ${where} (${missing}); ${fix} (only serve makes a new one)`);
  };
  if (config.store === 'sqlite') {
    const file = join(config.dataDir, 'events.sqlite');
    if (!existsSync(file))
      refuse(config.dataDir, `${file} does not exist`, 'set LEDGER_DATA_DIR to the data directory of an existing ledger');
  } else if (config.store === 'postgres' && config.databaseUrl) {
    const schema = checkSchemaName(config.databaseSchema ?? 'ledger');
    const client = new pg.Client(pgConnection(config.databaseUrl, 'check'));
    await client.connect();
    let found: boolean;
    try {
      const { rows } = await client.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`"${schema}".events`]);
      found = rows[0].found;
    } finally {
      await client.end();
    }
    if (!found)
      refuse(
        `schema "${schema}" of DATABASE_URL`,
        `it has no events table`,
        'set LEDGER_DATABASE_SCHEMA (and DATABASE_URL) to those of an existing ledger',
      );
  }
}

/**
 * Throws, having made nothing, unless the log's keys are at hand: each given in the environment or in its file in the
 * data directory. Opening the ledger makes a key that is neither (as serve does on a new ledger), and a key made by an
 * offline command is one the log never used: the next server of the directory would sign its checkpoints with it (on
 * PostgreSQL the data directory is not the ledger, so a fresh or mistyped one held no keys at all).
 */
export function requireLogKeys(config: AppConfig, command: string): void {
  const missing = [
    { given: config.signingKey, file: 'log-signing.key', variable: 'LEDGER_SIGNING_KEY' },
    { given: config.mlDsaKey, file: 'log-mldsa.key', variable: 'LEDGER_MLDSA_KEY' },
  ]
    .filter((key) => key.given === undefined && !existsSync(join(config.dataDir, key.file)))
    .map((key) => `no ${join(config.dataDir, key.file)} and no ${key.variable}`);
  if (missing.length > 0)
    throw new Error(
      `${command}: the log's keys are not at hand (${missing.join('; ')}); set LEDGER_DATA_DIR to the data directory of the ` +
        `ledger's server, or give its keys in the environment (only serve makes new keys)`,
    );
}
