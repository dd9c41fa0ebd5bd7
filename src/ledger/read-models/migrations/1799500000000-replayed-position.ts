// A kept response keeps the log position its request reached, so that a replay of it answers `Ledger-Position` again.
// TypeORM's portable API: SQLite and PostgreSQL.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLE = 'idempotency_records';

export class ReplayedPosition1799500000000 implements MigrationInterface {
  name = 'ReplayedPosition1799500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(TABLE, new TableColumn({ name: 'position', type: 'integer', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn(TABLE, 'position');
  }
}
