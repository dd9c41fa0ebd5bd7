// What the server appends: only events that `verify` takes of themselves. Each event is held, as its commit is planned
// (its recordedAt known, nothing written yet), to what verify holds an event to by itself: the time it states within the
// bounds of its recordedAt (event-time.ts) and the event catalogue (event-catalogue.ts). An honest log thus holds no
// event that its verifiers refuse of itself, whatever a handler got wrong or however long a command took.
import { DomainError } from '../../common/domain-error.js';
import { compiledSchemaCheck } from '../../common/compiled-schemas.js';
import type { EventEnvelope } from '../../verifier/envelope.js';
import { eventFault } from '../../verifier/event-catalogue.js';
import { EVENT_TIME_LAG_MS, utcMs } from '../../verifier/event-time.js';
import { failureReason } from '../../verifier/export-failure.js';

/**
 * A commit that came more than EVENT_TIME_LAG_MS, by the server's clock, after the time its command read for an event:
 * the command stalled (a queue, a lock, a paused process), the system clock stepped forward, or another instance on the
 * same store whose clock is ahead committed between. Nothing of that commit was written, and sent again the request
 * reads the time anew. 503 with Retry-After; the times are named, for the operator to tell those cases apart.
 */
export class StaleTimeError extends DomainError {
  readonly name = 'StaleTimeError';
  readonly retryAfterSeconds = 1;
  constructor(type: string, field: string, stated: string, recordedAt: string) {
    super(
      'unavailable',
      'stale-time',
      `more than ${EVENT_TIME_LAG_MS / 60_000} minutes passed, by the server's clock, between reading the time its ${type} ` +
        `states (${field} ${stated}) and its commit (${recordedAt}), and nothing of that commit was written: send the request again`,
    );
  }
}

/** An event no handler should make: refused, with what is wrong with it, as a server error (500); nothing written. */
export class InadmissibleEventError extends Error {
  readonly name = 'InadmissibleEventError';
  constructor(event: EventEnvelope, reason: string) {
    super(`refused to append ${event.type} to ${event.stream}: ${reason}`);
  }
}

/** The server's AdmitEvent (append-planning.ts): throws StaleTimeError or InadmissibleEventError; passes every other. */
export function admitLedgerEvent(event: EventEnvelope): void {
  // Read as verify reads it: a recordedAt it cannot read (a clock past the year 9999, which toISOString writes with a
  // sign and six digits) is refused, as it would be there.
  const recordedMs = utcMs(event.recordedAt);
  if (Number.isNaN(recordedMs))
    throw new InadmissibleEventError(event, failureReason({ code: 'recorded-at', recordedAt: event.recordedAt }));
  const fault = eventFault(event, recordedMs, compiledSchemaCheck);
  if (fault === undefined) return;
  if (fault.code === 'event-time' && fault.problem === 'before')
    throw new StaleTimeError(fault.type, fault.field, fault.stated, fault.recordedAt);
  throw new InadmissibleEventError(event, failureReason(fault));
}
