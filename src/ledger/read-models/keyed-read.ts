// The hot reads of the read models by key, prepared once: TypeORM builds and parses a query anew each time, which costs
// more than the query; it stays for the schema, the migrations and the cold queries.
import type { DataSource, Driver, EntityTarget, ObjectLiteral } from 'typeorm';
import type pg from 'pg';
import { BatchedReads, groupRows } from '../batched-reads.js';
import { checkSchemaName } from '../event-store/postgres-support.js';

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
}

/** What a statement's text is written with: the quoted tables of entities, and the condition on the key. */
export interface KeyedSql {
  table(entity: EntityTarget<ObjectLiteral>): string;
  /** `column` equal to the key read (on PostgreSQL, to any of the keys of one batch). */
  key(column: string): string;
}

/** A table's path (`schema.table` on PostgreSQL) quoted for the driver. */
const quotedPath = (driver: Driver, path: string) =>
  path
    .split('.')
    .map((part) => driver.escape(part))
    .join('.');

/** The quoted table name (with its schema on PostgreSQL) of an entity. */
export function tableOf(db: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  return quotedPath(db.driver, db.getMetadata(entity).tablePath);
}

/** The quoted table name (with the data source's schema on PostgreSQL) of a table named as a migration names it. */
export function tableNamed(driver: Driver, table: string): string {
  return quotedPath(driver, driver.buildTableName(table, (driver as { schema?: string }).schema));
}

/**
 * A read of the read-model database by one text key, outside any transaction of the projection runner (it reads
 * committed rows). On PostgreSQL a named (server-side prepared) statement on TypeORM's pool, batched: the reads of one
 * turn of the event loop are one query (`BatchedReads`), its rows grouped by `keyOf`. On SQLite better-sqlite3's own
 * prepared statement on the one connection, a key at a time. Rows are shared by the reads of a key in one turn: callers
 * must not change them.
 */
export class KeyedRead<R> {
  private readonly reads: BatchedReads<string, R[]> | null = null;
  private sqlite: SqliteStatement | null = null;
  private readonly text: string;

  constructor(
    private readonly db: DataSource,
    /** Unique among the keyed reads of a process: PostgreSQL's statement name (with the schema, which the text names). */
    name: string,
    text: (sql: KeyedSql) => string,
    keyOf: (row: R) => string,
  ) {
    const postgres = db.options.type === 'postgres';
    this.text = text({
      table: (entity) => tableOf(db, entity),
      key: (column) => (postgres ? `${column} = ANY($1::text[])` : `${column} = ?`),
    });
    if (!postgres) return;
    const statement = { name: `read-models.${checkSchemaName(db.options.schema ?? 'ledger')}.${name}`, text: this.text };
    this.reads = new BatchedReads(async (keys) => {
      // TypeORM's PostgreSQL driver keeps its pg pool as `master` once initialized.
      const pool = (db.driver as unknown as { master?: pg.Pool }).master;
      if (!pool) throw new Error('the read-model database is not open');
      return groupRows((await pool.query({ ...statement, values: [keys] })).rows as R[], keyOf);
    });
  }

  /** The rows of this key (none: an empty list). */
  async read(key: string): Promise<readonly R[]> {
    if (this.reads) return (await this.reads.read(key)) ?? [];
    this.sqlite ??= (
      this.db.driver as unknown as { databaseConnection: { prepare(sql: string): SqliteStatement } }
    ).databaseConnection.prepare(this.text);
    return this.sqlite.all(key) as R[];
  }

  /** Answers the reads already asked for, then refuses new ones: before the data source closes its pool. */
  async close(): Promise<void> {
    await this.reads?.close();
  }
}
