// Setting a SQLite pragma so that a refusal is an error: SQLite ignores some settings without one (a page size once the
// file has pages, journal_mode = OFF under better-sqlite3's defensive mode), and a
// connection that silently kept another journal mode or synchronous level would not be the store its code describes.

/** A better-sqlite3 connection, as far as setting pragmas goes. */
export interface PragmaConnection {
  readonly memory: boolean;
  pragma(source: string, options?: { simple: boolean }): unknown;
}

/**
 * Sets `name` to `value` and reads it back; throws when SQLite kept anything but `readsBack` (the value as SQLite reports
 * it, e.g. 2 for synchronous = FULL; `value` by default). Names and values are the code's own, never a client's.
 */
export function setPragma(db: PragmaConnection, name: string, value: string | number, readsBack: string | number = value): void {
  db.pragma(`${name} = ${value}`);
  const kept: unknown = db.pragma(name, { simple: true });
  if (String(kept).toLowerCase() !== String(readsBack).toLowerCase()) {
    throw new Error(`SQLite kept ${name} = ${String(kept)} where ${value} was asked`);
  }
}

/** SQLite's numbers for the synchronous levels, as `PRAGMA synchronous` reads back. */
export const SYNCHRONOUS_LEVEL = { OFF: 0, NORMAL: 1, FULL: 2, EXTRA: 3 } as const;

/** Write-ahead logging on a file. An in-memory or temporary database (tests) cannot have a WAL: it is left as it is. */
export function setWal(db: PragmaConnection): void {
  if (!db.memory) setPragma(db, 'journal_mode', 'wal');
}
