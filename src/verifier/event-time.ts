// An event's own time against the time its commit was recorded. The instants the sandbox rules read (a filing's
// filedAt, a label declaration's declaredAt, a decision's decidedAt, …) are the server's clock read just before the
// commit that stamps the event's recordedAt, and recordedAt is what the checkpoints, the witnesses' cosignatures and
// the time-stamps vouch for. An operator holding the log's key could still sign a WorkFiled dated months before its
// commit, and every rule that counts from it (labels due, the quiet period, the term) would count from that date; an
// event whose own time is far from its recordedAt is refused by `verify`, so the time the rules read is bound to the
// time others vouch for. So is every other time an event states for itself (a response's respondedAt, which the response
// window is held to; a copy's registeredAt; a key's issuedAt). A settlement's asOf is not: it may lie before its commit
// by design (settlement-audit.ts checks that it is not after it).
import { INSTANT_FIELD } from './rights-events.js';

/**
 * The data field holding the time each type of event states for itself, read from the server's clock for its commit:
 * the rules' instants (INSTANT_FIELD, a settlement's asOf aside) and the others'. A ContentReleased states its filing's
 * filedAt too, a time of an earlier commit; its own is the withdrawal's, in the same commit.
 */
export const OWN_TIME_FIELD: Readonly<Record<string, string>> = (() => {
  const { RightsSettled: _asOf, ...rules } = INSTANT_FIELD;
  return {
    ...rules,
    PrincipalRegistered: 'registeredAt',
    ApiKeyIssued: 'issuedAt',
    ApiKeyRevoked: 'revokedAt',
    ContentReleased: 'withdrawnAt',
    FilingAmended: 'amendedAt',
    LabelFileChecked: 'checkedAt',
    CopyRegistered: 'registeredAt',
    DisputeAssigned: 'assignedAt',
    ResponseSubmitted: 'respondedAt',
  };
})();

/** Longest allowed from a server reading its clock for an event to the commit that records it (a queue, a lock between). */
export const EVENT_TIME_LAG_MS = 10 * 60_000;
/** Furthest an event's own time may lie after its recordedAt: a clock read before a step back, by a build that did not hold it. */
export const EVENT_TIME_LEAD_MS = 60_000;

/** ISO-8601 in UTC, as Date#toISOString writes it (the seconds' fraction optional): the only form a time is read in. */
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

/**
 * Milliseconds since the epoch of an ISO-8601 UTC time as the server writes it, or NaN for anything else: a day the
 * calendar does not have (2026-02-30, which Date.parse reads as 2 March) or the hour 24 (which it reads as the next
 * day's midnight) included, as Date#toISOString never writes them and another reader of the ledger refuses them.
 */
export function utcMs(text: unknown): number {
  return typeof text === 'string' && ISO_UTC.test(text) && onTheCalendar(text, true) ? Date.parse(text) : NaN;
}

/** The two decimal digits of `text` at `i`. */
export const twoDigits = (text: string, i: number) => (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether `text`, which starts with a date and a time of day in ISO-8601's extended form (YYYY-MM-DDTHH:MM, then
 * :SS when `seconds`), names a day of its month (29 February in leap years alone) and a time of the clock: hour 0 to 23,
 * minute and second 0 to 59. Digits are not checked: the caller's pattern has.
 */
export function onTheCalendar(text: string, seconds: boolean): boolean {
  const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
  const month = twoDigits(text, 5);
  const day = twoDigits(text, 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return (
    day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0) &&
    twoDigits(text, 11) <= 23 &&
    twoDigits(text, 14) <= 59 &&
    (!seconds || twoDigits(text, 17) <= 59)
  );
}

/**
 * An event whose own time is not one the rules can hold it to: more than EVENT_TIME_LAG_MS before its recordedAt,
 * more than EVENT_TIME_LEAD_MS after it, or not an ISO-8601 UTC time (which Date.parse would read as the verifying
 * machine's local time, or not at all).
 */
export interface EventTimeFault {
  type: string;
  /** The data field holding the time, and what it states (its JSON text when it is not a string). */
  field: string;
  stated: string;
  recordedAt: string;
  problem: 'before' | 'after' | 'not-utc';
}

/**
 * The fault of an event whose own time (the field `OWN_TIME_FIELD` names) is not within the bounds of its recordedAt
 * (`recordedMs`), or not a UTC time; undefined otherwise, for an event whose data has no such field (what the event
 * catalogue asks of an event is not checked here), and when `recordedMs` is NaN (a fault of its own where it is checked).
 */
export function eventTimeFault(
  e: { type: string; data: Readonly<Record<string, unknown>>; recordedAt: string },
  recordedMs: number,
): EventTimeFault | undefined {
  if (!Object.hasOwn(OWN_TIME_FIELD, e.type) || Number.isNaN(recordedMs)) return undefined;
  const field = OWN_TIME_FIELD[e.type];
  const value = Object.hasOwn(e.data, field) ? e.data[field] : undefined;
  if (value === undefined) return undefined;
  const stated = typeof value === 'string' ? value : String(JSON.stringify(value));
  const ms = utcMs(value);
  const problem = Number.isNaN(ms)
    ? 'not-utc'
    : ms < recordedMs - EVENT_TIME_LAG_MS
      ? 'before'
      : ms > recordedMs + EVENT_TIME_LEAD_MS
        ? 'after'
        : null;
  return problem === null ? undefined : { type: e.type, field, stated, recordedAt: e.recordedAt, problem };
}

export type SpanUnit = 'day' | 'hour' | 'minute' | 'second';

/**
 * How far an event's own time lies from its recordedAt, in two units at most: days and hours, hours and minutes (rounded
 * down), or minutes and seconds to the millisecond, so that a span just past a bound is not written as the bound itself.
 */
export function spanOf(fault: EventTimeFault): Array<{ count: number; unit: SpanUnit }> {
  let away = Math.abs(Date.parse(fault.recordedAt) - Date.parse(fault.stated));
  const units: Array<[SpanUnit, number]> = [
    ['day', 86_400_000],
    ['hour', 3_600_000],
    ['minute', 60_000],
    ['second', 1000],
  ];
  const first = units.findIndex(([unit, size]) => away >= size || unit === 'second');
  const parts: Array<{ count: number; unit: SpanUnit }> = [];
  for (const [unit, size] of units.slice(first, first + 2)) {
    const count = unit === 'second' ? away / size : Math.floor(away / size);
    away -= count * size;
    if (count > 0 || parts.length === 0) parts.push({ count, unit });
  }
  return parts;
}
