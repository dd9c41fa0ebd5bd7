// Statements the projections run in a batch's transaction, prepared once on the connection that runs them: TypeORM builds
// each query's text anew and sends it unnamed, so PostgreSQL parses and plans it every time, and its SQLite statement
// cache is kept per query runner (per transaction). These run on the transaction's own connection, as its other
// statements do; TypeORM stays for the schema, the migrations and the cold queries.
import { createHash } from 'node:crypto';
import { QueryFailedError, type DataSource, type EntityManager, type EntityTarget, type ObjectLiteral, type QueryRunner } from 'typeorm';
import type pg from 'pg';
import { tableOf } from './keyed-read.js';

/** What a statement's text is written with, in the dialect of the read-model database. */
export interface BatchSql {
  /** The quoted table (with its schema on PostgreSQL) of an entity. */
  table: (entity: EntityTarget<ObjectLiteral>) => string;
  /** The quoted name of a column. */
  column: (name: string) => string;
  /** The n-th parameter (from 1). */
  param: (n: number) => string;
  /** `column` equal to any of the texts of the n-th parameter, a list of any length. */
  anyOf: (column: string, n: number) => string;
}

/** A statement by its name (unique in the process) and its text in either dialect, built once per data source. */
export interface BatchStatement {
  readonly name: string;
  readonly text: (sql: BatchSql) => string;
}

export interface StatementResult {
  rows: Array<Record<string, unknown>>;
  /** Rows an INSERT, UPDATE or DELETE changed. */
  changes: number;
}

interface SqliteStatement {
  readonly reader: boolean;
  all(params: Record<string, unknown>): unknown[];
  run(params: Record<string, unknown>): { changes: number };
}
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

/** better-sqlite3's statements, prepared once on the connection that runs them, by text. */
const prepared = new WeakMap<SqliteConnection, Map<string, SqliteStatement>>();

/** The better-sqlite3 statement of this text on `connection`, prepared the first time. */
export function sqliteStatement<S = SqliteStatement>(connection: SqliteConnection, text: string): S {
  let statements = prepared.get(connection);
  if (!statements) prepared.set(connection, (statements = new Map()));
  let statement = statements.get(text);
  if (!statement) statements.set(text, (statement = connection.prepare(text)));
  return statement as S;
}

/**
 * PostgreSQL's name for a statement of this text: `label` for whoever reads pg_prepared_statements, and a digest of the
 * text, which names the schema (two data sources of one process on two schemas have two texts); PostgreSQL cuts names
 * at 63 bytes.
 */
export function postgresStatementName(label: string, text: string): string {
  // The label is cut, never the digest: two texts keep two names.
  return `${label.slice(0, 63 - 17)}.${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** A statement's text in the data source's dialect, and its PostgreSQL name. */
type Built = { text: string; postgresName: string };
/** Built statements by data source and statement name. */
const built = new WeakMap<DataSource, Map<string, Built>>();

function build(db: DataSource, statement: BatchStatement): Built {
  let byName = built.get(db);
  if (!byName) built.set(db, (byName = new Map()));
  let found = byName.get(statement.name);
  if (found === undefined) {
    const postgres = db.options.type === 'postgres';
    const text = statement.text({
      table: (entity) => tableOf(db, entity),
      column: (name) => db.driver.escape(name),
      param: (n) => (postgres ? `$${n}` : `@p${n}`),
      anyOf: (column, n) => (postgres ? `${column} = ANY($${n}::text[])` : `${column} IN (SELECT value FROM json_each(@p${n}))`),
    });
    found = { text, postgresName: postgresStatementName(`read-models.${statement.name}`, text) };
    byName.set(statement.name, found);
  }
  return found;
}

/** Runs `statement` with `params` (a list for an `anyOf` parameter) on the connection of `em`'s transaction. */
export async function runInBatch(em: EntityManager, statement: BatchStatement, params: readonly unknown[]): Promise<StatementResult> {
  const { text, postgresName } = build(em.connection, statement);
  const runner: QueryRunner = em.queryRunner ?? em.connection.createQueryRunner();
  try {
    const type = em.connection.driver.options.type;
    if (type === 'postgres') {
      // The transaction's own client, which TypeORM's query runner holds (connect() returns it once connected).
      const client = (await runner.connect()) as pg.ClientBase;
      const values = [...params];
      try {
        const result = await client.query({ name: postgresName, text, values });
        return { rows: result.rows as StatementResult['rows'], changes: result.command === 'SELECT' ? 0 : (result.rowCount ?? 0) };
      } catch (err) {
        throw new QueryFailedError(text, values, err as Error);
      }
    }
    if (type !== 'better-sqlite3') throw new Error(`no prepared read-model statements for ${type}`);
    const connection = (await runner.connect()) as SqliteConnection;
    const bound: Record<string, unknown> = {};
    params.forEach((p, i) => (bound[`p${i + 1}`] = Array.isArray(p) ? JSON.stringify(p) : p));
    try {
      const s = sqliteStatement(connection, text);
      return s.reader ? { rows: s.all(bound) as StatementResult['rows'], changes: 0 } : { rows: [], changes: s.run(bound).changes };
    } catch (err) {
      throw new QueryFailedError(text, [...params], err as Error);
    }
  } finally {
    if (runner !== em.queryRunner) await runner.release();
  }
}
