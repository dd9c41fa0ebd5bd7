// A projection rebuild on SQLite drops non-unique indexes while it fills the tables. The compiled rebuild is SIGKILLed
// after its first committed batch; the next start must end with every index the migrations made and the same read
// models as before, and a rebuild run to its end must too.
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module.js';
import { generateLedger } from '../../src/bench/dataset.js';
import { ROOT } from '../../src/bench/processes.js';
import { loadConfig } from '../../src/config.js';
import { ProjectionRunner } from '../../src/ledger/read-models/projection-runner.js';
import { tempDir } from '../support/ledger-app.js';
import { dumpReadModels } from '../support/read-models.js';
import { runCli } from '../support/server-process.js';

/** Over two batches of the rebuild below, so it is stopped between two of them. */
const EVENTS = 12_000;
const BATCH = 5_000;

function readModelIndexes(dataDir: string): { indexes: string[]; position: number } {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const indexes = db
      .prepare("SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'index' ORDER BY 1")
      .pluck()
      .all() as string[];
    const position = db.prepare("SELECT position FROM projection_checkpoints WHERE name = 'read-models'").pluck().get() as number;
    return { indexes, position };
  } finally {
    db.close();
  }
}

/** Opens the application on the data dir as a server does (read models opened, projections caught up), then closes it. */
async function startAndStop(dataDir: string): Promise<number> {
  const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig({}, { dataDir, logLevel: 'silent' })), {
    logger: false,
  });
  try {
    const runner = ctx.get(ProjectionRunner);
    await runner.start();
    runner.stop();
    return runner.position;
  } finally {
    await ctx.close();
  }
}

/** The compiled application's rebuild in its own process, killed with SIGKILL as soon as its first batch has committed. */
function rebuildKilledAfterFirstBatch(dataDir: string): Promise<NodeJS.Signals | null> {
  const dist = (f: string) => JSON.stringify(pathToFileURL(join(ROOT, 'dist', f)).href);
  const script = `
    import 'reflect-metadata';
    import { NestFactory } from '@nestjs/core';
    const { AppModule } = await import(${dist('app.module.js')});
    const { loadConfig } = await import(${dist('config.js')});
    const { ProjectionRunner } = await import(${dist('ledger/read-models/projection-runner.js')});
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot(loadConfig(process.env, { logLevel: 'silent' })), { logger: false });
    const runner = ctx.get(ProjectionRunner).withBatchSize(${BATCH});
    await runner.rebuild(() => process.kill(process.pid, 'SIGKILL'));
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LEDGER_DATA_DIR: dataDir },
      stdio: 'ignore',
    });
    child.on('exit', (_code, signal) => resolve(signal));
  });
}

describe('a projection rebuild stopped midway', () => {
  const dataDir = tempDir('ledger-rebuild-');
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('leaves read models that the next start completes, with every index, equal to a full rebuild', async () => {
    await generateLedger(dataDir, EVENTS, () => undefined);
    expect(await startAndStop(dataDir)).toBe(EVENTS);
    const applied = dumpReadModels(dataDir);
    const migrated = readModelIndexes(dataDir);
    expect(applied.rights.length).toBeGreaterThan((2 * BATCH) / 3);
    expect(migrated.indexes.filter((i) => i.startsWith('rights.')).length).toBe(10);

    expect(await rebuildKilledAfterFirstBatch(dataDir)).toBe('SIGKILL');
    const stopped = readModelIndexes(dataDir);
    expect(stopped.position).toBeGreaterThan(0);
    expect(stopped.position).toBeLessThan(EVENTS);
    // The non-unique indexes of filings and rights are out; the unique ones and every other table's stay.
    const missing = migrated.indexes.filter((i) => !stopped.indexes.includes(i));
    expect(missing.length).toBe(10); // contentHash is among them: a withdrawn content may be filed again
    expect(missing.every((i) => i.startsWith('filings.') || i.startsWith('rights.'))).toBe(true);

    expect(await startAndStop(dataDir)).toBe(EVENTS);
    expect(readModelIndexes(dataDir)).toEqual(migrated);
    expect(dumpReadModels(dataDir)).toEqual(applied);

    const rebuild = await runCli(['projections', 'rebuild'], { LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
    expect([rebuild.code, rebuild.stderr]).toEqual([0, '']);
    expect(readModelIndexes(dataDir)).toEqual(migrated);
    expect(dumpReadModels(dataDir)).toEqual(applied);
  }, 180_000);
});
