// Pragmas set on the embedded SQLite files are read back: SQLite ignores some settings without an error.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { setPragma, setWal, SYNCHRONOUS_LEVEL } from '../../src/ledger/sqlite/pragma.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { SqliteMerkleTreeStore } from '../../src/ledger/log/merkle-tree.store.js';

describe('setPragma', () => {
  let dir: string;
  const open: Database.Database[] = [];
  const db = (name = 'a.sqlite') => {
    const d = new Database(join(dir, name));
    open.push(d);
    return d;
  };
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pragma-'))));
  afterEach(() => {
    for (const d of open.splice(0)) if (d.open) d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sets what SQLite keeps, compared as SQLite reports it', () => {
    const d = db();
    setPragma(d, 'cache_size', -2000);
    expect(d.pragma('cache_size', { simple: true })).toBe(-2000);
    setPragma(d, 'synchronous', 'NORMAL', SYNCHRONOUS_LEVEL.NORMAL);
    expect(d.pragma('synchronous', { simple: true })).toBe(1);
    setWal(d);
    expect(d.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('fails when SQLite keeps another value, naming both', () => {
    const d = db();
    // better-sqlite3's defensive mode refuses journal_mode = OFF without an error of its own
    expect(() => setPragma(d, 'journal_mode', 'off')).toThrow('SQLite kept journal_mode = delete where off was asked');
    d.exec('CREATE TABLE t (x)');
    expect(() => setPragma(d, 'page_size', 16384)).toThrow('SQLite kept page_size = 4096 where 16384 was asked');
    expect(() => setPragma(d, 'synchronous', 'FULL', SYNCHRONOUS_LEVEL.NORMAL)).toThrow('SQLite kept synchronous = 2 where FULL was asked');
  });

  it('leaves an in-memory or temporary database without a WAL, which it cannot have', () => {
    for (const [name, journal] of [
      [':memory:', 'memory'],
      ['', 'delete'],
    ]) {
      const d = new Database(name);
      open.push(d);
      setWal(d);
      expect(d.pragma('journal_mode', { simple: true })).toBe(journal);
      expect(() => setPragma(d, 'journal_mode', 'wal')).toThrow(`SQLite kept journal_mode = ${journal} where wal was asked`);
    }
  });

  it('opens the stores in memory, as tests do', async () => {
    const events = SqliteEventStore.open(':memory:');
    expect(events.settings()).toEqual({ journalMode: 'memory', synchronous: 'FULL' });
    await events.close();
    const tree = SqliteMerkleTreeStore.open(':memory:');
    expect(tree.synchronousSetting()).toBe(SYNCHRONOUS_LEVEL.NORMAL);
    await tree.close();
  });

  it('leaves the event store and the tree store on WAL with the synchronous level they name', async () => {
    const events = SqliteEventStore.open(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
    expect(events.settings()).toEqual({ journalMode: 'wal', synchronous: 'NORMAL' });
    await events.close();
    const durable = SqliteEventStore.open(join(dir, 'events.sqlite'));
    expect(durable.settings()).toEqual({ journalMode: 'wal', synchronous: 'FULL' });
    await durable.close();
    const tree = SqliteMerkleTreeStore.open(join(dir, 'merkle.sqlite'));
    expect(tree.synchronousSetting()).toBe(SYNCHRONOUS_LEVEL.NORMAL);
    await tree.close();
    const check = db('merkle.sqlite');
    expect(check.pragma('journal_mode', { simple: true })).toBe('wal');
  });
});
