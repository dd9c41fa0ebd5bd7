// A content withdrawn may be filed again, so the filings' content hash is no longer unique; filings show their earlier,
// withdrawn filings and their amendments.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLE = 'filings';

async function replaceContentHashIndex(q: QueryRunner, unique: boolean): Promise<void> {
  const table = (await q.getTable(TABLE))!;
  const index = table.indices.find((i) => i.columnNames.length === 1 && i.columnNames[0] === 'contentHash');
  if (index) await q.dropIndex(table, index);
  await q.createIndex(TABLE, new TableIndex({ columnNames: ['contentHash'], isUnique: unique }));
}

export class RefilingAndAmendments1799100000000 implements MigrationInterface {
  name = 'RefilingAndAmendments1799100000000';

  async up(q: QueryRunner): Promise<void> {
    await replaceContentHashIndex(q, false);
    await q.addColumns(TABLE, [
      new TableColumn({ name: 'priorFilings', type: 'text', isNullable: true }),
      new TableColumn({ name: 'humanContributionNotes', type: 'text', isNullable: true }),
      new TableColumn({ name: 'amendedAt', type: 'varchar', length: '32', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['amendedAt', 'humanContributionNotes', 'priorFilings']) await q.dropColumn(TABLE, column);
    await replaceContentHashIndex(q, true);
  }
}
