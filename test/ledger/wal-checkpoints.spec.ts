// WAL checkpoints on the checkpoint thread: the writers' own checkpoint is only a backstop, the pages a writer commits
// reach the database file all the same, and closing the last connection leaves the file at rest (no WAL left).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { openReadModels, readModelOptions } from '../../src/ledger/read-models/read-store.js';
import { BACKSTOP_PAGES, checkpointInBackground, observeCheckpoints } from '../../src/ledger/sqlite/wal-checkpoints.js';
import { loadConfig } from '../../src/config.js';
import { ROOT } from '../../src/bench/processes.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-wal-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const size = (file: string) => fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;

/**
 * Resolves once the checkpoint thread reports every frame of `file`'s WAL in the database file (at most 10 s), at a
 * moment when `until` holds too (given the WAL's frames): a checkpoint of earlier commits may be reported first.
 */
function fullyCheckpointed(file: string, until: (log: number) => boolean = () => true): Promise<{ log: number; frames: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no complete checkpoint of ${file} reported`));
    }, 10_000);
    const stop = observeCheckpoints((r) => {
      if (r.file === file && r.log! > 0 && r.copied === r.log && until(r.log!)) {
        clearTimeout(timer);
        stop();
        resolve({ log: r.log!, frames: r.copied! });
      }
    });
  });
}

it('a connection handed to the thread keeps its own checkpoint only as a backstop, and its commits reach the file without one', async () => {
  const file = path.join(dir, 'raw.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  checkpointInBackground(db);
  expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
  db.exec('CREATE TABLE t (x BLOB)');
  // About 1,200 pages: past SQLite's own mark of 1,000 (the writer would have checkpointed them itself), far below the
  // backstop: only the thread can have copied them into the database file.
  const insert = db.prepare('INSERT INTO t (x) VALUES (randomblob(4000))');
  db.transaction(() => {
    for (let i = 0; i < 1200; i++) insert.run();
  })();
  // Fails the test (after 10 s) unless the thread reports those frames copied.
  await fullyCheckpointed(file, (frames) => frames >= 1200);
  expect(size(file)).toBeGreaterThan(1200 * 4096);
  db.close();
  // The thread closed its connection before this one closed: this was the last, which removes the WAL.
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  const again = new Database(file, { readonly: true });
  expect(again.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1200);
  again.close();
});

it('the event store stays synchronous=FULL, its file is filled by the thread, and close() leaves no WAL', async () => {
  const file = path.join(dir, 'events.sqlite');
  const store = SqliteEventStore.open(file);
  expect(store.settings()).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
  const before = size(file);
  const done = fullyCheckpointed(file, () => size(file) > before + 500 * 3000);
  const text = 'x'.repeat(3000);
  for (let i = 0; i < 10; i++) {
    await store.appendMulti(
      Array.from({ length: 50 }, (_, j) => ({
        stream: `s-${i}-${j}`,
        expectedRevision: 'no-stream' as const,
        events: [{ type: 'T', data: { text }, meta: {} }],
      })),
    );
  }
  await done; // fails the test (after 10 s) unless the thread copies the 1.5 MB of events into the file
  await store.close();
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  const reopened = SqliteEventStore.open(file);
  expect(await reopened.count()).toBe(500);
  await reopened.close();
});

it("two stores on one file share the thread's connection to it until the last one closes", async () => {
  const file = path.join(dir, 'events.sqlite');
  const a = SqliteEventStore.open(file);
  const b = SqliteEventStore.open(file);
  await a.appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 'no-stream');
  await a.close();
  // b still has the thread checkpoint the file.
  const done = fullyCheckpointed(file);
  await b.appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 0);
  await done;
  await b.close();
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
});

it('the read models hand their checkpoints to the thread too', async () => {
  const config = loadConfig({ LEDGER_DATA_DIR: dir }, {});
  const file = path.join(dir, 'read-models.sqlite');
  const done = fullyCheckpointed(file); // opening runs the migrations: writes
  const db = await openReadModels(readModelOptions(config));
  const [row] = (await db.query('PRAGMA wal_autocheckpoint')) as Array<{ wal_autocheckpoint: number }>;
  expect(row.wal_autocheckpoint).toBe(BACKSTOP_PAGES);
  await done;
  await db.destroy();
  expect(fs.existsSync(path.join(dir, 'read-models.sqlite-wal'))).toBe(false);
});

it('the thread never keeps a process alive: one that leaves a store open (a start that failed half-way) still exits', () => {
  // The built module, as the server runs it; a thread that held the process would make it run until the timeout.
  const script = path.join(dir, 'leave-open.mjs');
  const url = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, file)).href);
  fs.writeFileSync(
    script,
    `import Database from ${url('node_modules/better-sqlite3/lib/index.js')};
    import { checkpointInBackground, observeCheckpoints } from ${url('dist/ledger/sqlite/wal-checkpoints.js')};
    const file = ${JSON.stringify(path.join(dir, 'left-open.sqlite'))};
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    checkpointInBackground(db);
    db.exec('CREATE TABLE t (x)');
    // Commits until the thread has checkpointed one, then nothing but the connection, never closed, and the thread.
    const writing = setInterval(() => db.prepare('INSERT INTO t VALUES (1)').run(), 100);
    const waiting = setTimeout(() => process.exit(2), 30_000);
    const stop = observeCheckpoints((r) => {
      if (r.file !== file || !(r.log > 0)) return;
      stop();
      clearInterval(writing);
      clearTimeout(waiting);
      process.stdout.write('opened and left open');
    });`,
  );
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 });
  expect({ stdout: run.stdout, stderr: run.stderr, status: run.status, signal: run.signal }).toEqual({
    stdout: 'opened and left open',
    stderr: '',
    status: 0,
    signal: null,
  });
});

it("a file that is not a database is refused with an error naming it (SQLite's code kept), and left as it was", () => {
  const file = path.join(dir, 'events.sqlite');
  fs.writeFileSync(file, 'not a database: '.repeat(64));
  expect(() => SqliteEventStore.open(file)).toThrow(`${file}: file is not a database`);
  expect(() => SqliteEventStore.open(file)).toThrow(expect.objectContaining({ code: 'SQLITE_NOTADB' }) as Error);
  expect(fs.readFileSync(file, 'utf8')).toBe('not a database: '.repeat(64));
});

it('a database the store cannot use is refused naming the file, and its connection is closed (no WAL left open)', () => {
  const file = path.join(dir, 'events.sqlite');
  const other = new Database(file);
  other.exec('CREATE TABLE events (x)'); // a table of that name, not the store's
  other.close();
  expect(() => SqliteEventStore.open(file)).toThrow(`${file}: no such column: position`);
  expect([fs.existsSync(`${file}-wal`), fs.existsSync(`${file}-shm`)]).toEqual([false, false]);
});
