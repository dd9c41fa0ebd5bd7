// An event's own time against the time its commit was recorded. The instants the sandbox rules read (a filing's
// filedAt, a label declaration's declaredAt, a decision's decidedAt, …) are the server's clock read just before the
// commit that stamps the event's recordedAt, and recordedAt is what the checkpoints, the witnesses' cosignatures and
// the time-stamps vouch for. An operator holding the log's key could still sign a WorkFiled dated months before its
// commit, and every rule that counts from it (labels due, the quiet period, the term) would count from that date; an
// event whose own time is far from its recordedAt is refused by `verify`, so the time the rules read is bound to the
// time others vouch for. A settlement's asOf is not: it may lie before its commit by design (settlement-audit.ts checks
// that it is not after it).
import { INSTANT_FIELD } from './rights-events.js';

/** Longest an honest server takes from reading its clock for an event to the commit that records it (a queue, a lock). */
export const EVENT_TIME_LAG_MS = 10 * 60_000;
/** Furthest an event's own time may lie after its recordedAt: the system clock stepped back between the two reads. */
export const EVENT_TIME_LEAD_MS = 60_000;

/** An event whose own time is not within the bounds of its recordedAt. */
export interface EventTimeFault {
  type: string;
  /** The data field holding the time, and the time it states. */
  field: string;
  stated: string;
  recordedAt: string;
}

/**
 * The fault of an event whose own time (the field `INSTANT_FIELD` names, read as the rules read it) is more than
 * EVENT_TIME_LAG_MS before its recordedAt (`recordedMs`) or more than EVENT_TIME_LEAD_MS after it; undefined otherwise,
 * and for an event without such a time, with one the rules cannot read either, or whose recordedAt is not a time (NaN:
 * a fault of its own where the caller checks it).
 */
export function eventTimeFault(
  e: { type: string; data: Readonly<Record<string, unknown>>; recordedAt: string },
  recordedMs: number,
): EventTimeFault | undefined {
  if (e.type === 'RightsSettled' || !Object.hasOwn(INSTANT_FIELD, e.type) || Number.isNaN(recordedMs)) return undefined;
  const field = INSTANT_FIELD[e.type];
  const stated = e.data[field];
  if (typeof stated !== 'string') return undefined;
  const ms = Date.parse(stated);
  if (Number.isNaN(ms) || (ms >= recordedMs - EVENT_TIME_LAG_MS && ms <= recordedMs + EVENT_TIME_LEAD_MS)) return undefined;
  return { type: e.type, field, stated, recordedAt: e.recordedAt };
}

export type SpanUnit = 'day' | 'hour' | 'second';

/**
 * How far an event's own time lies from its recordedAt: in whole days or hours (rounded down) from an hour on, and below
 * that in seconds, to the millisecond, so that a span just past a bound is not written as the bound itself.
 */
export function spanOf(fault: EventTimeFault): { count: number; unit: SpanUnit; before: boolean } {
  const ms = Date.parse(fault.recordedAt) - Date.parse(fault.stated);
  const away = Math.abs(ms);
  const before = ms > 0;
  if (away >= 86_400_000) return { count: Math.floor(away / 86_400_000), unit: 'day', before };
  if (away >= 3_600_000) return { count: Math.floor(away / 3_600_000), unit: 'hour', before };
  return { count: away / 1000, unit: 'second', before };
}
