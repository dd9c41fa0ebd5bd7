// The settlement audit's filings in a temporary SQLite file, so that verifying an export takes memory independent of its size.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FilingRecord, FilingStore } from '../verifier/rights-book.js';
import { makeScratchDir, removeScratchDir } from './scratch-dir.js';
import { setPragma } from '../ledger/sqlite/pragma.js';

/** Records evicted from memory together, in one transaction: fewer, larger transactions cost less per record. */
const EVICT = 8192;
/** Rows per INSERT statement: one call into SQLite per ROWS records, not per record. */
const ROWS = 64;
/** Records kept in memory (some 10 MB), most recently used last: a filing's facts mostly arrive close together in the log, and a miss costs a read and a rewrite. */
const RECENT = 32768;
/** Rows read per page while the book walks every filing (it writes between pages). */
const PAGE = 1024;
/**
 * SQLite's page cache, in KiB (SQLite's own default). better-sqlite3 builds SQLite with 16 MB instead, which fills as the
 * table grows past it: memory then grows with the export up to 16 MB. Records go in at the end of the table, in the
 * order they leave memory (roughly filing order), and are looked up mostly among the latest (ids are time-ordered), so
 * the pages in use are few.
 */
const CACHE_KIB = 2000;
/**
 * The file's page size, in bytes (SQLite's default is 4096). The bench's million events write 344,064 records, 8,192 at
 * a time: replayed on their own with the statements below and no journal, 1.5–1.8 µs of CPU a record with 16 KiB pages
 * against 2.0–2.7 µs with 4 KiB pages (three rounds each). Larger pages make a record read back from the table (rare: a
 * filing touched again long after) read more.
 */
const PAGE_BYTES = 16384;

// A cached right that can never change holds `until: Infinity`, which JSON writes as null (no replacer: it is slow).
const encode = (record: FilingRecord): string => JSON.stringify(record);
function decode(text: string): FilingRecord {
  const record = JSON.parse(text) as FilingRecord;
  if (record.cached !== null && record.cached.until === null) record.cached.until = Infinity;
  return record;
}

/** A record in memory: changed since read or not, and its place in the filing order. */
type Kept = { record: FilingRecord; dirty: boolean; seq: number };
const values = ({ record, seq }: Kept) => [seq, record.filingId, encode(record)];

export class SqliteFilingStore implements FilingStore {
  /** A directory of its own under `parent` (the system's temporary directory by default: TMPDIR), removed by `dispose`. */
  readonly dir: string;
  private db: Database.Database | null;
  private readonly getRow: Database.Statement<[string], { seq: number; record: string }>;
  private readonly putRows: Database.Statement<unknown[]>;
  private readonly putRow: Database.Statement<unknown[]>;
  /** Prepared by the first walk, with the index on `seq` it reads by. */
  private pageRows: Database.Statement<[number, number], { seq: number; record: string }> | null = null;
  /**
   * The greatest id in the table ('' while it is empty): a record not kept in memory whose id is greater is not there
   * either. The filing ids the log writes are UUIDv7, ordered by time, so the id of a new filing is mostly greater than
   * those of the older filings that have left memory, and a new filing then costs no read of the table (any other ids
   * are handled just as correctly, only read for more often).
   */
  private greatestWritten = '';
  /** Recently used records, the changed ones not yet written: least recently used first. */
  private readonly kept = new Map<string, Kept>();
  /** Position in the filing order of the next new record: a record's place is fixed when it is first set, not when written. */
  private nextSeq = 1;

  /** `recent`: how many records to keep in memory. */
  constructor(
    parent?: string,
    private readonly recent = RECENT,
  ) {
    this.dir = makeScratchDir(parent);
    try {
      const db = (this.db = new Database(join(this.dir, 'filings.sqlite')));
      // A scratch file, removed at the end: nothing here needs to survive a crash, nor a failed write (the records it
      // held have left memory, and the error ends the verification), so it has no rollback journal. better-sqlite3 opens
      // databases in SQLite's defensive mode, which refuses journal_mode = OFF without an error: it is lifted for that
      // one pragma. With a journal on disk every batch also wrote the pages it changed to a second file (4.2–5.4 µs of
      // CPU a record in the replay above, 4 KiB pages); one in memory grows with the pages a batch changes.
      db.unsafeMode(true);
      try {
        setPragma(db, 'journal_mode', 'off');
      } finally {
        db.unsafeMode(false);
      }
      setPragma(db, 'synchronous', 0); // OFF
      setPragma(db, 'locking_mode', 'exclusive');
      setPragma(db, 'page_size', PAGE_BYTES); // before the first table: the file's page size is fixed then
      setPragma(db, 'cache_size', -CACHE_KIB);
      // Rows go in at the end of the table (its rowid), in the order they are written: records leave memory least recently
      // used first, not in filing order (seq), and a table keyed by seq would take each write into an older page. Only a
      // walk of every record (`values`, for a settlement) reads by seq, so its index is made by the first walk, and
      // exports without a settlement never maintain it.
      db.exec(`CREATE TABLE filings (seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL)`);
      this.getRow = db.prepare('SELECT seq, record FROM filings WHERE id = ?');
      // A record already in the table keeps its place (seq); only a new one takes the seq given.
      const put = (rows: number) =>
        db.prepare(
          `INSERT INTO filings (seq, id, record) VALUES ${Array(rows).fill('(?, ?, ?)').join(', ')} ON CONFLICT (id) DO UPDATE SET record = excluded.record`,
        );
      this.putRows = put(ROWS);
      this.putRow = put(1);
    } catch (err) {
      this.dispose();
      throw err;
    }
  }

  get(filingId: string): FilingRecord | undefined {
    const kept = this.kept.get(filingId);
    if (kept !== undefined) {
      // now the most recently used
      this.kept.delete(filingId);
      this.kept.set(filingId, kept);
      return kept.record;
    }
    const row = filingId > this.greatestWritten ? undefined : this.getRow.get(filingId);
    if (row === undefined) return undefined;
    const record = decode(row.record);
    this.keep({ record, dirty: false, seq: row.seq });
    return record;
  }

  set(record: FilingRecord): void {
    this.open();
    // A record not in memory (one handed out by `values`) takes a new seq here, which only a new row uses: a row already
    // in the table keeps its own (the upsert changes only the record).
    const seq = this.kept.get(record.filingId)?.seq ?? this.nextSeq++;
    this.kept.delete(record.filingId);
    this.keep({ record, dirty: true, seq });
  }

  /** Every record in filing order: the changed ones are written first, then the table is read page by page. */
  *values(): Iterable<FilingRecord> {
    this.write([...this.kept.values()]);
    this.kept.clear(); // the table now holds every record; those read from it below are new objects
    if (this.pageRows === null) {
      const db = this.open();
      db.exec('CREATE UNIQUE INDEX filings_in_order ON filings (seq)');
      this.pageRows = db.prepare('SELECT seq, record FROM filings WHERE seq > ? ORDER BY seq LIMIT ?');
    }
    for (let after = 0; ;) {
      const rows = this.pageRows.all(after, PAGE);
      if (rows.length === 0) return;
      for (const row of rows) yield decode(row.record);
      after = rows[rows.length - 1].seq;
    }
  }

  /** Keeps a record in memory, most recently used; past `recent` records, the least recently used are written out. */
  private keep(kept: Kept): void {
    this.kept.set(kept.record.filingId, kept);
    if (this.kept.size <= this.recent) return;
    const oldest: Kept[] = [];
    for (const k of this.kept.values()) {
      oldest.push(k);
      if (oldest.length === Math.min(EVICT, this.recent)) break;
    }
    for (const k of oldest) this.kept.delete(k.record.filingId);
    this.write(oldest);
  }

  /** Writes the changed records among `kept`, in one transaction. */
  private write(kept: Kept[]): void {
    const rows = kept.filter((k) => k.dirty);
    if (rows.length === 0) return;
    const db = this.open();
    db.transaction(() => {
      let i = 0;
      for (; i + ROWS <= rows.length; i += ROWS) this.putRows.run(rows.slice(i, i + ROWS).flatMap(values));
      for (; i < rows.length; i++) this.putRow.run(values(rows[i]));
    })();
    for (const { record } of rows) if (record.filingId > this.greatestWritten) this.greatestWritten = record.filingId;
  }

  dispose(): void {
    this.db?.close();
    this.db = null;
    removeScratchDir(this.dir);
  }

  private open(): Database.Database {
    if (this.db === null) throw new Error('the filing store has been removed');
    return this.db;
  }
}
