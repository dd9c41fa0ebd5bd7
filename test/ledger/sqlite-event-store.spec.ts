// The event-store contract on a real SQLite file, plus what only SQLite has: pragmas and other connections.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import { runEventStoreContract } from '../contract/event-store.contract.js';

const evs = (n: number) => Array.from({ length: n }, (_, i) => ({ type: 'T', data: { i }, meta: {} }));

function tempFile(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-sqlite-'));
  return { dir, file: path.join(dir, 'ledger.sqlite') };
}

runEventStoreContract('SQLite', async (options) => {
  const { dir, file } = tempFile();
  const opened: EventStore[] = [SqliteEventStore.open(file, options)];
  return {
    store: opened[0],
    reopen: async () => {
      opened.push(SqliteEventStore.open(file, options));
      return opened.at(-1)!;
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteEventStore (SQLite-specific)', () => {
  let dir: string;
  let file: string;
  const opened: SqliteEventStore[] = [];
  const open = (...args: Parameters<typeof SqliteEventStore.open>) => {
    const s = SqliteEventStore.open(...args);
    opened.push(s);
    return s;
  };

  beforeEach(() => ({ dir, file } = tempFile()));
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with synchronous=FULL by default, NORMAL on request', () => {
    expect(open(file).settings()).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
    expect(open(file, { synchronous: 'NORMAL' }).settings()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL' });
    expect(() => open(file, { synchronous: 'OFF' as 'FULL' })).toThrow(TypeError);
  });

  it('creates missing parent directories for the file', async () => {
    const nested = path.join(dir, 'a', 'b', 'ledger.sqlite');
    await open(nested).appendToStream('s', [{ type: 'T', data: {}, meta: {} }], 'no-stream');
    expect(fs.existsSync(nested)).toBe(true);
  });

  it("two connections on one file share one contiguous log and see each other's commits", async () => {
    const a = open(file);
    const b = open(file);
    const seen: number[] = [];
    a.subscribe((n) => seen.push(n));
    for (let i = 0; i < 10; i++) {
      await (i % 2 ? a : b).appendToStream(`conn-${i % 3}`, [{ type: 'T', data: { i }, meta: {} }], 'any');
    }
    expect(await a.count()).toBe(10);
    expect(await b.readAll(0)).toEqual(await a.readAll(0));
    expect((await a.readAll(0)).map((e) => e.leafIndex)).toEqual([...Array(10).keys()]);
    expect(seen).toEqual([2, 4, 6, 8, 10]); // in-process listeners hear only their own connection's commits
    expect((await a.readStream('conn-0')).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
  });

  it('holds the streams it is told to once read, and reads them again after a write to them here or any commit elsewhere', async () => {
    const a = open(file, { heldStreams: ['policy'] });
    const b = open(file);
    const versions = async () => (await a.readStream('policy')).map((e) => e.data.v);
    await a.appendToStream('policy', [{ type: 'P', data: { v: 1 }, meta: {} }], 'no-stream');
    await a.appendToStream('other', evs(1), 'no-stream');
    const first = await a.readStream('policy');
    const again = await a.readStream('policy');
    expect(again).not.toBe(first); // each read its own array: a caller may change it
    expect(again[0]).toBe(first[0]); // of the same envelopes, held and frozen
    expect(Object.isFrozen(first[0]) && Object.isFrozen(first[0].data)).toBe(true);
    first.push(first[0]);
    expect(await versions()).toEqual([1]);
    expect(Object.isFrozen((await a.readStream('other'))[0])).toBe(false); // not held: read from the file each time
    await a.appendToStream('other', evs(1), 0);
    expect((await a.readStream('policy'))[0]).toBe(first[0]); // still held after a write to another stream

    // Two commands of one group commit, the second writing the stream: read again once the commit is answered.
    await Promise.all([
      a.appendToStream('other', evs(1), 1),
      a.appendMulti([
        { stream: 'other-2', events: evs(1), expectedRevision: 'no-stream' },
        { stream: 'policy', events: [{ type: 'P', data: { v: 2 }, meta: {} }], expectedRevision: 0 },
      ]),
    ]);
    expect(await versions()).toEqual([1, 2]);
    await expect(a.appendToStream('policy', [{ type: 'P', data: { v: 9 }, meta: {} }], 0)).rejects.toThrow();
    expect(await versions()).toEqual([1, 2]);
    await b.appendToStream('policy', [{ type: 'P', data: { v: 3 }, meta: {} }], 1); // another connection
    expect(await versions()).toEqual([1, 2, 3]);
    const held = await a.readStream('policy');
    await b.appendToStream('theirs', evs(1), 'no-stream'); // any commit elsewhere: read again, the same events
    const reread = await a.readStream('policy');
    expect(reread[0]).not.toBe(held[0]);
    expect(reread).toEqual(held);
    expect(await a.readStream('policy')).toEqual(await b.readStream('policy'));
  });

  it('readAll after commits of another connection in between: no gap, nothing repeated, whatever was read before', async () => {
    const a = open(file);
    const b = open(file);
    await a.appendToStream('mine', evs(2), 'no-stream');
    expect((await a.readAll(0)).map((e) => e.leafIndex)).toEqual([0, 1]);
    await b.appendToStream('theirs', evs(1), 'no-stream');
    await a.appendToStream('mine', evs(2), 1);
    const all = await a.readAll(0);
    expect(all.map((e) => [e.leafIndex, e.stream])).toEqual([
      [0, 'mine'],
      [1, 'mine'],
      [2, 'theirs'],
      [3, 'mine'],
      [4, 'mine'],
    ]);
    expect(await a.readAll(1, { limit: 2 })).toEqual(all.slice(1, 3));
    expect(await a.readAll(3)).toEqual(all.slice(3));
    expect(await b.readAll(0)).toEqual(all);
  });

  it('another process sees a resolved append (committed to the file, not just to this connection)', async () => {
    const store = open(file);
    const r = await store.appendToStream('proc', [{ type: 'T', data: { x: 1 }, meta: {} }], 'no-stream');
    const script = `const D = require('better-sqlite3'); const db = new D(process.argv[1], { readonly: true });
      console.log(JSON.stringify(db.prepare('SELECT position, hash FROM events').all()));`;
    const out = execFileSync(process.execPath, ['-e', script, file], { cwd: process.cwd(), encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual([{ position: 0, hash: r.events[0].hash }]);
  });
});
