// The server's time: the system clock, held by the process's commit clock to never fall behind a time the log holds.
// A command reads the time it states (a filing's filedAt, a decision's decidedAt) from here, and its commit is stamped
// by the same clock, so the two never lie further apart than the command takes to commit: `verify` holds them within
// 10 minutes (event-time.ts), even after the system clock stepped back or beside an instance whose clock is ahead.
import type { EventStore } from './event-store/event-store.port.js';
import { processCommitClock, type CommitClock } from './event-store/append-planning.js';

/** Now, by the process's commit clock. */
export const ledgerNow = (): Date => processCommitClock.current();

/** The clock learns the time of the log's last event, so that it never gives an earlier one, after a restart too. */
export async function observeLogTime(store: EventStore, clock: CommitClock = processCommitClock): Promise<void> {
  const size = await store.count();
  if (size > 0) clock.observe((await store.readAll(size - 1, { limit: 1 }))[0]?.recordedAt);
}
