// Group commit, what both SQL stores share: the queued appends and how a commit is announced.
import type { AppendResult } from './event-store.port.js';
import type { PreparedAppend } from './append-planning.js';
import type { RecentCommits } from './recent-commits.js';
import type { SizeListeners } from './size-listeners.js';

/** One appendMulti call waiting for the next group commit. */
export interface QueuedAppend { appends: PreparedAppend[]; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }
/** What one command of a group commit came to. */
export type Outcome = { ok: true; result: AppendResult } | { ok: false; error: unknown };

/** After a commit, before anyone is answered: its events join the recent ones, then the listeners learn the new size. */
export function announceCommit(outcomes: readonly Outcome[], recent: RecentCommits, listeners: SizeListeners): void {
  const events = outcomes.flatMap((o) => (o.ok ? o.result.events : []));
  if (events.length === 0) return;
  recent.add(events);
  listeners.notify(events[events.length - 1].leafIndex + 1);
}
