// Every read-model migration runs on SQLite and on PostgreSQL, leaves exactly the schema the entities declare
// (TypeORM's schema builder finds nothing to change), and rolls back cleanly.
import { rmSync } from 'node:fs';
import postgres from 'pg';
import type { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config.js';
import { tableNamed } from '../../src/ledger/read-models/keyed-read.js';
import { openReadModels, READ_MODEL_MIGRATIONS, readModelOptions } from '../../src/ledger/read-models/read-store.js';
import { StartAbandoned } from '../../src/ledger/opened-on-start.js';
import { DisputeView } from '../../src/disputes/dispute-view.entity.js';
import { RightView } from '../../src/settlement/right-view.entity.js';
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

/** A right's row as a read model before RightChangesAt1799600000000 holds it (no changesAt). */
const rowBefore = (filingId: string, leafIndex: number, status: string) => ({
  filingId,
  creator: 'alice',
  holder: 'alice',
  status,
  rule: 'filing-accepted',
  cause: {},
  since: '2026-01-01T00:00:00.000Z',
  flags: [],
  disputed: false,
  labelOverdue: false,
  similarityReview: false,
  probation: false,
  nearDuplicates: 0,
  policyVersion: 1,
  filedAt: '2026-01-01T00:00:00.000Z',
  labelDueAt: '2026-01-08T00:00:00.000Z',
  quietUntil: '2026-01-31T00:00:00.000Z',
  asOf: `2026-01-0${leafIndex}T00:00:00.000Z`,
  leafIndex,
  lastLeafIndex: leafIndex,
});

/** Rows written before rights kept their next change get the earliest deadline after their asOf, unless final. */
async function expectEarlierRightsDue(db: DataSource): Promise<void> {
  const applied = async () =>
    (await db.query(`SELECT ${db.driver.escape('name')} FROM ${tableNamed(db.driver, 'migrations')}`)) as Array<{ name: string }>;
  while ((await applied()).some((m) => m.name === 'RightChangesAt1799600000000')) await db.undoLastMigration({ transaction: 'all' });
  const rows = [
    rowBefore('f1', 1, 'provisional'), // labels due on the 8th
    rowBefore('f2', 2, 'revoked'), // final: none
    { ...rowBefore('f3', 3, 'provisional'), asOf: '2026-01-09T00:00:00.000Z' }, // past its labels: the quiet period's end
    { ...rowBefore('f4', 4, 'provisional'), asOf: '2026-01-09T00:00:00.000Z' }, // a decision's appeal window comes first
    { ...rowBefore('f5', 5, 'confirmed'), asOf: '2026-02-01T00:00:00.000Z' }, // no deadline named
  ];
  await db.createQueryBuilder().insert().into(RightView, Object.keys(rows[0])).values(rows).execute();
  const dispute = { disputeId: 'd1', type: 'priority', filingId: 'f4', complainant: 'bob', respondent: 'alice', claim: 'c', evidence: [] };
  const times = {
    openedAt: '2026-01-05T00:00:00.000Z',
    responseDueAt: '2026-01-12T00:00:00.000Z',
    decisionDueAt: '2026-01-20T00:00:00.000Z',
  };
  await db.getRepository(DisputeView).insert({
    ...dispute,
    ...times,
    status: 'decided',
    policy: {},
    appealUntil: '2026-01-20T00:00:00.000Z',
    outcome: 'upheld',
    remedy: 'revoke',
    leafIndex: 9,
    eventHash: '0'.repeat(64),
    lastLeafIndex: 9,
    updatedAt: '2026-01-05T00:00:00.000Z',
  } as unknown as DisputeView);
  await db.runMigrations({ transaction: 'all' });
  const due = await db.getRepository(RightView).find({ select: { filingId: true, changesAt: true }, order: { filingId: 'ASC' } });
  expect(due).toEqual([
    { filingId: 'f1', changesAt: '2026-01-08T00:00:00.000Z' },
    { filingId: 'f2', changesAt: null },
    { filingId: 'f3', changesAt: '2026-01-31T00:00:00.000Z' },
    { filingId: 'f4', changesAt: '2026-01-20T00:00:00.000Z' },
    { filingId: 'f5', changesAt: null },
  ]);
  await db.getRepository(RightView).clear();
  await db.getRepository(DisputeView).clear();
}

describe('read-model migrations', () => {
  it('on SQLite: all run, match the entities, and roll back', async () => {
    const dataDir = tempDir('ledger-migrations-');
    const db = await openReadModels(readModelOptions(loadConfig({}, { dataDir }), ALL_READ_MODEL_ENTITIES));
    try {
      await expectEarlierRightsDue(db);
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
      await expectEarlierRightsDue(db);
      await expectMigrationsMatchEntities(db);
    } finally {
      await db.destroy();
      await dropSchema(schema);
    }
  });

  pg('on PostgreSQL, none run for a start that failed while it waited for the migrations lock', async () => {
    const schema = freshSchema('test_migrations');
    const options = readModelOptions(
      loadConfig({}, { store: 'postgres', databaseUrl: testDatabaseUrl, databaseSchema: schema }),
      ALL_READ_MODEL_ENTITIES,
    );
    const client = new postgres.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    try {
      await expect(openReadModels(options, () => false)).rejects.toBeInstanceOf(StartAbandoned);
      const { rows } = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(rows).toEqual([]); // the schema is made first, and nothing in it
      const open = await openReadModels(options, () => true);
      await open.destroy();
      const after = await client.query('SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1', [schema]);
      expect(after.rows[0].n).toBeGreaterThan(0); // the same call, wanted, migrates
    } finally {
      await client.end();
      await dropSchema(schema);
    }
  });
});
