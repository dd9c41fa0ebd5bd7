// Rights register: the rights read model, in TypeORM's portable Table API so it runs on SQLite and PostgreSQL.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const iso = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const id = (name: string, primary = false) => ({ name, type: 'varchar', length: '36', isPrimary: primary });
const flag = (name: string) => ({ name, type: 'boolean' });

export class RightsReadModel1797100000000 implements MigrationInterface {
  name = 'RightsReadModel1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'rights',
        columns: [
          id('filingId', true),
          id('creator'),
          id('holder'),
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'rule', type: 'varchar', length: '32' },
          { name: 'cause', type: 'text' },
          iso('since'),
          { name: 'flags', type: 'text' },
          flag('disputed'),
          flag('labelOverdue'),
          flag('similarityReview'),
          flag('probation'),
          { name: 'nearDuplicates', type: 'integer' },
          { name: 'similarityDecision', type: 'varchar', length: '24', isNullable: true },
          { name: 'probationDecision', type: 'varchar', length: '24', isNullable: true },
          { name: 'policyVersion', type: 'integer' },
          iso('filedAt'),
          iso('labelDueAt'),
          iso('quietUntil'),
          iso('labelsDeclaredAt', true),
          iso('confirmedAt', true),
          iso('expiresAt', true),
          iso('asOf'),
          { name: 'leafIndex', type: 'integer' },
          { name: 'lastLeafIndex', type: 'integer' },
        ],
        indices: [
          new TableIndex({ columnNames: ['leafIndex'], isUnique: true }),
          new TableIndex({ columnNames: ['creator'] }),
          new TableIndex({ columnNames: ['holder'] }),
          new TableIndex({ columnNames: ['status'] }),
          new TableIndex({ columnNames: ['disputed'] }),
          new TableIndex({ columnNames: ['labelOverdue'] }),
          new TableIndex({ columnNames: ['similarityReview'] }),
          new TableIndex({ columnNames: ['probation'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('rights');
  }
}
