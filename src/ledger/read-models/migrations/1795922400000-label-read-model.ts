// Label columns of the filings read model: the Article 6 tier, the declaration in force and the last file check.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

export class LabelReadModel1795922400000 implements MigrationInterface {
  name = 'LabelReadModel1795922400000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('filings', [
      new TableColumn({ name: 'labelTier', type: 'varchar', length: '1', isNullable: true }),
      new TableColumn({ name: 'labels', type: 'text', isNullable: true }),
      new TableColumn({ name: 'labelCheck', type: 'text', isNullable: true }),
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const column of ['labelCheck', 'labels', 'labelTier']) await q.dropColumn('filings', column);
  }
}
