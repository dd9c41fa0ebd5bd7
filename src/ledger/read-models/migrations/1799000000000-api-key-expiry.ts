// API keys may expire: the instant from which a key is refused (null: never).
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

const TABLE = 'api_keys';

export class ApiKeyExpiry1799000000000 implements MigrationInterface {
  name = 'ApiKeyExpiry1799000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(TABLE, new TableColumn({ name: 'expiresAt', type: 'varchar', length: '32', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn(TABLE, 'expiresAt');
  }
}
