// The thread that checkpoints the server's SQLite WAL files (see wal-checkpoints.ts): its own connection to each file,
// a PASSIVE checkpoint of each every CHECKPOINT_MS (QUIET_MS while its WAL grows slowly), one file per turn of its
// event loop so that a file being closed is let go after one checkpoint at most. Plain JavaScript, so that the same
// file runs under the compiled server and under the tests, which load the TypeScript sources.
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';

const CHECKPOINT_MS = 100;
/**
 * A file whose WAL grew by fewer frames than BUSY_FRAMES since its last checkpoint is checkpointed again after
 * QUIET_MS instead: at 10 filings a second, a checkpoint of each file every 100 ms made eight times the fsyncs of the
 * commits themselves.
 */
const BUSY_FRAMES = 256;
const QUIET_MS = 1_000;
/** file -> connection */
const open = new Map();
/**
 * file -> its last checkpoint: the WAL's frames and those copied (a reply goes out only when they change), and when the
 * next is due
 */
const last = new Map();
/** Files to open: a file the writer is still setting up (busy) is tried again the next round. */
const pending = new Set();
let stopping = false;

/** Busy: the writer holds a lock this round (creating the file, switching it to WAL, recovering it). */
const isBusy = (err) => String(err?.code).startsWith('SQLITE_BUSY');

function openPending() {
  for (const file of pending) {
    let db;
    try {
      // timeout 0: a connection busy with a write is never waited for here; the next round tries again.
      db = new Database(file, { fileMustExist: true, timeout: 0 });
      db.pragma('synchronous = NORMAL');
      db.pragma('cache_size = -256');
      open.set(file, db);
      pending.delete(file);
    } catch (err) {
      db?.close();
      if (isBusy(err)) continue;
      pending.delete(file);
      parentPort.postMessage({ file, failed: err instanceof Error ? err.message : String(err) });
    }
  }
}

function checkpoint(file, db) {
  const previous = last.get(file);
  if (previous && performance.now() < previous.due) return;
  try {
    // PASSIVE: copies the frames no reader still needs and waits for no one. The connection's synchronous=NORMAL (not
    // OFF) makes it sync the WAL before copying it and the database file after, before the copy counts as done.
    const [{ busy, log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
    if (log > 0 && (previous?.log !== log || previous?.copied !== checkpointed))
      parentPort.postMessage({ file, busy, log, copied: checkpointed });
    // Frames added since the last round (the WAL starts over from 0 when a writer found it all copied).
    const added = previous && log >= previous.log ? log - previous.log : log;
    last.set(file, { log, copied: checkpointed, due: performance.now() + (added >= BUSY_FRAMES ? 0 : QUIET_MS) });
  } catch (err) {
    if (isBusy(err)) return; // the next round tries again
    parentPort.postMessage({ file, failed: err instanceof Error ? err.message : String(err) });
  }
}

async function run() {
  while (!stopping) {
    openPending();
    for (const file of [...open.keys()]) {
      const db = open.get(file); // gone if removed meanwhile
      if (db) checkpoint(file, db);
      await new Promise((resolve) => setImmediate(resolve)); // messages (a file let go) are handled between files
    }
    await sleep(CHECKPOINT_MS);
  }
}

parentPort.on('message', (m) => {
  if (m.add !== undefined && !open.has(m.add)) pending.add(m.add);
  if (m.remove !== undefined) {
    try {
      open.get(m.remove)?.close();
    } finally {
      pending.delete(m.remove);
      open.delete(m.remove);
      last.delete(m.remove);
      // The closing thread waits on this: once it is set, nothing here touches the file any more.
      Atomics.store(m.done, 0, 1);
      Atomics.notify(m.done, 0);
    }
  }
  if (m.stop) {
    stopping = true;
    for (const db of open.values()) db.close();
    open.clear();
    pending.clear();
    parentPort.close();
  }
});

void run();
