// Statements of the hot paths, prepared once on the read-model database: better-sqlite3's own statement on SQLite, a
// named (server-side prepared) statement on PostgreSQL. TypeORM builds and parses a query anew each time, which costs more
// than the query; it stays for the schema, the migrations and the cold queries.
import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

interface SqliteStatement {
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): unknown;
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

let statements = 0;

/** The quoted table name (with its schema on PostgreSQL) of an entity. */
export function tableOf(db: DataSource, entity: EntityTarget<ObjectLiteral>): string {
  const metadata = db.getMetadata(entity);
  return metadata.tablePath
    .split('.')
    .map((part) => db.driver.escape(part))
    .join('.');
}

/**
 * A statement written with PostgreSQL's `$1`… parameters, run with `params` on the read-model database, outside any
 * transaction of the projection runner on PostgreSQL (it reads committed rows) and on its one connection on SQLite. An
 * `em` runs it inside that entity manager's transaction instead (a projection's batch).
 */
export class PreparedQuery<Row> {
  private readonly name = `ledger_${++statements}`;
  private sqlite: SqliteStatement | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly text: string,
  ) {}

  async all(params: unknown[], em?: EntityManager): Promise<Row[]> {
    if (this.db.options.type === 'postgres') {
      const runner = em?.queryRunner as unknown as { connect(): Promise<PgClient> } | undefined;
      const client: PgClient = runner ? await runner.connect() : (this.db.driver as unknown as { master: PgClient }).master;
      return (await client.query({ name: this.name, text: this.text, values: params })).rows as Row[];
    }
    this.sqlite ??= (
      this.db.driver as unknown as { databaseConnection: { prepare(sql: string): SqliteStatement } }
    ).databaseConnection.prepare(
      this.text.replace(/\$\d+/g, '?'), // each $n used once, in order
    );
    return this.sqlite.all(...params.map(sqliteValue)) as Row[];
  }
}

/** better-sqlite3 binds numbers, strings, bigints, buffers and null; booleans as TypeORM stores them (1/0). */
const sqliteValue = (v: unknown) => (typeof v === 'boolean' ? (v ? 1 : 0) : v === undefined ? null : v);
