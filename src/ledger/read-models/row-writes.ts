// RowBatch's writes as prepared statements whose text does not depend on the number of rows: a multi-row INSERT built
// as text for each batch is parsed and planned anew by PostgreSQL every time, and misses TypeORM's SQLite statement
// cache (keyed by text, and kept per query runner: per transaction). Both run in the caller's transaction, on its
// connection, as a batch's reads do (batch-statements.ts); TypeORM stays for the schema and the cold queries.
import { QueryFailedError, type EntityManager, type EntityMetadata, type ObjectLiteral, type QueryRunner } from 'typeorm';
import type pg from 'pg';
import { jsonRows } from '../event-store/postgres-support.js';
import { tableOf } from './keyed-read.js';
import { postgresStatementName, sqliteStatement, type SqliteConnection } from './batch-statements.js';

export type Column = EntityMetadata['columns'][number];

/**
 * Rows per statement on PostgreSQL: the statement takes the rows as one JSON text, so its text is the same for any number;
 * this only bounds the size of one message.
 */
const PG_ROWS_PER_STATEMENT = 5_000;
/**
 * Rows per statement on SQLite, largest first: a statement is prepared once for each size a table's writes use, and n
 * rows take the largest that fit first (300 rows: 256 + 32 + 3 × 4), so a batch runs a few statements whatever its size.
 */
const SQLITE_ROWS = [256, 32, 4, 1];
/** SQLite's most bound parameters in one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const SQLITE_MAX_PARAMETERS = 32_766;

interface SqliteStatement {
  run(...params: unknown[]): unknown;
}

interface Statement {
  /** PostgreSQL's name for it: unique to its text. */
  name: string;
  text: string;
}

/** Statement texts by table (its metadata: one per data source) and write, built once. */
const texts = new WeakMap<EntityMetadata, Map<string, Statement>>();

/**
 * Writes these rows of one table, every column: INSERT (a duplicate key fails, as a single insert would), or with `set`
 * an upsert that changes only those columns of an existing row (none: leaves it as it is). Values are converted as
 * TypeORM stores them (simple-json, booleans). Runs on the connection of `em`'s transaction.
 */
export async function writeRows(
  em: EntityManager,
  metadata: EntityMetadata,
  rows: readonly ObjectLiteral[],
  set: readonly Column[] | null,
): Promise<void> {
  if (rows.length === 0) return;
  const runner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    const type = em.connection.driver.options.type;
    if (type === 'postgres') await writePostgres(runner, metadata, rows, set);
    else if (type === 'better-sqlite3') await writeSqlite(runner, metadata, rows, set);
    else throw new Error(`no prepared read-model writes for ${type}`);
  } finally {
    if (runner !== em.queryRunner) await runner.release();
  }
}

/**
 * `INSERT … SELECT … FROM json_to_recordset($1::json) AS r(column type, …)`, the rows as one JSON parameter: a named
 * statement per table and write, which PostgreSQL parses once per connection (and plans generically once it has run it
 * a few times).
 */
async function writePostgres(runner: QueryRunner, metadata: EntityMetadata, rows: readonly ObjectLiteral[], set: readonly Column[] | null) {
  const { driver } = runner.connection;
  const statement = statementOf(metadata, set, 'json', () => {
    const names = metadata.columns.map((c) => quote(metadata, c.databaseName));
    const record = metadata.columns.map((c, i) => `${names[i]} ${postgresType(c)}`);
    return `${insertInto(metadata)} SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS r(${record.join(', ')})${onConflict(metadata, set)}`;
  });
  // The transaction's own client, which TypeORM's query runner holds (connect() returns it once connected).
  const client = (await runner.connect()) as pg.ClientBase;
  for (let i = 0; i < rows.length; i += PG_ROWS_PER_STATEMENT) {
    const records = rows.slice(i, i + PG_ROWS_PER_STATEMENT).map((row) => {
      const record: Record<string, unknown> = {};
      for (const c of metadata.columns) record[c.databaseName] = driver.preparePersistentValue(c.getEntityValue(row), c) as unknown;
      return record;
    });
    const values = [jsonRows(records)];
    try {
      await client.query({ name: statement.name, text: statement.text, values });
    } catch (err) {
      throw new QueryFailedError(statement.text, values, err as Error);
    }
  }
}

/**
 * A column's type in the JSON record (simple-json is text: TypeORM's normalizeType). Array, enum and spatial columns
 * would need more than a plain type: refused, so that a read model adding one is noticed (the tests write every column
 * of every read model).
 */
export function postgresType(column: Column): string {
  const type = column.entityMetadata.connection.driver.normalizeType(column);
  if (column.isArray || /enum|geometry|geography/.test(type) || !/^[a-z][a-z0-9 ]*$/.test(type))
    throw new Error(`no record type for read-model column ${column.entityMetadata.tableName}.${column.databaseName} (${type})`);
  return type;
}

/**
 * Multi-row INSERT … VALUES of a few fixed sizes, each prepared once per table and write on the better-sqlite3
 * connection, the one TypeORM's transactions run on (it has no other), and kept there.
 */
async function writeSqlite(runner: QueryRunner, metadata: EntityMetadata, rows: readonly ObjectLiteral[], set: readonly Column[] | null) {
  const { driver } = runner.connection;
  const connection = (await runner.connect()) as SqliteConnection;
  const columns = metadata.columns;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  let i = 0;
  for (const size of SQLITE_ROWS.filter((n) => n === 1 || n * columns.length <= SQLITE_MAX_PARAMETERS)) {
    if (rows.length - i < size) continue;
    const { text } = statementOf(metadata, set, `values-${size}`, () => {
      return `${insertInto(metadata)} VALUES ${Array<string>(size).fill(tuple).join(', ')}${onConflict(metadata, set)}`;
    });
    const statement = sqliteStatement<SqliteStatement>(connection, text);
    for (; rows.length - i >= size; i += size) {
      const params: unknown[] = [];
      for (let r = i; r < i + size; r++)
        for (const c of columns) {
          const value: unknown = driver.preparePersistentValue(c.getEntityValue(rows[r]), c);
          params.push(typeof value === 'boolean' ? Number(value) : value); // as TypeORM's queries bind them
        }
      try {
        statement.run(...params);
      } catch (err) {
        throw new QueryFailedError(text, params, err as Error);
      }
    }
  }
}

/** The statement of this table's write (`form`: how its values come), its text built the first time. */
function statementOf(metadata: EntityMetadata, set: readonly Column[] | null, form: string, text: () => string): Statement {
  let byWrite = texts.get(metadata);
  if (!byWrite) texts.set(metadata, (byWrite = new Map()));
  const key = `${form} ${set === null ? 'insert' : `upsert ${set.map((c) => c.databaseName).join(',')}`}`;
  let statement = byWrite.get(key);
  if (!statement) {
    const sql = text();
    statement = { name: postgresStatementName(`read-models.write.${metadata.tableName}`, sql), text: sql };
    byWrite.set(key, statement);
  }
  return statement;
}

const quote = (metadata: EntityMetadata, name: string) => metadata.connection.driver.escape(name);

/** `INSERT INTO table (every column)`, the table with its schema on PostgreSQL. */
function insertInto(metadata: EntityMetadata): string {
  const columns = metadata.columns.map((c) => quote(metadata, c.databaseName));
  return `INSERT INTO ${tableOf(metadata.connection, metadata.target)} (${columns.join(', ')})`;
}

/** Nothing for an insert; for an upsert, the columns `set` taken from the row written when the key exists. */
function onConflict(metadata: EntityMetadata, set: readonly Column[] | null): string {
  if (set === null) return '';
  const key = metadata.primaryColumns.map((c) => quote(metadata, c.databaseName)).join(', ');
  if (set.length === 0) return ` ON CONFLICT (${key}) DO NOTHING`;
  const q = (c: Column) => quote(metadata, c.databaseName);
  return ` ON CONFLICT (${key}) DO UPDATE SET ${set.map((c) => `${q(c)} = excluded.${q(c)}`).join(', ')}`;
}
