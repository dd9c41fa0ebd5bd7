// The read models' prepared writes (BatchRows and RowBatch through row-writes.ts) on SQLite and, with
// TEST_DATABASE_URL, PostgreSQL: every column of every read-model entity stored as TypeORM's own insert, update and
// save store it; an upsert changes only the columns it names; a duplicate key fails the transaction; a statement is
// prepared once, whatever the number of rows, and run again by later batches; the projections applying a batch share
// its rows, each written once. The statements the projections run in a batch's transaction (runInBatch): a list of
// keys of any length and content as one parameter, the rows an UPDATE changed, each statement prepared once.
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { In, QueryFailedError, type DataSource, type EntityManager, type EntityMetadata, type ObjectLiteral } from 'typeorm';
import { loadConfig } from '../../src/config.js';
import { FilingView } from '../../src/filing/filing-view.entity.js';
import { openReadModels, readModelOptions } from '../../src/ledger/read-models/read-store.js';
import { BatchRows, RowBatch } from '../../src/ledger/read-models/row-batch.js';
import { writeRows, type Column } from '../../src/ledger/read-models/row-writes.js';
import { runInBatch, type BatchStatement } from '../../src/ledger/read-models/batch-statements.js';
import { ALL_READ_MODEL_ENTITIES } from '../support/read-models.js';
import { dropSchema, freshSchema, testDatabaseUrl } from '../support/pg-schema.js';

interface Store {
  /** A fresh, migrated read-model database. */
  open(): Promise<DataSource>;
  cleanup(): Promise<void>;
}

function sqlite(): Store {
  const dirs: string[] = [];
  const opened: DataSource[] = [];
  return {
    open: async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'ledger-writes-'));
      dirs.push(dataDir);
      opened.push(await openReadModels(readModelOptions(loadConfig({}, { dataDir }), ALL_READ_MODEL_ENTITIES)));
      return opened.at(-1)!;
    },
    cleanup: async () => {
      for (const db of opened.splice(0)) await db.destroy();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgres(url: string): Store {
  const schemas: string[] = [];
  const opened: DataSource[] = [];
  return {
    open: async () => {
      const databaseSchema = freshSchema('test_writes');
      schemas.push(databaseSchema);
      const config = loadConfig({}, { store: 'postgres', databaseUrl: url, databaseSchema, dataDir: tmpdir() });
      opened.push(await openReadModels(readModelOptions(config, ALL_READ_MODEL_ENTITIES)));
      return opened.at(-1)!;
    },
    cleanup: async () => {
      for (const db of opened.splice(0)) await db.destroy();
      for (const schema of schemas.splice(0)) await dropSchema(schema, url);
    },
  };
}

/** Text that a PostgreSQL array literal or an SQL string must escape, and characters beyond ASCII. */
const AWKWARD = `a "b", {c} \\d\\ 'e' NULL ; é ☃ 🙂`;
const JSON_VALUE = { s: AWKWARD, n: [1, -2.5, null, { deep: '{,}' }], t: true, empty: {}, list: [] };

/**
 * A row of this table with a value in every column, of the column's type; `n` makes its keys and unique columns
 * differ from other rows', and an odd `n` leaves every nullable column null and sets booleans false. A column type
 * with no value here fails the test: a read model that adds one is checked once it is given one.
 */
function rowOf(metadata: EntityMetadata, n: number): ObjectLiteral {
  const row: ObjectLiteral = {};
  for (const c of metadata.columns) {
    const type = String(c.type);
    if (c.isNullable && n % 2 === 1) row[c.propertyName] = null;
    else if (type === 'varchar' || type === 'text') {
      const text = Array.from(`${n}${c.databaseName}${AWKWARD}`);
      row[c.propertyName] = text.slice(0, Number(c.length) || text.length).join('');
    } else if (type === 'integer') row[c.propertyName] = c.isPrimary ? n : 2_147_483_647 - n;
    else if (type === 'boolean') row[c.propertyName] = n % 2 === 0;
    else if (type === 'simple-json') row[c.propertyName] = { ...JSON_VALUE, n };
    else throw new Error(`no test value for ${metadata.tableName}.${c.databaseName} (${type})`);
  }
  return row;
}

/** The table's rows as the database returns them, converted by no entity, in key order. */
async function rawRows(db: DataSource, metadata: EntityMetadata): Promise<unknown[]> {
  const q = (name: string) => db.driver.escape(name);
  const table = metadata.tablePath.split('.').map(q).join('.');
  return db.query(`SELECT * FROM ${table} ORDER BY ${metadata.primaryColumns.map((c) => q(c.databaseName)).join(', ')}`);
}

/** The statement texts better-sqlite3 prepares on the read models' one connection from now on, until `restore`. */
function recordSqlitePrepares(db: DataSource): { prepared: string[]; restore: () => void } {
  const connection = (db.driver as unknown as { databaseConnection: { prepare(sql: string): unknown } }).databaseConnection;
  const prepare = connection.prepare.bind(connection);
  const prepared: string[] = [];
  connection.prepare = (sql: string) => {
    prepared.push(sql);
    return prepare(sql);
  };
  return { prepared, restore: () => Reflect.deleteProperty(connection, 'prepare') }; // the prototype's again
}

const url = testDatabaseUrl;
const stores: Array<[string, () => Store]> = [['SQLite', sqlite]];
if (url) stores.push(['PostgreSQL', () => postgres(url)]);
else process.stderr.write('\nSKIPPED: read-model writes on PostgreSQL: TEST_DATABASE_URL is not set\n');

describe.each(stores)('read-model writes on %s', (name, makeStore) => {
  let store: Store;
  beforeEach(() => {
    store = makeStore();
  });
  afterEach(() => store.cleanup());

  /** For each read-model table: the rows as written by `prepared` in one database and by `typeorm` in another. */
  async function compare(
    prepared: (db: DataSource, metadata: EntityMetadata) => Promise<void>,
    typeorm: (db: DataSource, metadata: EntityMetadata) => Promise<void>,
  ): Promise<void> {
    const [ours, theirs] = [await store.open(), await store.open()];
    for (const entity of ALL_READ_MODEL_ENTITIES) {
      const metadata = ours.getMetadata(entity);
      await prepared(ours, metadata);
      await typeorm(theirs, theirs.getMetadata(entity));
      const stored = await rawRows(ours, metadata);
      expect(stored.length).toBeGreaterThan(0);
      expect({ table: metadata.tableName, rows: stored }).toEqual({ table: metadata.tableName, rows: await rawRows(theirs, metadata) });
    }
  }

  const rows = (metadata: EntityMetadata) => [0, 1, 2, 3].map((n) => rowOf(metadata, n));
  const others = (metadata: EntityMetadata, set: (c: Column) => boolean) => metadata.columns.filter((c) => !c.isPrimary && set(c));
  /** Row n's key with row n + 10's other columns. */
  const changed = (metadata: EntityMetadata) =>
    rows(metadata).map((row, n) => ({ ...rowOf(metadata, n + 10), ...metadata.getEntityIdMap(row) }) as ObjectLiteral);

  it('inserts every column of every read model as TypeORM stores it, and reads it back as it was written', async () => {
    await compare(
      (db, m) => db.transaction((em) => writeRows(em, m, rows(m), null)),
      (db, m) => db.transaction(async (em) => void (await em.insert(m.target, rows(m)))),
    );
    const db = await store.open();
    for (const entity of ALL_READ_MODEL_ENTITIES) {
      const m = db.getMetadata(entity);
      await db.transaction((em) => writeRows(em, m, rows(m), null));
      const read = await db.getRepository(entity).find({ order: Object.fromEntries(m.primaryColumns.map((c) => [c.propertyName, 'ASC'])) });
      expect(read.map((r: ObjectLiteral) => ({ ...r }))).toEqual(rows(m));
    }
  });

  it('stores text that is not well-formed UTF-16 as TypeORM stores it, each lone surrogate as U+FFFD', async () => {
    const text = (c: Column) => ['varchar', 'text'].includes(String(c.type));
    // Every text column ends in a lone high surrogate; the row's own number keeps keys apart.
    const broken = (m: EntityMetadata) =>
      rows(m).map((row) => {
        const out = { ...row };
        for (const c of m.columns)
          if (text(c) && typeof out[c.propertyName] === 'string') out[c.propertyName] = `${String(out[c.propertyName]).slice(0, -1)}\ud800`;
        return out;
      });
    await compare(
      (db, m) => db.transaction((em) => writeRows(em, m, broken(m), null)),
      (db, m) => db.transaction(async (em) => void (await em.insert(m.target, broken(m)))),
    );
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    await db.transaction((em) => writeRows(em, m, broken(m), null));
    const stored = (await rawRows(db, m)) as Array<Record<string, unknown>>;
    // Stored and read back well-formed, the lone surrogates replaced (PostgreSQL: U+FFFD for each, as toWellFormed does).
    const titles = stored.map((r) => String(r.title));
    expect(titles.every((t) => t.isWellFormed() && t.endsWith('\ufffd'))).toBe(true);
    if (name === 'PostgreSQL') expect(titles).toEqual(broken(m).map((r) => String(r.title).toWellFormed()));
  });

  it('an upsert changes only the columns it names, every one of them or none, as update and save do', async () => {
    const some = (m: EntityMetadata) => others(m, (c) => c.isNullable || String(c.type) === 'boolean');
    await compare(
      async (db, m) => {
        await db.transaction((em) => writeRows(em, m, rows(m), null));
        await db.transaction((em) => writeRows(em, m, changed(m), some(m)));
      },
      async (db, m) => {
        await db.transaction(async (em) => void (await em.insert(m.target, rows(m))));
        for (const row of changed(m)) {
          const patch = Object.fromEntries(some(m).map((c) => [c.propertyName, row[c.propertyName]]));
          if (Object.keys(patch).length > 0) await db.transaction((em) => em.update(m.target, m.getEntityIdMap(row)!, patch));
        }
      },
    );
    await compare(
      async (db, m) => {
        await db.transaction((em) => writeRows(em, m, rows(m).slice(0, 2), null));
        await db.transaction((em) =>
          writeRows(
            em,
            m,
            changed(m),
            others(m, () => true),
          ),
        );
      },
      async (db, m) => {
        await db.transaction(async (em) => void (await em.insert(m.target, rows(m).slice(0, 2))));
        await db.transaction((em) => em.save(m.target, changed(m)));
      },
    );
    await compare(
      async (db, m) => {
        await db.transaction((em) => writeRows(em, m, rows(m).slice(0, 2), null));
        await db.transaction((em) => writeRows(em, m, changed(m), []));
      },
      async (db, m) => {
        await db.transaction(async (em) => void (await em.insert(m.target, rows(m).slice(0, 2))));
        await db.transaction(async (em) => void (await em.insert(m.target, changed(m).slice(2))));
      },
    );
  });

  it('RowBatch loads rows as TypeORM’s find reads them: every column of every read model, or the key and those asked for', async () => {
    const db = await store.open();
    // Every table keyed by text, as RowBatch's tables are (its keys are texts).
    const tables = ALL_READ_MODEL_ENTITIES.filter((e) => ['varchar', 'text'].includes(String(db.getMetadata(e).primaryColumns[0].type)));
    expect(tables.length).toBe(ALL_READ_MODEL_ENTITIES.length - 1); // all but the copies, keyed by their leaf
    for (const entity of tables) {
      const m = db.getMetadata(entity);
      const key = m.primaryColumns[0].propertyName;
      type Row = ObjectLiteral;
      const written = [0, 1, 2, 3, 4, 5].map((n) => rowOf(m, n));
      const keys = written.map((r) => String(r[key]));
      await db.transaction((em) => writeRows(em, m, written, null));
      const some = m.columns.filter((c) => !c.isPrimary).slice(0, 2);
      await db.transaction(async (em) => {
        const all = new RowBatch<ObjectLiteral>(em, entity, key);
        await all.load([...keys, 'absent', keys[0]]);
        const found = (await em.find(entity, {})) as Row[];
        expect(found).toHaveLength(written.length);
        for (const row of found) {
          expect({ table: m.tableName, row: all.get(String(row[key])) }).toEqual({ table: m.tableName, row });
          expect(all.get(String(row[key]))).toBeInstanceOf(m.target as new () => unknown);
        }
        expect(all.get('absent')).toBeNull();
        const part = new RowBatch<ObjectLiteral>(em, entity, key);
        await part.load(
          keys.slice(0, 3),
          some.map((c) => c.propertyName),
        );
        const select = Object.fromEntries([key, ...some.map((c) => c.propertyName)].map((c) => [c, true]));
        for (const row of (await em.find(entity, { select, where: { [key]: In(keys.slice(0, 3)) } })) as Row[])
          expect({ table: m.tableName, row: part.get(String(row[key])) }).toEqual({ table: m.tableName, row });
        expect(part.get(keys[3])).toBeUndefined(); // not asked for
      });
    }
  });

  it('RowBatch upserts only the columns its updates patched, leaving the others as the table has them', async () => {
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    const [a, b] = [rowOf(m, 0), rowOf(m, 2)] as FilingView[];
    await db.transaction(async (em) => {
      const batch = new RowBatch(em, FilingView, 'filingId');
      batch.insert(a);
      batch.insert(b);
      await batch.flush();
    });
    await db.transaction(async (em) => {
      const batch = new RowBatch(em, FilingView, 'filingId');
      await batch.load([a.filingId, b.filingId]);
      // Changed behind the batch's back: the batch's copy of the row no longer has it.
      await em.update(FilingView, { filingId: a.filingId }, { title: 'changed meanwhile' });
      batch.update(a.filingId, { status: 'withdrawn', withdrawnAt: '2026-01-01T00:00:00.000Z' });
      await batch.flush();
    });
    const read = await db.getRepository(FilingView).find({ order: { filingId: 'ASC' } });
    expect(read.map((r) => ({ ...r }))).toEqual([
      { ...a, title: 'changed meanwhile', status: 'withdrawn', withdrawnAt: '2026-01-01T00:00:00.000Z' },
      b,
    ]);
  });

  it("BatchRows shares a table's rows between projections: a row one inserts and another changes is written once, when flushed", async () => {
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    const [a, b, c] = [rowOf(m, 0), rowOf(m, 2), rowOf(m, 4)] as FilingView[];
    await db.transaction((em) => writeRows(em, m, [b], null));
    const stored = await db.transaction(async (em) => {
      const batch = new BatchRows(em);
      // What the filings projection does with a batch, then the labels projection with the same batch.
      const filings = batch.of(FilingView, 'filingId');
      filings.insert({ ...a });
      await filings.load([b.filingId]);
      expect(filings.get(b.filingId)).toEqual(b);
      // Changed behind the batch's back: a row the batch knows is not read again.
      await em.update(FilingView, { filingId: b.filingId }, { title: 'changed behind the batch' });
      const labels = batch.of(FilingView, 'filingId');
      expect(labels).toBe(filings);
      await labels.load([a.filingId, b.filingId]); // both known: nothing read
      expect(labels.get(b.filingId)!.title).toBe(b.title);
      labels.update(a.filingId, { labelState: 'declared', labelTier: c.labelTier });
      labels.update(b.filingId, { labelState: 'declared' });
      expect(() => batch.of(FilingView, 'contentHash')).toThrow(/keyed by both filingId and contentHash/);
      // Nothing written before the flush: a projection that queries the table flushes it first.
      await expect(em.count(FilingView)).resolves.toBe(1);
      await batch.flush(FilingView);
      return em.find(FilingView, { order: { filingId: 'ASC' } });
    });
    expect(stored.map((r) => ({ ...r }))).toEqual([
      { ...a, labelState: 'declared', labelTier: c.labelTier },
      { ...b, title: 'changed behind the batch', labelState: 'declared' }, // the upsert wrote only the column it patched
    ]);
  });

  it('a duplicate key fails the insert, and the transaction, with the rows it had written', async () => {
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    const [a, b, c] = [rowOf(m, 0), rowOf(m, 2), rowOf(m, 4)] as FilingView[];
    const failed = db.transaction(async (em) => {
      const first = new RowBatch(em, FilingView, 'filingId');
      first.insert(a);
      first.insert(b);
      await first.flush();
      const second = new RowBatch(em, FilingView, 'filingId');
      second.insert(c);
      second.insert({ ...b, leafIndex: 99 });
      await second.flush();
    });
    await expect(failed).rejects.toThrow(QueryFailedError);
    await expect(db.getRepository(FilingView).count()).resolves.toBe(0);
  });

  it('prepares a statement once for each write, whatever the number of rows, and runs it again in later batches', async () => {
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    let next = 0;
    const batches = [1, 3, 7, 300, 300, 5, 2];
    const insert = async (em: EntityManager, n: number) => {
      const batch = new RowBatch(em, FilingView, 'filingId');
      for (let i = 0; i < n; i++) batch.insert(rowOf(m, 2 * next++) as FilingView);
      await batch.flush();
    };
    if (name === 'PostgreSQL') {
      // One transaction holds one connection: the prepared statements listed are that session's.
      const prepared = await db.transaction(async (em) => {
        for (const n of batches) await insert(em, n);
        return em.query(
          `SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE name LIKE 'read-models.write.%'`,
        );
      });
      expect(prepared).toEqual([
        { statement: expect.stringMatching(/^INSERT INTO .*"filings".* json_to_recordset\(\$1::json\)/), runs: String(batches.length) },
      ]);
    } else {
      // better-sqlite3's one connection, which every transaction runs on; a transaction per batch, as the runner's.
      const { prepared, restore } = recordSqlitePrepares(db);
      const inserts = () => prepared.filter((sql) => sql.startsWith('INSERT INTO "filings"')).length;
      for (const n of batches) await db.transaction((em) => insert(em, n));
      expect(inserts()).toBe(4); // 256, 32, 4 and 1 rows, each prepared by the first batch that needed it
      for (const n of batches) await db.transaction((em) => insert(em, n));
      expect(inserts()).toBe(4);
      restore();
    }
    await expect(db.getRepository(FilingView).count()).resolves.toBe(next);
  });

  /** The filings whose keys are among $1 and whose title is not $2, and an update of the title where it is $2. */
  const FILINGS_BY_ID: BatchStatement = {
    name: 'test.filings-by-id',
    text: ({ table, column: c, param, anyOf }) =>
      `SELECT ${c('filingId')}, ${c('title')} FROM ${table(FilingView)} WHERE ${anyOf(c('filingId'), 1)} AND ${c('title')} <> ${param(2)}`,
  };
  const RETITLE: BatchStatement = {
    name: 'test.retitle',
    text: ({ table, column: c, param }) => `UPDATE ${table(FilingView)} SET ${c('title')} = ${param(1)} WHERE ${c('title')} = ${param(2)}`,
  };

  it('runs a statement in the batch’s transaction with a list of keys of any length and content as one parameter', async () => {
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    const keys = [AWKWARD, '', 'plain', '{a,b}', '"quoted"', `it's`, ...Array.from({ length: 2_000 }, (_, i) => `k-${i}`)];
    const written = keys.map((filingId, n) => ({ ...rowOf(m, n), filingId, title: n % 2 === 0 ? 'even' : 'odd' }));
    const sortById = (rows: Array<Record<string, unknown>>) =>
      [...rows].sort((a, b) => String(a.filingId).localeCompare(String(b.filingId)));
    await db.transaction(async (em) => {
      await writeRows(em, m, written, null);
      // Read in the same transaction: its own uncommitted rows.
      const asked = [AWKWARD, '', `it's`, '{a,b}', 'k-7', 'k-8', 'absent'];
      const { rows } = await runInBatch(em, FILINGS_BY_ID, [asked, 'odd']);
      const expected = written
        .filter((r) => asked.includes(r.filingId) && r.title !== 'odd')
        .map(({ filingId, title }) => ({ filingId, title }));
      expect(expected.map((r) => r.filingId)).toEqual([AWKWARD, 'k-8']); // the others asked for are odd, or absent
      expect(sortById(rows)).toEqual(sortById(expected));
      expect((await runInBatch(em, FILINGS_BY_ID, [[], 'odd'])).rows).toEqual([]);
      const all = await runInBatch(em, FILINGS_BY_ID, [keys, 'none']);
      expect(all.rows).toHaveLength(keys.length);
      expect(all.changes).toBe(0);
      expect(await runInBatch(em, RETITLE, ['renamed', 'odd'])).toEqual({ rows: [], changes: keys.length / 2 });
      expect((await runInBatch(em, RETITLE, ['again', 'odd'])).changes).toBe(0);
    });
    await expect(db.getRepository(FilingView).countBy({ title: 'renamed' })).resolves.toBe(keys.length / 2);
    // A failed statement fails as TypeORM's queries do, with its text.
    await expect(
      db.transaction((em) =>
        runInBatch(em, { name: 'test.broken', text: ({ table }) => `SELECT no_such_column FROM ${table(FilingView)}` }, []),
      ),
    ).rejects.toThrow(QueryFailedError);
  });

  it('loads one table by two keys, and by long lists of columns that share their first 63 bytes, in one transaction', async () => {
    const db = await store.open();
    const m = db.getMetadata(FilingView);
    const written = [0, 1].map((n) => rowOf(m, n) as FilingView);
    await db.transaction(async (em) => {
      await writeRows(em, m, written, null);
      const byId = new RowBatch(em, FilingView, 'filingId');
      await byId.load([written[0].filingId]);
      expect(byId.get(written[0].filingId)).toEqual(written[0]);
      const byHash = new RowBatch(em, FilingView, 'contentHash');
      await byHash.load([written[1].contentHash]);
      expect(byHash.get(written[1].contentHash)).toEqual(written[1]);
      // Statement names longer than PostgreSQL's 63 bytes, alike up to there: each still its own statement.
      const columns = m.columns.filter((c) => !c.isPrimary).map((c) => c.propertyName as keyof FilingView & string);
      expect(`read-models.load.filings.by.filingId.${columns.slice(0, 4).join(',')}`.length).toBeGreaterThan(63);
      for (const n of [4, 5, columns.length]) {
        const some = new RowBatch(em, FilingView, 'filingId');
        await some.load([written[1].filingId], columns.slice(0, n));
        const row = some.get(written[1].filingId)! as unknown as Record<string, unknown>;
        const read = Object.keys(row).filter((k) => row[k] !== undefined); // an entity has every field, those not read undefined
        expect(read.sort()).toEqual(['filingId', ...columns.slice(0, n)].sort());
      }
    });
  });

  it('prepares each statement once on the connection that runs it', async () => {
    const db = await store.open();
    const read = (em: EntityManager, n: number) => runInBatch(em, FILINGS_BY_ID, [[`k-${n}`], 'x']);
    if (name === 'PostgreSQL') {
      const prepared = await db.transaction(async (em) => {
        for (let n = 0; n < 3; n++) await read(em, n);
        return em.query(
          `SELECT name, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE name LIKE 'read-models.test.%'`,
        );
      });
      expect(prepared).toEqual([{ name: expect.stringMatching(/^read-models\.test\.filings-by-id\.[0-9a-f]{16}$/), runs: '3' }]);
    } else {
      const { prepared, restore } = recordSqlitePrepares(db);
      for (let n = 0; n < 3; n++) await db.transaction((em) => read(em, n));
      expect(prepared.filter((sql) => sql.includes('json_each(@p1)'))).toHaveLength(1);
      restore();
    }
  });
});
