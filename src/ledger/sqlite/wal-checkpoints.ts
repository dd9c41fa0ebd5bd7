// WAL checkpoints of the embedded SQLite files (events, Merkle tree, read models) on a thread of their own.
//
// A connection in WAL mode checkpoints by itself once its WAL holds wal_autocheckpoint pages (1,000 by default): the
// commit that crosses the mark copies the WAL into the database file and syncs both before it returns. On the server
// that commit runs on the one thread that answers requests, and every request waits for it: under load the read
// models' commits took 1.3 ms at the median and 13-16 ms one time in ten (the checkpoint), the event store's batches
// up to 40 ms. SQLite lets another connection checkpoint instead (a PASSIVE checkpoint waits for no reader or writer
// and blocks none; it blocks only another checkpoint), so one worker thread holds a connection to each file and
// checkpoints it every 100 ms (every second while its WAL grows slowly). The WAL starts over from its beginning when a
// write begins after every frame of it was copied: between the server's batches that happens many times a second
// (33-43 times in 10 s under load, the WAL at most 3,700 frames); under writes without a pause, only the writers' own
// checkpoint, kept at BACKSTOP_PAGES, finds the WAL copied and lets it start over, so a WAL file may reach about 32 MiB.
// Durability is unchanged: a commit with synchronous=FULL still syncs its WAL frames before it is answered, and a
// checkpoint syncs as the writer's did.
import { Logger } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import { setPragma, type PragmaConnection } from './pragma.js';

/** The writers' own checkpoint, at 32 MiB of WAL (4 KiB pages): a backstop (see above). */
export const BACKSTOP_PAGES = 8_000;
/** How long closing a connection waits for the thread to close its own (the thread checkpoints one file at a time). */
const RELEASE_WAIT_MS = 5_000;
/** How long the thread outlives its last file (starting one takes about 80 ms, which closing a file would wait for). */
const IDLE_MS = 2_000;

/** A better-sqlite3 connection, as far as this module uses one. */
interface Connection extends PragmaConnection {
  readonly name: string;
  close(): unknown;
}

/** What the thread reports of a file: a checkpoint's figures (frames in the WAL, and copied), or why it failed. */
interface Reply {
  file: string;
  busy?: number;
  log?: number;
  copied?: number;
  failed?: string;
}

const logger = new Logger('sqlite');
let worker: Worker | null = null;
/** Ends the thread once no file has been registered for IDLE_MS. */
let idle: NodeJS.Timeout | null = null;
/** Registered connections per file: the worker keeps its own connection to a file while one is open here. */
const registered = new Map<string, number>();
/** Replies are reported to these (tests). */
const observers = new Set<(reply: Reply) => void>();
const failedFiles = new Set<string>();

function startWorker(): Worker {
  const w = new Worker(new URL('./wal-checkpoints.worker.mjs', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 4 },
  });
  w.on('message', (reply: Reply) => {
    if (reply.failed !== undefined && !failedFiles.has(reply.file)) {
      failedFiles.add(reply.file); // once per file: the writer's backstop checkpoint still bounds its WAL
      logger.warn(`background checkpoint of ${reply.file} failed (the writer checkpoints at ${BACKSTOP_PAGES} pages): ${reply.failed}`);
    }
    for (const o of observers) o(reply);
  });
  // The files registered when an earlier thread stopped on an error are taken up again.
  for (const file of registered.keys()) w.postMessage({ add: file });
  w.on('error', (err) => {
    logger.warn(`the checkpoint thread stopped (writers checkpoint at ${BACKSTOP_PAGES} pages): ${err.message}`);
    if (worker === w) worker = null;
  });
  w.on('exit', () => {
    if (worker === w) worker = null;
  });
  // Never what keeps the process alive (a connection left open by a failed start, say): after the listeners, since a
  // 'message' listener added later refs the thread's port again.
  w.unref();
  return w;
}

/**
 * Hands the WAL checkpoints of `db` (WAL mode, a file) to the checkpoint thread and sets its own to the backstop. The
 * registration ends when `db` is closed. An in-memory database is left as it is.
 */
export function checkpointInBackground(db: Connection): void {
  if (db.memory) return;
  const file = resolve(db.name);
  setPragma(db, 'wal_autocheckpoint', BACKSTOP_PAGES);
  const count = registered.get(file) ?? 0;
  registered.set(file, count + 1);
  if (idle) clearTimeout(idle);
  idle = null;
  if (!worker)
    worker = startWorker(); // which takes up every registered file
  else if (count === 0) worker.postMessage({ add: file });
  const close = db.close.bind(db);
  let released = false;
  Object.defineProperty(db, 'close', {
    configurable: true,
    value: () => {
      if (!released) {
        released = true;
        release(file);
      }
      return close();
    },
  });
}

/**
 * Ends the thread's use of `file` when its last connection here closes, and waits (blocking, at most RELEASE_WAIT_MS)
 * until the thread has closed its own connection: the connection closed next is then the file's last, which
 * checkpoints the WAL and removes it as SQLite always does, and a data directory copied after `close()` is at rest
 * (unless the thread did not answer in time, which is logged).
 */
function release(file: string): void {
  const count = (registered.get(file) ?? 1) - 1;
  if (count > 0) {
    registered.set(file, count);
    return;
  }
  registered.delete(file);
  failedFiles.delete(file);
  if (!worker) return;
  const done = new Int32Array(new SharedArrayBuffer(4));
  worker.postMessage({ remove: file, done });
  if (Atomics.wait(done, 0, 0, RELEASE_WAIT_MS) === 'timed-out')
    logger.warn(`the checkpoint thread did not release ${file} within ${RELEASE_WAIT_MS} ms`);
  // With no file left the thread ends, after a while: a file opened again soon (a restart, a command) reuses it.
  if (registered.size === 0) {
    idle = setTimeout(() => {
      idle = null;
      if (registered.size > 0 || !worker) return;
      worker.postMessage({ stop: true });
      worker = null;
    }, IDLE_MS);
    idle.unref();
  }
}

/** Calls `observer` with every reply of the checkpoint thread until the returned function is called (tests). */
export function observeCheckpoints(observer: (reply: Reply) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}
