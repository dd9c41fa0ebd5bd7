// The offline commands on PostgreSQL act on an existing ledger only: a schema without the events table (a mistyped
// LEDGER_DATABASE_SCHEMA) is refused with one line, and nothing is made there; the data directory is not looked at.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresEventStore } from '../../src/ledger/event-store/postgres-event-store.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';
import { runCli } from '../support/server-process.js';

const url = testDatabaseUrl;

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

if (!url) skipWithoutDatabase('offline commands on PostgreSQL');
else
  describe('offline commands on PostgreSQL', () => {
    it.each(['export', 'settle', 'projections rebuild'])(
      '%s refuses a schema without a ledger, names it, and creates nothing',
      async (command) => {
        const schema = freshSchema('test_typo');
        const dataDir = join(tmpdir(), `no-ledger-dir-${schema}`); // not there: the directory is not what is checked
        try {
          const run = await runCli(command.split(' '), {
            LEDGER_STORE: 'postgres',
            DATABASE_URL: url,
            LEDGER_DATABASE_SCHEMA: schema,
            LEDGER_DATA_DIR: dataDir,
            LOG_LEVEL: 'warn',
          });
          expect([run.code, run.stdout, run.stderr]).toEqual([
            1,
            '',
            `sandbox-ledger: ${command}: no ledger in schema "${schema}" of DATABASE_URL (it has no events table); set LEDGER_DATABASE_SCHEMA (and DATABASE_URL) to those of an existing ledger (only serve makes a new one)\n`,
          ]);
          expect(await schemaExists(schema)).toBe(false);
        } finally {
          await dropSchema(schema);
        }
      },
      60_000,
    );

    it('export reads an existing schema without a data directory', async () => {
      const schema = freshSchema('test_export');
      try {
        await (await PostgresEventStore.open(url, { schema })).close(); // an empty ledger: its events table
        const run = await runCli(['export'], {
          LEDGER_STORE: 'postgres',
          DATABASE_URL: url,
          LEDGER_DATABASE_SCHEMA: schema,
          LEDGER_DATA_DIR: join(tmpdir(), `no-ledger-dir-${schema}`),
          LOG_LEVEL: 'warn',
        });
        expect([run.code, run.stdout, run.stderr]).toEqual([0, '', '']);
      } finally {
        await dropSchema(schema);
      }
    }, 60_000);
  });
