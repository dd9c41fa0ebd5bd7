// A right's row keeps the next instant at which the rules change it by time alone (a deadline: labels due, the quiet
// period's end, an appeal window's close, the term's end), so that a settlement brings up to date every row whose
// deadline has passed, not only those whose status or holder it records as changed. TypeORM's portable API: SQLite and
// PostgreSQL.
import { TableColumn, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLE = 'rights';

export class RightChangesAt1799600000000 implements MigrationInterface {
  name = 'RightChangesAt1799600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(TABLE, new TableColumn({ name: 'changesAt', type: 'varchar', length: '32', isNullable: true }));
    // Unique with the filing id (which is): a rebuild keeps unique indexes, and each settlement it replays reads by this one.
    await q.createIndex(TABLE, new TableIndex({ columnNames: ['changesAt', 'filingId'], isUnique: true }));
    // Rows written before are not known to be current: the next settlement brings every right that can still change up to date.
    const driver = q.connection.driver;
    const rights = driver
      .buildTableName(TABLE, (driver as { schema?: string }).schema)
      .split('.')
      .map((part) => driver.escape(part))
      .join('.');
    const [changesAt, asOf, status] = ['changesAt', 'asOf', 'status'].map((c) => driver.escape(c));
    await q.query(`UPDATE ${rights} SET ${changesAt} = ${asOf} WHERE ${status} NOT IN ('revoked', 'transferred', 'withdrawn', 'expired')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex(TABLE, new TableIndex({ columnNames: ['changesAt', 'filingId'], isUnique: true }));
    await q.dropColumn(TABLE, 'changesAt');
  }
}
