// Registered distribution copies of filed works: the public lookup answers for a copy's hash too.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class Copies1799400000000 implements MigrationInterface {
  name = 'Copies1799400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'copies',
        columns: [
          { name: 'leafIndex', type: 'integer', isPrimary: true },
          { name: 'sha256', type: 'varchar', length: '64' },
          { name: 'filingId', type: 'varchar', length: '36' },
          { name: 'registeredAt', type: 'varchar', length: '32' },
          { name: 'eventHash', type: 'varchar', length: '64' },
          { name: 'perceptualHash', type: 'text' },
          { name: 'distance', type: 'integer' },
        ],
        indices: [new TableIndex({ columnNames: ['sha256'] }), new TableIndex({ columnNames: ['filingId'] })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('copies');
  }
}
