// The verifier's filing store on disk: a record that has left memory is read back as it was set, whatever the order of
// the ids; an id it never had is not found, whether it sorts before or after those in the file; walks (`values`) give
// the records in filing order, however often they are set; and the file has the settings the store asks SQLite for.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteFilingStore } from '../../src/cli/sqlite-filing-store.js';
import type { FilingRecord } from '../../src/verifier/rights-book.js';

const record = (filingId: string, touched: number): FilingRecord => ({
  filingId,
  creator: 'alice',
  filed: { at: touched * 1000, leafIndex: touched },
  labels: [],
  withdrawn: null,
  nearDuplicates: [],
  reviews: [],
  disputes: [],
  touched,
  settled: null,
  cached: null,
});

let dir: string;
let store: SqliteFilingStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'filing-store-'));
  store = new SqliteFilingStore(dir, 2);
});
afterEach(() => {
  store.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteFilingStore', () => {
  it('reads back evicted records whose ids arrive out of order, changed ones changed, and finds no id it was never given', () => {
    // Ids out of time order (as a filing written late would be), most of them evicted by a store that keeps 2.
    const ids = ['m', 'c', 'x', 'a', 'q', 'b', 'z', 'n'];
    ids.forEach((id, i) => store.set(record(id, i)));
    for (const unknown of ['0', 'bb', 'p', 'y', 'zz']) expect(store.get(unknown)).toBeUndefined();
    ids.forEach((id, i) => expect(store.get(id)).toEqual(record(id, i)));
    // A record changed after it was read back is written again, and read back changed.
    const c = store.get('c')!;
    c.touched = 99;
    store.set(c);
    for (const id of ['x', 'a', 'q']) store.get(id);
    expect(store.get('c')?.touched).toBe(99);
    expect([...store.values()].map((r) => r.filingId)).toEqual(ids);
  });

  it('appends records set after a walk, the table then indexed by filing order', () => {
    const ids = ['m', 'c', 'x', 'a', 'q', 'b', 'z', 'n'];
    ids.forEach((id, i) => store.set(record(id, i)));
    expect([...store.values()].map((r) => r.filingId)).toEqual(ids);
    for (const id of ['d', 'y']) store.set(record(id, 0));
    store.set({ ...store.get('m')!, touched: 7 });
    expect([...store.values()].map((r) => r.filingId)).toEqual([...ids, 'd', 'y']);
    expect(store.get('m')?.touched).toBe(7);
  });

  it('keeps filing order when a record is set twice before it is written, and when each record is set back during a walk', () => {
    const ids = ['k', 'e', 'w', 'e', 'b', 'r', 'k', 't']; // 'e' and 'k' set again while still in memory
    ids.forEach((id, i) => store.set(record(id, i)));
    const order = ['k', 'e', 'w', 'b', 'r', 't'];
    expect([...store.values()].map((r) => r.filingId)).toEqual(order);
    // The settlement's walk: every record handed out is changed and set back before the next is taken.
    for (const r of store.values()) store.set({ ...r, touched: r.touched + 100 });
    expect([...store.values()].map((r) => [r.filingId, r.touched])).toEqual(order.map((id) => [id, 100 + ids.lastIndexOf(id)]));
  });

  it('finds no id greater than every id written, then keeps it like any other', () => {
    for (const id of ['01', '02', '03', '04']) store.set(record(id, Number(id)));
    expect(store.get('05')).toBeUndefined();
    store.set(record('05', 5));
    store.set(record('00', 0));
    store.set(record('06', 6));
    for (const id of ['00', '01', '02', '03', '04', '05', '06']) expect(store.get(id)?.touched).toBe(Number(id));
  });
});

describe('SqliteFilingStore file', () => {
  it('has no rollback journal and 16 KiB pages, as it asks SQLite (whose defensive mode refuses no journal silently)', () => {
    const big = new SqliteFilingStore(dir, 4);
    try {
      // Records evicted four at a time, their ids out of order and some not ASCII (characters on both sides of U+FFFF).
      const ids = Array.from({ length: 200 }, (_, i) => `${(i * 7919) % 200}-é${i % 3 === 0 ? '😀' : '\uffff'}`);
      ids.forEach((id, i) => big.set(record(id, i)));
      ids.forEach((id, i) => expect(big.get(id)).toEqual(record(id, i)));
      expect([...big.values()].map((r) => r.filingId)).toEqual(ids);
      const db = (big as unknown as { db: { pragma(s: string, o: { simple: true }): unknown } }).db;
      expect(db.pragma('journal_mode', { simple: true })).toBe('off');
      expect(db.pragma('page_size', { simple: true })).toBe(16384);
      expect(readdirSync(big.dir).filter((f) => f.endsWith('-journal'))).toEqual([]);
    } finally {
      big.dispose();
    }
  });
});
