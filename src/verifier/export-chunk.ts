// The checks of an export's events that need no other event (parsing, the envelope's fields, the hash of its canonical
// form, the time's format), done a chunk of lines at a time, and the facts the ordered checks need of each event (its
// leaf hash, its chain facts, the part the sandbox rules read). Pure and framework-free: a chunk is checked the same way
// in a Node worker thread, a browser Web Worker or inline, and what it gives back is structured-clone friendly, its bulk
// in one transferable buffer. `ExportVerifier.pushChunk` then applies the order-dependent checks, chunk after chunk.
import {
  canonicalEnvelopeBody,
  type EventEnvelope,
  exportLine,
  hex64Into,
  isHex64,
  nobleSha256,
  type Sha256,
  type Sha256Text,
  sha256TextWith,
} from './envelope.js';
import { tileRoots } from './compact-range.js';
import { catalogueFault, misleadsRules, type SchemaCheck, walkSchema } from './event-catalogue.js';
import { eventTimeFault, utcMs } from './event-time.js';
import { type EnvelopeRule, envelopeReason, failureReason, type FailureFacts } from './export-failure.js';
import { jcsMembers } from './jcs-text.js';
import { RIGHTS_EVENT_TYPES, ruleEvent } from './rights-events.js';

/** Bytes of an event's record in `ChunkFacts.records`: 4 float64 (leafIndex, revision, recordedAt in ms, unused), then hash, prevHash, leaf hash. */
export const RECORD_BYTES = 128;
/** Float64 slots per record, and the offsets within one. */
export const RECORD_FLOATS = RECORD_BYTES / 8;
export const LEAF_INDEX = 0;
export const REVISION = 1;
export const RECORDED_MS = 2;
/** Byte offsets of the hashes within a record. */
export const HASH_AT = 32;
export const PREV_HASH_AT = 64;
export const LEAF_HASH_AT = 96;

/** The RFC 6962 leaf hash of event `i` in a chunk's `records` (a view, not a copy). */
export const leafHashOf = (records: Uint8Array, i: number): Uint8Array =>
  records.subarray(i * RECORD_BYTES + LEAF_HASH_AT, (i + 1) * RECORD_BYTES);

/** The part of an event the settlement audit reads: the rules' data fields (all of a RightsSettled's), where and when. */
export type SettlementEvent = Pick<EventEnvelope, 'type' | 'stream' | 'leafIndex' | 'recordedAt'> & { data: { [key: string]: unknown } };

/**
 * The first event of a chunk that fails a check of its own, why (as data and in English), and `leafIndex`, its claimed
 * one when its fields are well typed; `at`: events of the chunk accepted before it.
 */
export type ChunkFailure = { at: number; leafIndex: number | null; reason: string } & FailureFacts;

/** What a chunk's events give the ordered checks, in log order; every event before `failure` passed its own checks. */
export interface ChunkFacts {
  events: number;
  /** `events` records of RECORD_BYTES; its buffer is the chunk's own (transferable). */
  records: Uint8Array;
  streams: string[];
  /** Each event's id, for the check that no id is given twice. */
  ids: string[];
  recordedAt: string[];
  /** The events the settlement audit reads, with their position in the chunk, in order. */
  rules: Array<{ at: number; event: SettlementEvent }>;
  /**
   * The roots of the perfect subtrees that tile the chunk's leaves from its first event's leaf index on (`tileRoots`),
   * for `CompactRange.appendTiles`; null when an event failed or the chunk has fewer than two events.
   */
  tiles: Uint8Array | null;
  failure: ChunkFailure | null;
  /**
   * The first event of the chunk (its position in the chunk) whose own time is not its recordedAt's (event-time.ts): it
   * is accepted, and the fault held back, to be reported only if the log is otherwise authentic (as a time that goes
   * back is), so that tampering is named as such.
   */
  untimely: { at: number; facts: FailureFacts } | null;
  /**
   * The first event of the chunk (its position in the chunk) that is not one the event catalogue has (event-catalogue.ts):
   * accepted for the chain and the tree, and its fault held back as `untimely`'s is.
   */
  uncatalogued: { at: number; facts: FailureFacts } | null;
  /** The first event of the chunk (its position) that the rules could misread: the settlement audit stops before it. */
  misleading: number | null;
}

/** The check of an event's hash by its own fields: both hashes and where it is, so that the message says what to look at. */
export const hashMismatchFacts = (e: Pick<EventEnvelope, 'type' | 'stream' | 'leafIndex' | 'hash'>, computed: string): FailureFacts => ({
  code: 'hash-mismatch',
  type: e.type,
  stream: e.stream,
  leaf: e.leafIndex,
  expected: e.hash,
  computed,
});

/** `hashMismatchFacts` in English. */
export const hashMismatch = (e: Pick<EventEnvelope, 'type' | 'stream' | 'leafIndex' | 'hash'>, computed: string): string =>
  failureReason(hashMismatchFacts(e, computed));

const ENVELOPE_FIELDS = ['v', 'id', 'stream', 'revision', 'type', 'data', 'meta', 'recordedAt', 'prevHash', 'hash', 'leafIndex'];
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isNonEmptyString = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const isIndex = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Why `value` is not a well-typed envelope with exactly the envelope's fields (the rule and the field), or undefined when it is one. */
export function envelopeFault(value: unknown): { rule: EnvelopeRule; field: string | null } | undefined {
  if (!isObject(value)) return { rule: 'not-object', field: null };
  const keys = Object.keys(value);
  const extra = keys.find((k) => !ENVELOPE_FIELDS.includes(k));
  if (extra !== undefined) return { rule: 'unexpected-field', field: extra };
  if (keys.length !== ENVELOPE_FIELDS.length) {
    const missing = ENVELOPE_FIELDS.find((k) => !(k in value));
    if (missing !== undefined) return { rule: 'missing-field', field: missing };
  }
  if (value.v !== 1) return { rule: 'version', field: 'v' };
  for (const k of ['id', 'stream', 'type', 'recordedAt'] as const) if (!isNonEmptyString(value[k])) return { rule: 'not-string', field: k };
  for (const k of ['revision', 'leafIndex'] as const) if (!isIndex(value[k])) return { rule: 'not-index', field: k };
  for (const k of ['data', 'meta'] as const) if (!isObject(value[k])) return { rule: 'not-object-field', field: k };
  for (const k of ['prevHash', 'hash'] as const) if (!isHex64(value[k])) return { rule: 'not-hex', field: k };
  return undefined;
}

/** `envelopeFault` in English, or undefined when `value` is a well-typed envelope. */
export function envelopeProblem(value: unknown): string | undefined {
  const fault = envelopeFault(value);
  return fault && envelopeReason(fault.rule, fault.field);
}

/** Milliseconds since the epoch of an ISO-8601 UTC time as the store writes it, or NaN. */
export const recordedAtMs = (recordedAt: string): number => utcMs(recordedAt);

const CUT = ['hash', 'leafIndex'];

/**
 * The text an event's hash commits to, cut out of its export line when the line is in JCS form (as the log writes it),
 * or undefined when it is not. The line is then the JCS form of the whole envelope; less its top-level `hash` and
 * `leafIndex` members it is the JCS form of the hashed fields, exactly what `canonicalEnvelopeBody` gives for the parsed
 * event (members taken out of a JCS object leave one), without serialising it again.
 *
 * Only for a line JSON.parse accepted (jcsMembers relies on it) and whose value passed `envelopeProblem`: its top level
 * then holds exactly the envelope's fields, so the line less `hash` and `leafIndex` holds exactly the hashed ones (an
 * extra member would be hashed here and not by `canonicalEnvelopeBody`). In JCS order `hash` is never the first member
 * (`data` sorts before it) and comes before `leafIndex`, which the slices below rely on.
 */
export function hashedText(line: string): string | undefined {
  const members = jcsMembers(line, CUT);
  const hash = members?.get('hash');
  const leaf = members?.get('leafIndex');
  if (hash === undefined || leaf === undefined) return undefined;
  return line.slice(0, hash.from) + line.slice(hash.to, leaf.from) + line.slice(leaf.to);
}

/**
 * The text an event's hash is checked over: cut out of its line when the line is in JCS form (`hashedText`), else the
 * parsed event serialised again. `e` is the line's value (as JSON.parse gave it) and has passed `envelopeProblem`.
 * Throws when the event has no canonical form (a lone surrogate), and a NotCanonicalLine when the line is not its
 * event written as JSON.stringify writes it back (in JCS form as the log writes lines, or in the order of its own keys
 * as exports were once written): parsed as it stands, a line with a repeated key, say, is the event whose hash it
 * carries to JSON.parse, which keeps the last value, and another event to a reader that keeps the first.
 */
export function hashedBody(e: EventEnvelope, line: string | undefined): string {
  if (line === undefined) return canonicalEnvelopeBody(e);
  const cut = hashedText(line);
  if (cut !== undefined) return cut;
  // The scan declines some canonical lines (a key with an escape): the canonical form is then compared whole. Any other
  // line must be what JSON.stringify writes back, keys in their own order (exports written in field order).
  if (JSON.stringify(e) !== line && exportLine(e) !== line) throw new NotCanonicalLine();
  return canonicalEnvelopeBody(e);
}

/** An export line that is not its event as JSON.stringify writes it back: it may read as another event elsewhere. */
export class NotCanonicalLine extends Error {
  constructor() {
    super(failureReason({ code: 'not-canonical' }));
  }
}

/**
 * Decodes the UTF-8 of `chunk` from `start` to `end` (one line), or gives undefined when those bytes are not well-formed
 * UTF-8; made once per chunk. Never replaces a bad byte by U+FFFD: an event's hash covers the bytes the log wrote, and
 * two different lines must not decode to one text.
 */
export type LineDecoder = (chunk: Uint8Array) => (start: number, end: number) => string | undefined;

/** Why a line is refused when its bytes are not well-formed UTF-8. */
export const NOT_UTF8 = failureReason({ code: 'not-utf8' });

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The text of UTF-8 bytes, or undefined when they are not well-formed UTF-8 (never U+FFFD in place of a bad byte); a
 * byte-order mark stays in the text (an export line that starts with one is then not JSON).
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch (err) {
    // Bytes that are not UTF-8 are a TypeError (by name: the decoder's realm may not be this code's); anything else
    // (bytes too many for one string) is not theirs to name.
    if ((err as Error | null)?.name === 'TypeError') return undefined;
    throw err;
  }
}

/** Each line on its own: a line of ASCII stays a one-byte string, faster to parse and hash than a slice of a decoded chunk. */
export const textDecoderLines: LineDecoder = (chunk) => (start, end) => utf8Text(chunk.subarray(start, end));

/**
 * The longest line a verifier reads, in bytes: V8's longest string (2^29 - 24 UTF-16 code units, Node's
 * buffer.constants.MAX_STRING_LENGTH), which the text of a line of as many UTF-8 bytes never exceeds. A longer line
 * could not be decoded at all (the engine's own error would name no leaf): it fails its leaf instead.
 */
export const MAX_LINE_BYTES = 0x1fffffe8;

/**
 * How a chunk is checked: the hash functions (the browser-safe @noble ones by default; Node injects native ones), the
 * decoder, the event catalogue's schema check (walked by default; Node injects compiled ones), and the longest line
 * read (`MAX_LINE_BYTES` by default; a test lowers it).
 */
export interface ChunkHashes {
  sha256?: Sha256;
  sha256Text?: Sha256Text;
  lines?: LineDecoder;
  schemaCheck?: SchemaCheck;
  maxLineBytes?: number;
}

/**
 * Checks events one by one (lines with `addLine`, parsed values with `add`) and collects their facts until `take`.
 * After the first failure it ignores everything until `take`.
 */
export class ChunkChecker {
  private readonly sha256: Sha256;
  private readonly sha256Text: Sha256Text;
  readonly lines: LineDecoder;
  readonly maxLineBytes: number;
  private readonly schemaCheck: SchemaCheck;
  private readonly leafInput = new Uint8Array(33); // 0x00 ‖ hash: the RFC 6962 leaf hash input
  private records: Uint8Array;
  private floats: Float64Array;
  private events = 0;
  private streams: string[] = [];
  private ids: string[] = [];
  private recordedAt: string[] = [];
  private untimely: ChunkFacts['untimely'] = null;
  private uncatalogued: ChunkFacts['uncatalogued'] = null;
  private misleading: number | null = null;
  private rules: ChunkFacts['rules'] = [];
  private failure: ChunkFailure | null = null;

  constructor(
    hashes: ChunkHashes = {},
    private capacity = 64,
  ) {
    this.sha256 = hashes.sha256 ?? nobleSha256;
    this.sha256Text = hashes.sha256Text ?? sha256TextWith(this.sha256);
    this.lines = hashes.lines ?? textDecoderLines;
    this.maxLineBytes = hashes.maxLineBytes ?? MAX_LINE_BYTES;
    this.schemaCheck = hashes.schemaCheck ?? walkSchema;
    this.records = new Uint8Array(capacity * RECORD_BYTES);
    this.floats = new Float64Array(this.records.buffer);
  }

  /** True until an event has failed. */
  get ok(): boolean {
    return this.failure === null;
  }

  private fail(leafIndex: number | null, facts: FailureFacts): false {
    this.failure = { at: this.events, leafIndex, reason: failureReason(facts), ...facts };
    return false;
  }

  /** One NDJSON line; a blank one is skipped. False once an event has failed. */
  addLine(line: string): boolean {
    if (this.failure) return false;
    if (line.length === 0 || (line.charCodeAt(0) !== 123 /* { */ && line.trim() === '')) return true;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.fail(null, { code: 'not-json' });
    }
    return this.check(value, line);
  }

  /** One line whose bytes are not well-formed UTF-8: it fails. */
  addUndecodable(): false {
    if (this.failure) return false;
    return this.fail(null, { code: 'not-utf8' });
  }

  /** One line longer than `maxLineBytes`: it fails, undecoded. */
  addTooLong(): false {
    if (this.failure) return false;
    return this.fail(null, { code: 'line-too-long', limit: this.maxLineBytes });
  }

  /** One parsed event. False once an event has failed. */
  add(value: unknown): boolean {
    return this.check(value, undefined);
  }

  private check(value: unknown, line: string | undefined): boolean {
    if (this.failure) return false;
    const fault = envelopeFault(value);
    if (fault !== undefined) return this.fail(null, { code: 'envelope', ...fault });
    const e = value as EventEnvelope;
    let body: string;
    try {
      body = hashedBody(e, line);
    } catch (err) {
      if (err instanceof NotCanonicalLine) return this.fail(e.leafIndex, { code: 'not-canonical' });
      return this.fail(e.leafIndex, { code: 'no-canonical-form', error: (err as Error).message });
    }
    const computed = this.sha256Text(body);
    if (computed !== e.hash) return this.fail(e.leafIndex, hashMismatchFacts(e, computed));
    const recorded = recordedAtMs(e.recordedAt);
    if (Number.isNaN(recorded)) return this.fail(e.leafIndex, { code: 'recorded-at', recordedAt: e.recordedAt });
    if (this.events === this.capacity) this.grow();
    const i = this.events++;
    if (this.untimely === null) {
      const untimely = eventTimeFault(e, recorded);
      if (untimely) this.untimely = { at: i, facts: { code: 'event-time', ...untimely } };
    }
    const records = this.records;
    const floats = this.floats;
    floats[i * RECORD_FLOATS + LEAF_INDEX] = e.leafIndex;
    floats[i * RECORD_FLOATS + REVISION] = e.revision;
    floats[i * RECORD_FLOATS + RECORDED_MS] = recorded;
    const at = i * RECORD_BYTES;
    hex64Into(e.hash, records, at + HASH_AT);
    hex64Into(e.prevHash, records, at + PREV_HASH_AT);
    const input = this.leafInput;
    input.set(records.subarray(at + HASH_AT, at + HASH_AT + 32), 1);
    records.set(this.sha256(input), at + LEAF_HASH_AT);
    this.streams.push(e.stream);
    this.ids.push(e.id);
    this.recordedAt.push(e.recordedAt);
    const uncatalogued = catalogueFault(e, this.schemaCheck);
    if (uncatalogued !== undefined) this.uncatalogued ??= { at: i, facts: { code: 'catalogue', ...uncatalogued } };
    // An event the rules could misread is not read: the audit stops before it (ExportVerifier.pushChunk).
    const misleading = uncatalogued !== undefined && misleadsRules(uncatalogued);
    if (misleading) this.misleading ??= i;
    if (RIGHTS_EVENT_TYPES.has(e.type) && !misleading) {
      // Only what the audit reads crosses to the reducer: a whole RightsSettled, the rules' fields of the others.
      const data = e.type === 'RightsSettled' ? e.data : ruleEvent(e).data;
      this.rules.push({ at: i, event: { type: e.type, stream: e.stream, leafIndex: e.leafIndex, recordedAt: e.recordedAt, data } });
    }
    return true;
  }

  private grow(): void {
    this.capacity *= 2;
    const records = new Uint8Array(this.capacity * RECORD_BYTES);
    records.set(this.records);
    this.records = records;
    this.floats = new Float64Array(records.buffer);
  }

  /** The facts collected since the last `take`; the checker starts afresh (a new buffer: the old one may be transferred). */
  take(): ChunkFacts {
    const records = this.records;
    // A leaf index is not covered by the hash: one near 2^53 would make no range; the ordered checks then refuse it.
    const tiles =
      this.failure === null && this.events > 1 && this.floats[LEAF_INDEX] + this.events <= Number.MAX_SAFE_INTEGER
        ? tileRoots(this.floats[LEAF_INDEX], this.events, (i) => leafHashOf(records, i), this.sha256)
        : null;
    const facts: ChunkFacts = {
      events: this.events,
      records: records.subarray(0, this.events * RECORD_BYTES),
      streams: this.streams,
      ids: this.ids,
      recordedAt: this.recordedAt,
      rules: this.rules,
      tiles,
      failure: this.failure,
      untimely: this.untimely,
      uncatalogued: this.uncatalogued,
      misleading: this.misleading,
    };
    this.records = new Uint8Array(this.capacity * RECORD_BYTES);
    this.floats = new Float64Array(this.records.buffer);
    this.events = 0;
    this.streams = [];
    this.ids = [];
    this.recordedAt = [];
    this.rules = [];
    this.failure = null;
    this.untimely = null;
    this.uncatalogued = null;
    this.misleading = null;
    return facts;
  }
}

const LINE_BREAK = /\r\n|\n|\r/;

/**
 * Checks one chunk of an export (whole lines of UTF-8) on its own, line by line (split at \n, \r\n and a lone \r, as
 * readline splits them) until one fails: what a worker does with each chunk it is handed.
 */
export function checkChunk(chunk: Uint8Array, checker: ChunkChecker): ChunkFacts {
  const line = checker.lines(chunk);
  for (let start = 0; start < chunk.length && checker.ok;) {
    let stop = chunk.indexOf(10, start);
    if (stop < 0) stop = chunk.length;
    if (stop - start > checker.maxLineBytes) {
      checker.addTooLong();
      break;
    }
    const text = line(start, stop);
    if (text === undefined) {
      // Not UTF-8 as a whole: each part between carriage returns (where the text would have been split) is decoded on
      // its own, so that the parts before the one at fault are checked first and the fault is put where it is.
      for (let from = start; from <= stop && checker.ok;) {
        let cr = chunk.indexOf(13, from);
        if (cr < 0 || cr > stop) cr = stop;
        const part = line(from, cr);
        if (part === undefined) checker.addUndecodable();
        else checker.addLine(part);
        from = cr + 1;
      }
    } else if (text.includes('\r')) {
      for (const part of text.split(LINE_BREAK)) if (!checker.addLine(part)) break;
    } else checker.addLine(text);
    start = stop + 1;
  }
  return checker.take();
}

/**
 * Cuts a byte stream into chunks of about `size` bytes that end where a line ends (or where the stream ends), each at
 * the start of a buffer of its own so that it can be transferred to a worker; a line longer than `size` makes its
 * chunk larger, up to a line longer than `maxLine`, which is cut where it has come to (see `cut`). Buffers handed back
 * with `recycle` are used again: the chunks in flight are the memory used.
 */
export class LineChunker {
  private buffer: Uint8Array;
  private filled = 0;
  private readonly free: ArrayBuffer[] = [];

  constructor(
    private readonly size = 1 << 20,
    private readonly maxLine = MAX_LINE_BYTES,
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError('the chunk size must be a positive integer');
    this.buffer = new Uint8Array(size);
  }

  /** Hands back the buffer of a chunk that has been checked. */
  recycle(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.size && this.free.length < 16) this.free.push(buffer);
  }

  /** The chunks completed by `bytes`, in order (the caller may reuse `bytes` afterwards). */
  *push(bytes: Uint8Array): Generator<Uint8Array> {
    for (let from = 0; from < bytes.length;) {
      const n = Math.min(bytes.length - from, this.buffer.length - this.filled);
      this.buffer.set(bytes.subarray(from, from + n), this.filled);
      this.filled += n;
      from += n;
      if (this.filled === this.buffer.length) {
        const chunk = this.cut();
        if (chunk) yield chunk;
      }
    }
  }

  /** The last chunk (the bytes after the last line break included), or null when nothing is left. */
  end(): Uint8Array | null {
    if (this.filled === 0) return null;
    const chunk = this.buffer.subarray(0, this.filled);
    this.buffer = this.fresh(0);
    this.filled = 0;
    return chunk;
  }

  /**
   * Cuts the full buffer after its last line break; with none, grows it (a long line) and returns null. A line that has
   * grown past `maxLine` is cut where it has come to: that much fails it (checkChunk), and it is never held whole (a
   * buffer grows to `maxLine + 1` bytes at most); what follows it is never reached, the verdict stopping at its leaf.
   */
  private cut(): Uint8Array | null {
    const end = this.buffer.lastIndexOf(10) + 1;
    if (end === 0 && this.filled > this.maxLine) return this.end();
    if (end === 0) {
      const bigger = new Uint8Array(Math.min(this.buffer.length * 2, this.maxLine + 1));
      bigger.set(this.buffer);
      this.buffer = bigger;
      return null;
    }
    const chunk = this.buffer.subarray(0, end);
    const rest = this.filled - end;
    const next = this.fresh(rest);
    next.set(this.buffer.subarray(end, this.filled));
    this.buffer = next;
    this.filled = rest;
    return chunk;
  }

  /** A buffer with room for more than `keep` bytes (`keep` is at most `maxLine`: the rest of a buffer cut at a line break). */
  private fresh(keep: number): Uint8Array {
    if (keep < this.size) {
      const recycled = this.free.pop();
      return recycled ? new Uint8Array(recycled) : new Uint8Array(this.size);
    }
    return new Uint8Array(Math.min(2 * keep, this.maxLine + 1));
  }
}
