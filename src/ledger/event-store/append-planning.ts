// Append planning, the same in every store: checks the calls and the expected revisions, then builds the envelopes
// (revision, prevHash, hash, leafIndex) of one commit.
import { uuidv7 } from '../../common/ids.js';
import { canonicalEnvelopeText, storedJson, ZERO_HASH } from '../../verifier/envelope.js';
import type { EventEnvelope, JsonObject } from '../../verifier/envelope.js';
import { nativeSha256Text } from '../native-sha256.js';
import { ConcurrencyError } from './event-store.port.js';
import type { AppendResult, ExpectedRevision, StreamAppend } from './event-store.port.js';

/** The last event of a stream as the append sees it; revision -1 (and ZERO_HASH) when the stream does not exist. */
export interface StreamHead {
  revision: number;
  hash: string;
}
export const NO_HEAD: StreamHead = { revision: -1, hash: ZERO_HASH };

/**
 * Commit times that only move forward: never earlier than the previous event's `recordedAt` nor than the last time
 * this clock gave or saw in the log, so a system clock that steps back yields the previous time again.
 */
export class CommitClock {
  private last = 0;
  // Date.now read at each call, not kept: a test that moves the system time (jest.setSystemTime) moves this clock too.
  constructor(private readonly now: () => number = () => Date.now()) {}

  /** The time (ms since the epoch) of a commit that follows an event recorded at `previousRecordedAt`. */
  next(previousRecordedAt?: string | null): number {
    this.observe(previousRecordedAt);
    this.last = Math.max(this.now(), this.last);
    return this.last;
  }

  /**
   * The time now, without moving the clock: never earlier than a time it gave or saw. What a command reads the time it
   * states from (a filing's filedAt), so that its commit, stamped by `next`, never records it earlier than that time,
   * nor much later when the system clock stepped back or another instance's clock is ahead (event-time.ts).
   */
  current(): Date {
    return new Date(Math.max(this.now(), this.last));
  }

  /** A time the log holds (an event's recordedAt, read or written by any instance): the clock never gives an earlier one. */
  observe(recordedAt?: string | null): void {
    const ms = recordedAt ? Date.parse(recordedAt) : NaN;
    if (ms > this.last) this.last = ms;
  }
}

/** The process's clock: every store in the process draws from it unless given its own. */
export const processCommitClock = new CommitClock();

/** One row to insert: the envelope plus the JCS texts of its data and meta, which read back as them. */
export interface PlannedRow {
  envelope: EventEnvelope;
  dataText: string;
  metaText: string;
}

const isPlainObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

const isExpectedRevision = (x: unknown): x is ExpectedRevision =>
  x === 'no-stream' || x === 'any' || x === 'stream-exists' || (Number.isSafeInteger(x) && (x as number) >= 0);

/** Rejects malformed calls before any transaction starts (an empty append is a caller bug, not a no-op). */
export function validateAppends(appends: StreamAppend[]): void {
  if (!Array.isArray(appends) || appends.length === 0) throw new TypeError('appendMulti: no streams to append to');
  for (const a of appends) {
    if (typeof a.stream !== 'string' || a.stream === '') throw new TypeError('stream must be a non-empty string');
    if (!isExpectedRevision(a.expectedRevision)) {
      throw new TypeError(`stream ${a.stream}: invalid expected revision ${String(a.expectedRevision)}`);
    }
    if (!Array.isArray(a.events) || a.events.length === 0) throw new TypeError(`stream ${a.stream}: no events to append`);
    for (const e of a.events) {
      if (typeof e?.type !== 'string' || e.type === '') throw new TypeError(`stream ${a.stream}: event type must be a non-empty string`);
      if (!isPlainObject(e.data) || !isPlainObject(e.meta)) throw new TypeError(`stream ${a.stream}: data and meta must be JSON objects`);
    }
  }
}

export function expectationHolds(expected: ExpectedRevision, lastRevision: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return lastRevision === -1;
  if (expected === 'stream-exists') return lastRevision >= 0;
  return lastRevision === expected;
}

/** An event serialised once, when the append is called: the JCS texts stored (and hashed), and the values that read back from them. */
export interface PreparedEvent {
  type: string;
  data: JsonObject;
  meta: JsonObject;
  dataText: string;
  metaText: string;
}
export interface PreparedAppend {
  stream: string;
  expectedRevision: ExpectedRevision;
  events: PreparedEvent[];
}

/**
 * Serialises every event's data and meta to their JCS texts (throws TypeError on what JSON cannot hold, e.g. a BigInt
 * or a cycle, or what JCS refuses, e.g. a lone surrogate). Done at call time, outside any transaction: later changes to
 * the caller's objects cannot alter the append.
 */
export function prepareAppends(appends: StreamAppend[]): PreparedAppend[] {
  return appends.map(({ stream, expectedRevision, events }) => ({
    stream,
    expectedRevision,
    events: events.map((e) => {
      // Hash what reads back: the JSON round trip drops undefined, turns non-finite numbers into null, calls toJSON.
      const data = stored(stream, 'data', e.data);
      const meta = stored(stream, 'meta', e.meta);
      return { type: e.type, data: data.value, meta: meta.value, dataText: data.text, metaText: meta.text };
    }),
  }));
}

function stored(stream: string, member: 'data' | 'meta', value: unknown): { value: JsonObject; text: string } {
  try {
    return storedJson(value);
  } catch (err) {
    throw new TypeError(`stream ${stream}: ${member} must be a JSON object with a canonical (JCS) form: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Checks every expectation and builds the envelopes of one commit, each asked of `admit` when given. `heads` holds the
 * current head of every stream named in `appends`; appends to the same stream within one batch see the earlier ones.
 * Throws ConcurrencyError on the first failed expectation, or what `admit` throws (the caller rolls back); `heads` may
 * then hold the streams planned before it: pass a copy of the heads the commit is planned from.
 */
export function planAppend(
  appends: StreamAppend[],
  firstPosition: number,
  heads: Map<string, StreamHead>,
  time: CommitTime = {},
  admit?: AdmitEvent,
): { rows: PlannedRow[]; result: AppendResult } {
  return planPrepared(prepareAppends(appends), firstPosition, heads, time, admit);
}

/** Where a commit's time comes from: the clock, and the `recordedAt` of the event just before it in the log (if known). */
export interface CommitTime {
  clock?: CommitClock;
  previousRecordedAt?: string | null;
}

/**
 * What a store may append, asked of each event once its envelope is built (its recordedAt known, before anything is
 * written): throws to refuse it, and the command it belongs to fails alone, writing nothing. The server's is
 * event-admission.ts: no event that `verify` would refuse.
 */
export type AdmitEvent = (event: EventEnvelope) => void;

/** planAppend for appends already serialised by prepareAppends. */
export function planPrepared(
  appends: PreparedAppend[],
  firstPosition: number,
  heads: Map<string, StreamHead>,
  time: CommitTime = {},
  admit?: AdmitEvent,
): { rows: PlannedRow[]; result: AppendResult } {
  // One commit, one timestamp: ISO-8601 UTC with ms, never before the event it follows.
  const recordedAt = new Date((time.clock ?? processCommitClock).next(time.previousRecordedAt)).toISOString();
  const rows: PlannedRow[] = [];
  const nextRevisions: Record<string, number> = {};
  let position = firstPosition;
  for (const { stream, expectedRevision, events } of appends) {
    let head = heads.get(stream) ?? NO_HEAD;
    if (!expectationHolds(expectedRevision, head.revision)) throw new ConcurrencyError(stream, expectedRevision, head.revision);
    for (const e of events) {
      const row = buildRow(stream, head, e, position++, recordedAt);
      admit?.(row.envelope);
      rows.push(row);
      head = { revision: row.envelope.revision, hash: row.envelope.hash };
    }
    heads.set(stream, head);
    nextRevisions[stream] = head.revision;
  }
  return { rows, result: { events: rows.map((r) => r.envelope), nextRevisions, lastPosition: position - 1 } };
}

function buildRow(stream: string, head: StreamHead, e: PreparedEvent, leafIndex: number, recordedAt: string): PlannedRow {
  const body = {
    v: 1 as const,
    id: uuidv7(),
    stream,
    revision: head.revision + 1,
    type: e.type,
    data: e.data,
    meta: e.meta,
    recordedAt,
    prevHash: head.revision < 0 ? ZERO_HASH : head.hash,
  };
  const hash = nativeSha256Text(canonicalEnvelopeText(body, e.dataText, e.metaText));
  return { envelope: { ...body, hash, leafIndex }, dataText: e.dataText, metaText: e.metaText };
}
