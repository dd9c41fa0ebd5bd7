// The rows of the read-model tables that a batch of events changes: read once (a statement prepared once per table and
// columns, batch-statements.ts), changed in memory, written back in a few multi-row statements at the end of the batch
// (a statement per row through TypeORM costs far more than the row), each prepared once (row-writes.ts). The projections
// applying a batch share its rows (BatchRows).
import type { EntityManager, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import { runInBatch, type BatchStatement } from './batch-statements.js';
import { writeRows, type Column } from './row-writes.js';

/** The rows of a table whose `key` is among $1, only the `selected` columns. */
function loadStatement(metadata: EntityMetadata, key: Column, selected: readonly Column[]): BatchStatement {
  const names = selected.map((c) => c.databaseName);
  return {
    name: `load.${metadata.tableName}.by.${key.databaseName}.${names.join(',')}`, // unique for each table, key and columns
    text: ({ table, column, anyOf }) =>
      `SELECT ${names.map(column).join(', ')} FROM ${table(metadata.target)} WHERE ${anyOf(column(key.databaseName), 1)}`,
  };
}

export class RowBatch<T extends ObjectLiteral> {
  /** Every key this batch knows: its row, or null when the table has none. */
  private readonly rows = new Map<string, T | null>();
  private readonly inserted = new Set<string>();
  private readonly changed = new Set<string>();
  /** The columns `update` patched in changed rows; every column once `put` replaced a row. */
  private readonly patched = new Set<string>();
  private replaced = false;

  constructor(
    private readonly em: EntityManager,
    private readonly entity: EntityTarget<T>,
    private readonly key: keyof T & string,
  ) {}

  /** Keys the caller knows the table has no row for (rows its batch's events create): `load` does not read them. */
  absent(keys: Iterable<string>): void {
    for (const k of keys) if (!this.rows.has(k)) this.rows.set(k, null);
  }

  /**
   * Reads the rows of these keys (the table's key is a text column) that the batch does not know yet: only some columns
   * when its projection will only `put` whole rows and is the only one to change the table.
   */
  async load(keys: Iterable<string>, columns?: Array<keyof T & string>): Promise<void> {
    const missing = [...new Set(keys)].filter((k) => !this.rows.has(k));
    if (missing.length === 0) return;
    const metadata = this.em.connection.getMetadata(this.entity);
    const selected = columns
      ? metadata.columns.filter((c) => c.propertyName === this.key || columns.includes(c.propertyName as never))
      : metadata.columns;
    const keyColumn = metadata.columns.find((c) => c.propertyName === this.key)!;
    const { rows } = await runInBatch(this.em, loadStatement(metadata, keyColumn, selected), [missing]);
    for (const k of missing) this.rows.set(k, null);
    const { driver } = this.em.connection;
    for (const raw of rows) {
      // As TypeORM's find makes an entity of a row: each column's value as its driver hydrates it (simple-json parsed, booleans).
      const row = metadata.create(undefined, { fromDeserializer: true }) as T;
      for (const c of selected) (row as ObjectLiteral)[c.propertyName] = driver.prepareHydratedValue(raw[c.databaseName], c);
      this.rows.set(String(row[this.key]), row);
    }
  }

  /** The row as this batch has it; undefined for a key neither loaded nor inserted. */
  get(key: string): T | null | undefined {
    return this.rows.get(key);
  }

  /** A new row, written with INSERT (a duplicate key fails the batch, as a single insert would). */
  insert(row: T): void {
    const key = String(row[this.key]);
    if (this.rows.get(key)) throw new Error(`duplicate key ${key} in ${String(this.key)}`);
    this.rows.set(key, row);
    this.inserted.add(key);
  }

  /** Changes the row if it exists (like UPDATE … WHERE key = ?); the key must have been loaded or inserted. */
  update(key: string, patch: Partial<T>): void {
    const row = this.rows.get(key);
    if (row === undefined) throw new Error(`row ${key} was not loaded before the batch changed it`);
    if (row === null) return;
    Object.assign(row, patch);
    if (this.inserted.has(key)) return;
    this.changed.add(key);
    for (const column of Object.keys(patch)) this.patched.add(column);
  }

  /** Inserts or replaces the whole row (like save). */
  put(row: T): void {
    const key = String(row[this.key]);
    if (this.inserted.has(key)) {
      this.rows.set(key, row);
      return;
    }
    this.rows.set(key, row);
    this.changed.add(key);
    this.replaced = true;
  }

  /**
   * Writes the batch: new rows inserted, changed rows upserted with only the columns changed (the others, and the index
   * entries on them, are left as they are).
   */
  async flush(): Promise<void> {
    await this.write([...this.inserted], false);
    await this.write([...this.changed], true);
    this.inserted.clear();
    this.changed.clear();
    this.patched.clear();
    this.replaced = false;
  }

  /** Every column of these rows; an upsert changes the columns `update` patched (all once `put` replaced a row). */
  private async write(keys: string[], upsert: boolean): Promise<void> {
    if (keys.length === 0) return;
    const metadata = this.em.connection.getMetadata(this.entity);
    const set = upsert ? metadata.columns.filter((c) => !c.isPrimary && (this.replaced || this.patched.has(c.propertyName))) : null;
    await writeRows(
      this.em,
      metadata,
      keys.map((k) => this.rows.get(k)!),
      set,
    );
  }
}

/**
 * The rows one batch of events changes, by table, shared by every projection that applies the batch: a projection that
 * changes rows another inserted or changed in the same batch finds them in memory (the labels of a work filed in the
 * batch) instead of reading them back, and each row is written once, when the runner flushes the batch before its
 * commit. A projection that queries a table another one changes flushes that table first.
 */
export class BatchRows {
  private readonly tables = new Map<EntityTarget<ObjectLiteral>, { key: string; rows: RowBatch<ObjectLiteral> }>();

  constructor(private readonly em: EntityManager) {}

  /** The batch's rows of this table, keyed by `key` (every projection names the same key for a table). */
  of<T extends ObjectLiteral>(entity: EntityTarget<T>, key: keyof T & string): RowBatch<T> {
    let table = this.tables.get(entity);
    if (!table) this.tables.set(entity, (table = { key, rows: new RowBatch<ObjectLiteral>(this.em, entity, key) }));
    else if (table.key !== key) throw new Error(`rows of one table keyed by both ${table.key} and ${key}`);
    return table.rows as RowBatch<T>;
  }

  /** Writes the changes made so far: to this table's rows (before querying it), or to every table's. */
  async flush(entity?: EntityTarget<ObjectLiteral>): Promise<void> {
    const tables = entity === undefined ? [...this.tables.values()] : [this.tables.get(entity)];
    for (const table of tables) await table?.rows.flush();
  }
}
