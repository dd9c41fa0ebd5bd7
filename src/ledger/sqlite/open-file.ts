// Opening the embedded SQLite files (events, Merkle tree, read models). A connection whose setup fails is closed (and
// with it its registration with the checkpoint thread), and the error names the file: SQLite's own message does not
// ("file is not a database"), and a data directory holds three.
import Database from 'better-sqlite3';

/**
 * A new connection to `file`, made ready by `setup` (pragmas, tables, the statements of the object it returns); see
 * setUpSqliteFile for a failure.
 */
export function openSqliteFile<T>(file: string, setup: (db: Database.Database) => T): T {
  let db: Database.Database;
  try {
    db = new Database(file); // default busy timeout 5 s: another connection's write transaction is waited for
  } catch (err) {
    throw namingFile(file, err);
  }
  return setUpSqliteFile(file, db, setup);
}

/** Runs `setup` on a connection to `file`; if it throws, closes the connection and throws the error naming the file. */
export function setUpSqliteFile<T>(file: string, db: Database.Database, setup: (db: Database.Database) => T): T {
  try {
    return setup(db);
  } catch (err) {
    if (db.open) db.close();
    throw namingFile(file, err);
  }
}

/** SQLite's error with the file's name first (a SqliteError of the same code); any other error (a bad option) as it is. */
function namingFile(file: string, err: unknown): unknown {
  // Told by its name, not instanceof: better-sqlite3's native part throws the SqliteError class of the first copy of the
  // module a process loaded, and a test runner's module registries load several.
  const sqlite = err as { name?: unknown; message?: unknown; code?: unknown; stack?: unknown; constructor: unknown };
  if (typeof err !== 'object' || err === null || sqlite.name !== 'SqliteError' || typeof sqlite.message !== 'string') return err;
  if (sqlite.message.startsWith(`${file}: `)) return err;
  const SqliteError = sqlite.constructor as new (message: string, code: unknown) => Error;
  const named = new SqliteError(`${file}: ${sqlite.message}`, sqlite.code);
  named.stack = `${named.name}: ${named.message}\n${String(sqlite.stack ?? '')
    .split('\n')
    .slice(1)
    .join('\n')}`;
  return named;
}

/** SQLite's codes for a file that is not a database or cannot be opened: trying it again later changes nothing. */
const UNOPENABLE = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_CANTOPEN', 'SQLITE_PERM', 'SQLITE_READONLY']);

/** Whether `err` is SQLite's refusal of the file itself (see UNOPENABLE). */
export function isUnopenableFile(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown } | null;
  return typeof e === 'object' && e !== null && e.name === 'SqliteError' && UNOPENABLE.has(String(e.code));
}
