// Both parties of a dispute may appeal: the reviewer queue lists every appeal, next to the first one it always showed.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLE = 'disputes';

export class DisputeAppeals1799200000000 implements MigrationInterface {
  name = 'DisputeAppeals1799200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(TABLE, new TableColumn({ name: 'appeals', type: 'text', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn(TABLE, 'appeals');
  }
}
