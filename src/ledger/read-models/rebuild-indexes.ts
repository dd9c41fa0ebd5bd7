// A rebuild on SQLite fills some read-model tables without their non-unique indexes and creates them at its end: one
// sort per index instead of a B-tree update per row written. Such an index constrains nothing, so the rows come out the
// same; the entities declare every index (the migrations are tested to match them), so any a stopped rebuild left out is
// known and created again when the read models are next opened.
import { TableIndex, type DataSource, type EntityTarget, type ObjectLiteral, type QueryRunner } from 'typeorm';

interface LooseIndex {
  table: string;
  name: string;
  columns: string[];
}

/** The non-unique indexes the entities of these tables declare. */
function looseIndexes(db: DataSource, entities: ReadonlyArray<EntityTarget<ObjectLiteral>>): LooseIndex[] {
  return entities
    .map((e) => db.getMetadata(e))
    .flatMap((m) =>
      m.indices
        .filter((i) => !i.isUnique)
        .map((i) => ({ table: m.tablePath, name: i.name, columns: i.columns.map((c) => c.databaseName) })),
    );
}

/** Drops the non-unique indexes of these tables, in the caller's transaction. */
export async function dropLooseIndexes(q: QueryRunner, entities: ReadonlyArray<EntityTarget<ObjectLiteral>>): Promise<void> {
  const byTable = groupByTable(looseIndexes(q.connection, entities));
  for (const [path, wanted] of byTable) {
    const table = await q.getTable(path);
    const names = new Set(wanted.map((i) => i.name));
    for (const index of table?.indices.filter((i) => names.has(i.name!)) ?? []) await q.dropIndex(table!, index);
  }
}

/** Creates every non-unique index the entities (all of them by default) declare and the database lacks; returns their names. */
export async function createMissingIndexes(q: QueryRunner, entities?: ReadonlyArray<EntityTarget<ObjectLiteral>>): Promise<string[]> {
  const created: string[] = [];
  const byTable = groupByTable(looseIndexes(q.connection, entities ?? q.connection.entityMetadatas.map((m) => m.target)));
  for (const [path, wanted] of byTable) {
    const table = await q.getTable(path);
    if (!table) continue; // not migrated yet
    for (const i of wanted) {
      if (table.indices.some((t) => t.name === i.name)) continue;
      await q.createIndex(table, new TableIndex({ name: i.name, columnNames: i.columns }));
      created.push(i.name);
    }
  }
  return created;
}

function groupByTable(indexes: LooseIndex[]): Map<string, LooseIndex[]> {
  const groups = new Map<string, LooseIndex[]>();
  for (const i of indexes) groups.set(i.table, [...(groups.get(i.table) ?? []), i]);
  return groups;
}
