// TypeORM data source for the read models: SQLite next to the events, or PostgreSQL.
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../../config.js';
import { advisoryLockKey, ensureSchema, pgApplicationName, pgConnection } from '../event-store/postgres-support.js';
import { setUpSqliteFile } from '../sqlite/open-file.js';
import { setPragma, setWal, SYNCHRONOUS_LEVEL } from '../sqlite/pragma.js';
import { checkpointInBackground } from '../sqlite/wal-checkpoints.js';
import { InitialReadModels1764374400000 } from './migrations/1764374400000-initial-read-models.js';
import { LabelReadModel1795922400000 } from './migrations/1795922400000-label-read-model.js';
import { DisputeReadModel1796000000000 } from './migrations/1796000000000-dispute-read-model.js';
import { RightsReadModel1797100000000 } from './migrations/1797100000000-rights-read-model.js';
import { IdempotencyClaims1798000000000 } from './migrations/1798000000000-idempotency-claims.js';
import { ApiKeyExpiry1799000000000 } from './migrations/1799000000000-api-key-expiry.js';
import { RefilingAndAmendments1799100000000 } from './migrations/1799100000000-refiling-and-amendments.js';
import { DisputeAppeals1799200000000 } from './migrations/1799200000000-dispute-appeals.js';
import { FiledFiles1799300000000 } from './migrations/1799300000000-filed-files.js';
import { Copies1799400000000 } from './migrations/1799400000000-copies.js';
import { ReplayedPosition1799500000000 } from './migrations/1799500000000-replayed-position.js';
import { RightChangesAt1799600000000 } from './migrations/1799600000000-right-changes-at.js';
import { IdempotencyRecord } from '../write/idempotency-record.entity.js';
import { ProjectionCheckpoint } from './projection-checkpoint.entity.js';
import { createMissingIndexes } from './rebuild-indexes.js';
import { StartAbandoned } from '../opened-on-start.js';

export const READ_MODEL_MIGRATIONS = [
  InitialReadModels1764374400000,
  LabelReadModel1795922400000,
  DisputeReadModel1796000000000,
  RightsReadModel1797100000000,
  IdempotencyClaims1798000000000,
  ApiKeyExpiry1799000000000,
  RefilingAndAmendments1799100000000,
  DisputeAppeals1799200000000,
  FiledFiles1799300000000,
  Copies1799400000000,
  ReplayedPosition1799500000000,
  RightChangesAt1799600000000,
];

/** The ledger's own tables; each domain module adds its read models' entities (TypeOrmModule.forFeature). */
export const LEDGER_ENTITIES = [ProjectionCheckpoint, IdempotencyRecord];

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- TypeORM types entity classes as Function
export function readModelOptions(config: AppConfig, entities: ReadonlyArray<Function> = LEDGER_ENTITIES): DataSourceOptions {
  const common = {
    entities: Array.from(entities),
    migrations: READ_MODEL_MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  if (config.store === 'sqlite') {
    const file = join(config.dataDir, 'read-models.sqlite');
    return {
      ...common,
      type: 'better-sqlite3',
      database: file,
      enableWAL: true,
      // Read models are rebuildable from the events, and their checkpoint commits with them: NORMAL is enough.
      prepareDatabase: (db: Database.Database) =>
        setUpSqliteFile(file, db, () => {
          setWal(db); // before the checkpoint thread opens the file (TypeORM sets it after this hook)
          setPragma(db, 'synchronous', 'NORMAL', SYNCHRONOUS_LEVEL.NORMAL);
          checkpointInBackground(db);
        }),
    };
  }
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required for the PostgreSQL read models');
  return {
    ...common,
    type: 'postgres',
    url: config.databaseUrl,
    schema: config.databaseSchema ?? 'ledger',
    extra: { fallback_application_name: pgApplicationName('read-models') },
  };
}

/**
 * Opens the read-model database. On PostgreSQL the schema is created first (TypeORM does not), and migrations run
 * under an advisory lock: instances starting together must not both run one (the second then finds none pending); none
 * run once `wanted` says the start that asked has failed meanwhile (StartAbandoned).
 */
export async function openReadModels(options: DataSourceOptions, wanted: () => boolean = () => true): Promise<DataSource> {
  if (options.type !== 'postgres') {
    const db = await new DataSource(options).initialize();
    // A rebuild stopped before its end leaves some non-unique indexes out (only SQLite rebuilds drop any).
    const q = db.createQueryRunner();
    try {
      await createMissingIndexes(q);
      // Opened, the connection no longer waits for another's write lock: better-sqlite3 would wait on the event loop,
      // holding every request up. The projection runner tries a busy write again later instead (ProjectionRunner.exclusive).
      await q.query('PRAGMA busy_timeout = 0');
    } catch (err) {
      await db.destroy().catch(() => undefined);
      throw err;
    } finally {
      await q.release();
    }
    return db;
  }
  const schema = options.schema ?? 'ledger';
  const pool = new pg.Pool({ ...pgConnection(options.url, 'migrations'), max: 1 });
  try {
    await ensureSchema(pool, schema);
    const db = await new DataSource({ ...options, migrationsRun: false }).initialize();
    const key = advisoryLockKey(`sandbox-ledger/migrations:${schema}`);
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
      // The lock may have been long in coming: a start that failed meanwhile migrates nothing.
      if (!wanted()) throw new StartAbandoned();
      await db.runMigrations({ transaction: 'all' });
    } catch (err) {
      await db.destroy().catch(() => undefined);
      throw err;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
      client.release();
    }
    return db;
  } finally {
    await pool.end();
  }
}
