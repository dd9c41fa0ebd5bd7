// Reviewer queue: the disputes read model, in TypeORM's portable Table API so it runs on SQLite and PostgreSQL.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const iso = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const id = (name: string, nullable = false, primary = false) => ({
  name,
  type: 'varchar',
  length: '36',
  isNullable: nullable,
  isPrimary: primary,
});
const json = (name: string, nullable = true) => ({ name, type: 'text', isNullable: nullable });
const code = (name: string, nullable = false) => ({ name, type: 'varchar', length: '16', isNullable: nullable });

export class DisputeReadModel1796000000000 implements MigrationInterface {
  name = 'DisputeReadModel1796000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'disputes',
        columns: [
          id('disputeId', false, true),
          code('type'),
          id('filingId'),
          id('complainant'),
          id('respondent'),
          id('basisFilingId', true),
          { name: 'claim', type: 'text' },
          json('evidence', false),
          code('status'),
          id('assignee', true),
          json('policy', false),
          iso('openedAt'),
          iso('responseDueAt'),
          iso('decisionDueAt'),
          iso('reviewDueAt', true),
          iso('appealUntil', true),
          code('outcome', true),
          code('remedy', true),
          json('returned'),
          json('response'),
          json('decision'),
          json('appeal'),
          json('appealDecision'),
          json('withdrawal'),
          { name: 'leafIndex', type: 'integer' },
          { name: 'eventHash', type: 'varchar', length: '64' },
          { name: 'lastLeafIndex', type: 'integer' },
          iso('updatedAt'),
        ],
        indices: [
          new TableIndex({ columnNames: ['leafIndex'], isUnique: true }),
          new TableIndex({ columnNames: ['type'] }),
          new TableIndex({ columnNames: ['filingId'] }),
          new TableIndex({ columnNames: ['complainant'] }),
          new TableIndex({ columnNames: ['respondent'] }),
          new TableIndex({ columnNames: ['status'] }),
          new TableIndex({ columnNames: ['assignee'] }),
          new TableIndex({ columnNames: ['reviewDueAt'] }),
          new TableIndex({ columnNames: ['appealUntil'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('disputes');
  }
}
