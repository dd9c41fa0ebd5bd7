// First read-model schema; written with TypeORM's portable Table API so it runs on SQLite and PostgreSQL.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const iso = (name: string, nullable = false) => ({ name, type: 'varchar', length: '32', isNullable: nullable });
const id = (name: string, primary = false) => ({ name, type: 'varchar', length: '36', isPrimary: primary });

export class InitialReadModels1764374400000 implements MigrationInterface {
  name = 'InitialReadModels1764374400000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'projection_checkpoints',
        columns: [
          { name: 'name', type: 'varchar', length: '64', isPrimary: true },
          { name: 'position', type: 'integer' },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'filings',
        columns: [
          id('filingId', true),
          { name: 'contentHash', type: 'varchar', length: '64' },
          { name: 'contentType', type: 'varchar', length: '255' },
          { name: 'title', type: 'text' },
          id('creator'),
          { name: 'status', type: 'varchar', length: '16' },
          iso('filedAt'),
          { name: 'leafIndex', type: 'integer' },
          { name: 'eventHash', type: 'varchar', length: '64' },
          { name: 'generation', type: 'text' },
          { name: 'processEvidence', type: 'text' },
          { name: 'perceptualHash', type: 'text', isNullable: true },
          { name: 'labelState', type: 'varchar', length: '16' },
          iso('labelDueAt'),
          iso('withdrawnAt', true),
          { name: 'withdrawReason', type: 'text', isNullable: true },
        ],
        indices: [
          new TableIndex({ columnNames: ['contentHash'], isUnique: true }),
          new TableIndex({ columnNames: ['leafIndex'], isUnique: true }),
          new TableIndex({ columnNames: ['creator'] }),
          new TableIndex({ columnNames: ['status'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'principals',
        columns: [
          id('principalId', true),
          { name: 'name', type: 'text' },
          { name: 'roles', type: 'text' },
          { name: 'isAdmin', type: 'boolean' },
          iso('registeredAt'),
        ],
        indices: [new TableIndex({ columnNames: ['isAdmin'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          id('keyId', true),
          { name: 'keyHash', type: 'varchar', length: '64' },
          id('principalId'),
          iso('issuedAt'),
          iso('revokedAt', true),
        ],
        indices: [new TableIndex({ columnNames: ['keyHash'], isUnique: true }), new TableIndex({ columnNames: ['principalId'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'idempotency_records',
        columns: [
          id('principalId', true),
          { name: 'idempotencyKey', type: 'varchar', length: '255', isPrimary: true },
          { name: 'fingerprint', type: 'varchar', length: '64' },
          { name: 'statusCode', type: 'integer' },
          { name: 'body', type: 'text' },
          iso('createdAt'),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['idempotency_records', 'api_keys', 'principals', 'filings', 'projection_checkpoints']) await q.dropTable(t);
  }
}
