// The log position each request's writes reached, kept for the request by the one write path: the consistency
// interceptor answers it in `Ledger-Position` and remembers it for the principal's next reads.
import { AsyncLocalStorage } from 'node:async_hooks';

/** What one request wrote: the log size after its last commit (every event below it is durable), 0 before any. */
export interface RequestWrites {
  position: number;
}

const current = new AsyncLocalStorage<RequestWrites>();

/** Runs `work` (and everything it awaits) as one request, whose commits are recorded in `writes`. */
export const runRecordingWrites = <T>(writes: RequestWrites, work: () => T): T => current.run(writes, work);

/** Records a commit of the current request that left the log `logSize` events long. */
export function recordWrite(logSize: number): void {
  const writes = current.getStore();
  if (writes && logSize > writes.position) writes.position = logSize;
}
