// Idempotency records are claimed before the command runs (no status or body yet) and carry the log size at the claim,
// so a retry after a crash can look for the command's events from there. TypeORM's portable API: SQLite and PostgreSQL.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLE = 'idempotency_records';

export class IdempotencyClaims1798000000000 implements MigrationInterface {
  name = 'IdempotencyClaims1798000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.changeColumn(TABLE, 'statusCode', new TableColumn({ name: 'statusCode', type: 'integer', isNullable: true }));
    await q.changeColumn(TABLE, 'body', new TableColumn({ name: 'body', type: 'text', isNullable: true }));
    await q.addColumn(TABLE, new TableColumn({ name: 'logSize', type: 'integer', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.manager.createQueryBuilder().delete().from(TABLE).where('body IS NULL').execute(); // claims without a response
    await q.dropColumn(TABLE, 'logSize');
    await q.changeColumn(TABLE, 'body', new TableColumn({ name: 'body', type: 'text' }));
    await q.changeColumn(TABLE, 'statusCode', new TableColumn({ name: 'statusCode', type: 'integer' }));
  }
}
