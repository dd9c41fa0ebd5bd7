// The offline commands on PostgreSQL act on an existing ledger only: a schema without the events table (a mistyped
// LEDGER_DATABASE_SCHEMA) is refused with one line, and nothing is made there; the data directory is not looked at.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { ROOT } from '../../src/bench/processes.js';
import { serversHolding } from '../../src/cli/data-dir-lock.js';
import { holdSchemaAlone } from '../../src/cli/schema-lock.js';
import { PostgresEventStore } from '../../src/ledger/event-store/postgres-event-store.js';
import { filingBody, principal, startLedger, tempDir } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';
import { runCli, startServerProcess } from '../support/server-process.js';

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

    // The log's keys are the log's identity: a settlement run with a new or empty data directory made keys there that the
    // log never used, and a server started with that directory then refused to start (its key is not the log's).
    it("settle and projections rebuild refuse a ledger whose keys are neither in the data directory nor given, and make nothing; with the log's keys they run", async () => {
      const schema = freshSchema('test_settle_keys');
      const serverDir = tempDir('ledger-pg-server-');
      const parent = tempDir('ledger-pg-settle-');
      const missing = join(parent, 'data');
      const empty = join(parent, 'empty');
      mkdirSync(empty);
      const events = async () => {
        const store = await PostgresEventStore.open(url, { schema });
        try {
          return await store.count();
        } finally {
          await store.close();
        }
      };
      try {
        const ledger = await startLedger({ store: 'postgres', databaseUrl: url, databaseSchema: schema, dataDir: serverDir });
        const alice = await principal(ledger, 'Alice', ['creator']);
        expect((await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody())).status).toBe(201);
        await ledger.close();
        const keys = {
          LEDGER_SIGNING_KEY: readFileSync(join(serverDir, 'log-signing.key'), 'utf8').trim(),
          LEDGER_MLDSA_KEY: readFileSync(join(serverDir, 'log-mldsa.key'), 'utf8').trim(),
        };
        const logSize = await events();
        const offline =
          (command: string) =>
          (dataDir: string, given: Record<string, string> = {}) =>
            runCli(command.split(' '), {
              LEDGER_STORE: 'postgres',
              DATABASE_URL: url,
              LEDGER_DATABASE_SCHEMA: schema,
              LEDGER_DATA_DIR: dataDir,
              LOG_LEVEL: 'warn',
              ...given,
            });
        const settle = offline('settle');

        for (const dataDir of [missing, empty]) {
          const run = await settle(dataDir);
          expect([run.code, run.stdout, run.stderr]).toEqual([
            1,
            '',
            `sandbox-ledger: settle: the log's keys are not at hand (no ${join(dataDir, 'log-signing.key')} and no LEDGER_SIGNING_KEY; ` +
              `no ${join(dataDir, 'log-mldsa.key')} and no LEDGER_MLDSA_KEY); set LEDGER_DATA_DIR to the data directory of the ` +
              `ledger's server, or give its keys in the environment (only serve makes new keys)\n`,
          ]);
        }
        const half = await settle(empty, { LEDGER_SIGNING_KEY: keys.LEDGER_SIGNING_KEY });
        expect([half.code, half.stderr]).toEqual([
          1,
          `sandbox-ledger: settle: the log's keys are not at hand (no ${join(empty, 'log-mldsa.key')} and no LEDGER_MLDSA_KEY); ` +
            `set LEDGER_DATA_DIR to the data directory of the ledger's server, or give its keys in the environment (only serve makes new keys)\n`,
        ]);
        expect(existsSync(missing)).toBe(false);
        expect(readdirSync(empty)).toEqual([]);
        expect(await events()).toBe(logSize);

        const given = await settle(empty, keys);
        expect([given.code, given.stderr]).toEqual([0, '']);
        expect(given.stdout).toMatch(
          /^settled as of \S+ over \d+ events under policy v1: 0 right\(s\) changed; RightsSettled at leaf (\d+)/,
        );
        expect(readdirSync(empty)).toEqual([]);
        // A rebuild opens the whole ledger, its log included: the same keys, the same refusal.
        const rebuild = offline('projections rebuild');
        const refused = await rebuild(missing);
        expect([refused.code, refused.stdout, refused.stderr]).toEqual([
          1,
          '',
          `sandbox-ledger: projections rebuild: the log's keys are not at hand (no ${join(missing, 'log-signing.key')} and no LEDGER_SIGNING_KEY; ` +
            `no ${join(missing, 'log-mldsa.key')} and no LEDGER_MLDSA_KEY); set LEDGER_DATA_DIR to the data directory of the ` +
            `ledger's server, or give its keys in the environment (only serve makes new keys)\n`,
        ]);
        expect(existsSync(missing)).toBe(false);
        const rebuilt = await rebuild(empty, keys);
        expect([rebuilt.code, rebuilt.stderr]).toEqual([0, '']);
        expect(rebuilt.stdout).toMatch(new RegExp(`^rebuilt read models from ${logSize + 1} events in `));
        expect(readdirSync(empty)).toEqual([]);
        const inServerDir = await settle(serverDir);
        expect([inServerDir.code, inServerDir.stderr]).toEqual([0, '']);
        expect(await events()).toBe(logSize + 2);
      } finally {
        await dropSchema(schema);
        rmSync(serverDir, { recursive: true, force: true });
        rmSync(parent, { recursive: true, force: true });
      }
    }, 120_000);

    it('settle and projections rebuild refuse while a server of the schema runs, whatever its data directory; --force goes on', async () => {
      const schema = freshSchema('test_offline_beside');
      const serverDir = tempDir('ledger-pg-serving-');
      const otherDir = tempDir('ledger-pg-other-');
      const env = {
        LEDGER_STORE: 'postgres',
        DATABASE_URL: url,
        LEDGER_DATABASE_SCHEMA: schema,
        LEDGER_SIGNING_KEY: randomBytes(32).toString('base64'),
        LEDGER_MLDSA_KEY: randomBytes(32).toString('base64'),
        LOG_LEVEL: 'warn',
      };
      const stranger = tempDir('ledger-pg-stranger-');
      try {
        const server = await startServerProcess({ ...env, LEDGER_DATA_DIR: serverDir });
        try {
          for (const [command, instead] of [
            ['settle', 'Ask it instead (POST /v1/settlements), or stop it first.'],
            ['projections rebuild', 'Stop it first: it catches its read models up itself.'],
          ]) {
            const refused = await runCli(command.split(' '), { ...env, LEDGER_DATA_DIR: otherDir });
            expect([refused.code, refused.stdout, refused.stderr]).toEqual([
              1,
              '',
              `${command} refused: a server of schema ${schema} runs (on this machine or another). ${instead}\n`,
            ]);
          }
          // The server still answers with its read models whole.
          expect((await fetch(`${server.url}/health`)).status).toBe(200);
          const forced = await runCli(['settle', '--force'], { ...env, LEDGER_DATA_DIR: otherDir });
          expect([forced.code, forced.stderr]).toEqual([0, `settle: a server of schema ${schema} runs; going on as --force asks\n`]);
        } finally {
          server.child.kill('SIGTERM');
          await server.exited;
        }
        // Once it has stopped, the schema is free.
        const after = await runCli(['projections', 'rebuild'], { ...env, LEDGER_DATA_DIR: otherDir });
        expect([after.code, after.stderr]).toEqual([0, '']);
        // A server given no keys, in a directory without any, makes keys, and is refused: the log is signed with others.
        // The keys it made, never used, are not left behind to look like the log's.
        const { LEDGER_SIGNING_KEY: _signing, LEDGER_MLDSA_KEY: _mlDsa, ...keyless } = env;
        const refusedStart = await startServerProcess({ ...keyless, LEDGER_DATA_DIR: stranger }).then(
          () => 'started',
          (err: Error) => err.message,
        );
        expect(refusedStart).toMatch(/server exited with 1:[^]*the log in schema \S+ is signed as \S+ with public key [0-9a-f]+, not as/);
        // Nest's modules were up before the log was bound: no line says the start succeeded.
        expect(refusedStart).not.toMatch(/successfully started|listening on/);
        expect(readdirSync(stranger).filter((f) => f.endsWith('.key'))).toEqual([]);
      } finally {
        await dropSchema(schema);
        for (const dir of [serverDir, otherDir, stranger]) rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it('a server that starts while an offline command holds the schema waits for it, says so, and starts once it ends', async () => {
      const schema = freshSchema('test_serve_waits');
      const dataDir = tempDir('ledger-pg-waiting-');
      // As `settle` or `projections rebuild` hold it, from another process.
      const letGo = await holdSchemaAlone(url, schema);
      expect(letGo).not.toBeNull();
      // Its own process, not startServerProcess, which waits for the start: this one watches the wait before it.
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOST: '127.0.0.1',
          PORT: '0',
          LOG_LEVEL: 'info', // the "listening on" line
          LEDGER_STORE: 'postgres',
          DATABASE_URL: url,
          LEDGER_DATABASE_SCHEMA: schema,
          LEDGER_DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      const until = async (what: string, check: () => boolean | Promise<boolean>) => {
        for (const deadline = Date.now() + 60_000; !(await check()); await new Promise((r) => setTimeout(r, 100)))
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`${what}, not seen:\n${out}`);
      };
      try {
        await until(
          'the wait said, in the JSON log',
          () =>
            out.includes(`"level":"warn"`) &&
            out.includes(`"message":"waiting for an offline command (settle, projections rebuild) on schema ${schema} to end"`),
        );
        await new Promise((r) => setTimeout(r, 500));
        expect(out).not.toContain('listening on');
        expect(await schemaExists(schema)).toBe(false); // nothing made while it waits
        await letGo!();
        await until('the start once the command ended', () => out.includes('listening on'));
        const serverUrl = serversHolding(dataDir).find((lock) => lock.pid === child.pid)?.url;
        expect((await fetch(`${serverUrl}/health`)).status).toBe(200);
      } finally {
        await letGo?.();
        child.kill('SIGTERM');
        await exited;
        await dropSchema(schema);
        rmSync(dataDir, { recursive: true, force: true });
      }
    }, 120_000);

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
