// What the server appends: only events `verify` takes. Each event is held, as its commit is planned (its recordedAt
// known, nothing written yet), to what verify holds it to of itself: the time it states within the bounds of its
// recordedAt (event-time.ts) and the event catalogue (event-catalogue.ts). An honest log thus never holds an event that
// its verifiers refuse, whatever a handler got wrong or however long a command took.
import { DomainError } from '../../common/domain-error.js';
import { compiledSchemaCheck } from '../../common/compiled-schemas.js';
import type { EventEnvelope } from '../../verifier/envelope.js';
import { eventFault } from '../../verifier/event-catalogue.js';
import { EVENT_TIME_LAG_MS } from '../../verifier/event-time.js';
import { failureReason } from '../../verifier/export-failure.js';

/**
 * A command whose commit came more than EVENT_TIME_LAG_MS after the time it read for an event (a queue, a lock, a
 * stalled process between): nothing of it was written, and sent again it reads the time anew. 503 with Retry-After.
 */
export class StaleTimeError extends DomainError {
  readonly name = 'StaleTimeError';
  readonly retryAfterSeconds = 1;
  constructor(type: string, field: string) {
    super(
      'unavailable',
      'stale-time',
      `the request took more than ${EVENT_TIME_LAG_MS / 60_000} minutes from reading the time its ${type} states (${field}) to ` +
        'its commit, and nothing was written: send it again',
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
  const fault = eventFault(event, Date.parse(event.recordedAt), compiledSchemaCheck);
  if (fault === undefined) return;
  if (fault.code === 'event-time' && fault.problem === 'before') throw new StaleTimeError(fault.type, fault.field);
  throw new InadmissibleEventError(event, failureReason(fault));
}
