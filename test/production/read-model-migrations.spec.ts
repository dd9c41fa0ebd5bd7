// Every read-model migration runs on SQLite and on PostgreSQL, leaves exactly the schema the entities declare
// (TypeORM's schema builder finds nothing to change), and rolls back cleanly.
import { rmSync } from 'node:fs';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config.js';
import { openReadModels, READ_MODEL_MIGRATIONS, readModelOptions } from '../../src/ledger/read-models/read-store.js';
import { tempDir } from '../support/ledger-app.js';
import { ALL_READ_MODEL_ENTITIES } from '../support/read-models.js';
import { dropSchema, freshSchema, testDatabaseUrl } from '../support/pg-schema.js';

if (!testDatabaseUrl) process.stderr.write('\nSKIPPED: read-model migrations on PostgreSQL: TEST_DATABASE_URL is not set\n');

async function expectMigrationsMatchEntities(db: DataSource): Promise<void> {
  const applied = (await db.showMigrations()) ? 'pending' : 'all applied';
  expect(applied).toBe('all applied');
  expect(db.migrations.map((m) => m.name)).toEqual(READ_MODEL_MIGRATIONS.map((m) => new m().name));
  const pending = await db.driver.createSchemaBuilder().log();
  expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  for (let i = 0; i < READ_MODEL_MIGRATIONS.length; i++) await db.undoLastMigration({ transaction: 'all' });
  const tables = (await db.createQueryRunner().getTables(db.entityMetadatas.map((m) => m.tablePath))).map((t) => t.name);
  expect(tables).toEqual([]);
}

describe('read-model migrations', () => {
  it('on SQLite: all run, match the entities, and roll back', async () => {
    const dataDir = tempDir('ledger-migrations-');
    const db = await openReadModels(readModelOptions(loadConfig({}, { dataDir }), ALL_READ_MODEL_ENTITIES));
    try {
      await expectMigrationsMatchEntities(db);
    } finally {
      await db.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  const pg = testDatabaseUrl ? it : it.skip;
  pg('on PostgreSQL (TEST_DATABASE_URL): all run in a fresh schema, match the entities, and roll back', async () => {
    const schema = freshSchema('test_migrations');
    const db = await openReadModels(
      readModelOptions(
        loadConfig({}, { store: 'postgres', databaseUrl: testDatabaseUrl, databaseSchema: schema }),
        ALL_READ_MODEL_ENTITIES,
      ),
    );
    try {
      await expectMigrationsMatchEntities(db);
    } finally {
      await db.destroy();
      await dropSchema(schema);
    }
  });
});
