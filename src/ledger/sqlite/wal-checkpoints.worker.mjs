// The thread that checkpoints the server's SQLite WAL files (see wal-checkpoints.ts): its own connection to each file,
// a PASSIVE checkpoint of each every CHECKPOINT_MS. Plain JavaScript, so that the same file runs under the compiled
// server and under the tests, which load the TypeScript sources.
import { parentPort } from 'node:worker_threads';
import Database from 'better-sqlite3';

const CHECKPOINT_MS = 100;
/** file -> connection */
const open = new Map();
/** file -> frames checkpointed in the last round, so that only a change is reported */
const reported = new Map();

function checkpointAll() {
  for (const [file, db] of open) {
    try {
      // PASSIVE: copies the frames no reader still needs, waits for no one; syncs the WAL before and the file after.
      const [{ busy, log, checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
      const key = `${log}/${checkpointed}`;
      if (log > 0 && reported.get(file) !== key) parentPort.postMessage({ checkpointed: file, busy, log, frames: checkpointed });
      reported.set(file, key);
    } catch (err) {
      parentPort.postMessage({ failed: file, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

const timer = setInterval(checkpointAll, CHECKPOINT_MS);

parentPort.on('message', (m) => {
  if (m.add !== undefined && !open.has(m.add)) {
    try {
      // timeout 0: a connection busy with a write is never waited for here; the next round tries again.
      const db = new Database(m.add, { fileMustExist: true, timeout: 0 });
      db.pragma('synchronous = NORMAL'); // a checkpoint syncs the WAL before copying it and the file after, as the writer's would
      db.pragma('cache_size = -256');
      open.set(m.add, db);
    } catch (err) {
      parentPort.postMessage({ failed: m.add, message: err instanceof Error ? err.message : String(err) });
    }
  }
  if (m.remove !== undefined) {
    try {
      open.get(m.remove)?.close();
    } finally {
      open.delete(m.remove);
      reported.delete(m.remove);
      // The closing thread waits on this: once it is set, nothing here touches the file any more.
      Atomics.store(m.done, 0, 1);
      Atomics.notify(m.done, 0);
    }
  }
  if (m.stop) {
    clearInterval(timer);
    for (const db of open.values()) db.close();
    open.clear();
    parentPort.close();
  }
});
