// Event envelope and its hash. Framework-free: runs in Node and in a browser.
import canonicalize from 'canonicalize';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export const ENVELOPE_VERSION = 1 as const;
export const ZERO_HASH = '0'.repeat(64);

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The hashed part of an envelope: exactly the fields that `hash` commits to. */
export interface EnvelopeBody {
  v: 1;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: JsonObject;
  meta: JsonObject;
  recordedAt: string;
  prevHash: string;
}

/** What is stored, exported and verified. `leafIndex` is the event's 0-based position in the log. */
export interface EventEnvelope extends EnvelopeBody {
  hash: string;
  leafIndex: number;
}

/** A SHA-256 implementation; the Node side may inject a native one, the default is @noble. */
export type Sha256 = (data: Uint8Array) => Uint8Array;
export const nobleSha256: Sha256 = (data) => sha256(data);

/**
 * RFC 8785 (JCS) canonical JSON, by `canonicalize`. For plain JSON values (what JSON.parse gives and what events
 * hold) the same text is produced faster: JCS writes strings and numbers exactly as JSON.stringify does, so a copy
 * with every object's keys in JCS order (UTF-16 code units), stringified natively, is the JCS form. Anything else
 * (array-index keys, which engines enumerate first; a `__proto__` key, which a copy cannot hold as a member; lone
 * surrogates and non-finite numbers, which JCS refuses; toJSON, functions, symbols, bigints) goes to `canonicalize`,
 * so the two never differ. A function, or a hole, in an array and a function as an object's member are refused.
 */
export function canonicalJson(value: unknown): string {
  const ordered = inJcsOrder(value);
  const text = ordered === NOT_PLAIN ? canonicalize(value) : JSON.stringify(ordered);
  if (text === undefined) throw new TypeError('value has no JSON form');
  // `canonicalize` writes an array's hole or function, and an object's function member, as nothing ("[1,,3]", "[]",
  // '{"k":undefined}'): not JSON, or not the value's JSON. Such a value has no JCS text; a value that reads back from its
  // JSON text as itself does.
  if (ordered === NOT_PLAIN && canonicalize(readBack(value)) !== text) throw new TypeError('value has no JSON form');
  return text;
}

const NOT_PLAIN = Symbol('not plain JSON');
const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
/** Deeper than any event or request body: a value nested further (or a cycle) is left to the slower paths, which report a cycle. */
const MAX_PLAIN_DEPTH = 128;

/** `value` itself when every object in it already has its keys in JCS order, else a copy that has; NOT_PLAIN otherwise. */
function inJcsOrder(value: unknown, depth = 0): unknown {
  if (value === null) return value;
  switch (typeof value) {
    case 'string':
      return value.isWellFormed() ? value : NOT_PLAIN;
    case 'number':
      return Number.isFinite(value) ? value : NOT_PLAIN;
    case 'boolean':
      return value;
    case 'object':
      if (depth === MAX_PLAIN_DEPTH) return NOT_PLAIN;
      break;
    default:
      return NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    // An array of another class, or with a toJSON of its own, is not written as its elements by JSON.stringify.
    if (Object.getPrototypeOf(value) !== Array.prototype || typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) return NOT_PLAIN;
      const v = inJcsOrder(item, depth + 1);
      if (v === NOT_PLAIN) return NOT_PLAIN;
      if (v !== item) (out ??= value.slice())[i] = v;
    }
    return out ?? value;
  }
  const object = value as Record<string, unknown>;
  const proto: unknown = Object.getPrototypeOf(object);
  if ((proto !== Object.prototype && proto !== null) || typeof object.toJSON === 'function') return NOT_PLAIN;
  const keys = Object.keys(object);
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    // A "__proto__" key (JSON.parse makes it an own property) would set the copy's prototype instead of a member.
    if (ARRAY_INDEX.test(key) || !key.isWellFormed() || key === '__proto__') return NOT_PLAIN;
    if (i > 0 && !(keys[i - 1] < key)) sorted = false;
  }
  if (!sorted) keys.sort();
  // Copied from the first key whose value changes, or from the start when the keys were out of order.
  let out: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = object[key];
    if (item === undefined) continue; // JCS and JSON.stringify both leave it out
    const v = inJcsOrder(item, depth + 1);
    if (v === NOT_PLAIN) return NOT_PLAIN;
    if (v !== item && !out) {
      out = {};
      for (let j = 0; j < i; j++) if (object[keys[j]] !== undefined) out[keys[j]] = object[keys[j]];
    }
    if (out) out[key] = v;
  }
  return out ?? object;
}

/**
 * Whether two values have the same JCS text (`canonicalJson(a) === canonicalJson(b)`), compared member by member for
 * plain JSON values: no text is written, and the walk stops at the first difference. A member whose value is undefined
 * counts as absent, and numbers compare as JSON writes them (0 and -0 alike). Anything else (what canonicalJson leaves
 * to `canonicalize`) is compared by its texts. Of two values of which one has no text (canonicalJson refuses it),
 * neither is the same as the other: canonicalJson's error, or false where a difference comes first.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const same = plainEqual(a, b, 0);
  return same === NOT_PLAIN ? canonicalJson(a) === canonicalJson(b) : same;
}

function plainEqual(a: unknown, b: unknown, depth: number): boolean | typeof NOT_PLAIN {
  if (a === b && (typeof a !== 'object' || a === null)) return plainScalar(a) || NOT_PLAIN;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object')
    return plainScalar(a) && plainScalar(b) ? false : NOT_PLAIN;
  if (depth === MAX_PLAIN_DEPTH || !plainContainer(a) || !plainContainer(b)) return NOT_PLAIN;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) {
      const item: unknown = a[i];
      if (item === undefined || y[i] === undefined) return NOT_PLAIN; // written as null: left to the texts
      const same = plainEqual(item, y[i], depth + 1);
      if (same !== true) return same;
    }
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let members = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key)) continue;
    // A "__proto__" member cannot be read as x[key]; a key JCS may refuse is left to the texts.
    if (key === '__proto__' || !key.isWellFormed()) return NOT_PLAIN;
    const item = x[key];
    if (item === undefined) continue;
    if (unwritten(item)) return NOT_PLAIN;
    members++;
    // A member JSON writes: own and enumerable (the loop over y's members below sees no other).
    if (!Object.prototype.propertyIsEnumerable.call(y, key) || y[key] === undefined) return unwritten(y[key]) ? NOT_PLAIN : false;
    const same = plainEqual(item, y[key], depth + 1);
    if (same !== true) return same;
  }
  for (const key in y) {
    if (!Object.hasOwn(y, key) || y[key] === undefined) continue;
    if (key === '__proto__' || !key.isWellFormed() || unwritten(y[key])) return NOT_PLAIN;
    members--;
  }
  return members === 0;
}

/** A member JSON.stringify leaves out, or refuses. */
const unwritten = (value: unknown) => typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint';

/** A value JSON writes as itself, JCS alike. */
const plainScalar = (value: unknown) =>
  value === null ||
  typeof value === 'boolean' ||
  (typeof value === 'number' && Number.isFinite(value)) ||
  (typeof value === 'string' && value.isWellFormed());

/** An array or object that JSON.stringify writes as its own members (see inJcsOrder). */
function plainContainer(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  return Array.isArray(value) ? proto === Array.prototype : proto === Object.prototype || proto === null;
}

/**
 * A JSON object as it reads back from its JSON text (a member that is undefined left out, toJSON called, a non-finite
 * number null), with that value's JCS text: what an event store keeps, so that hashing the event needs no second
 * serialisation of its data and meta (canonicalEnvelopeText). Throws a TypeError when the value has no JSON text or
 * reads back as something other than an object, and canonicalJson's error where it refuses what reads back.
 */
export function storedJson(value: unknown): { value: JsonObject; text: string } {
  const ordered = inJcsOrder(value);
  // Plain JSON: its key-ordered copy reads back as the value would, keys aside, and is the JCS text when stringified.
  const text = ordered === NOT_PLAIN ? canonicalJson(readBack(value)) : JSON.stringify(ordered);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TypeError('value is not a JSON object');
  return { value: parsed as JsonObject, text };
}

function readBack(value: unknown): unknown {
  const text = JSON.stringify(value) as string | undefined;
  if (typeof text !== 'string') throw new TypeError('value has no JSON form');
  return JSON.parse(text);
}

/** The hashed fields of an envelope, in JCS key order. */
export function envelopeBody(e: EnvelopeBody): EnvelopeBody {
  return {
    data: e.data,
    id: e.id,
    meta: e.meta,
    prevHash: e.prevHash,
    recordedAt: e.recordedAt,
    revision: e.revision,
    stream: e.stream,
    type: e.type,
    v: e.v,
  };
}

/** One line of an export: the whole envelope (its hash and leaf index included) in JCS form, without a newline. */
export function exportLine(e: EventEnvelope): string {
  return canonicalJson(e);
}

/** Export lines for events in leaf order, each ended by a newline. */
export const exportText = (events: readonly EventEnvelope[]): string => events.map(exportLine).join('\n') + '\n';

/** `hash` = hex SHA-256 of the JCS form of {v,id,stream,revision,type,data,meta,recordedAt,prevHash}. */
export function computeEventHash(e: EnvelopeBody, hash: Sha256 = nobleSha256): string {
  return bytesToHex(hash(utf8ToBytes(canonicalEnvelopeBody(e))));
}

/** Hex SHA-256 of the UTF-8 bytes of a text; the Node side may inject a native one that skips the copies. */
export type Sha256Text = (text: string) => string;
export const sha256TextWith =
  (hash: Sha256): Sha256Text =>
  (text) =>
    bytesToHex(hash(utf8ToBytes(text)));

const wellFormed = (s: unknown): boolean => typeof s === 'string' && s.isWellFormed();

/**
 * canonicalEnvelopeBody(e), given the JCS texts of `e.data` and `e.meta` (as storedJson makes them): the members in
 * JCS order around the two texts, each other member written as JCS writes it (JSON.stringify for a well-formed string
 * and a safe integer); anything else is left to canonicalEnvelopeBody.
 */
export function canonicalEnvelopeText(e: EnvelopeBody, dataText: string, metaText: string): string {
  const { id, prevHash, recordedAt, stream, type, revision, v } = e;
  const plain =
    wellFormed(id) &&
    wellFormed(prevHash) &&
    wellFormed(recordedAt) &&
    wellFormed(stream) &&
    wellFormed(type) &&
    Number.isSafeInteger(revision) &&
    Number.isSafeInteger(v);
  if (!plain) return canonicalEnvelopeBody(e);
  const str = JSON.stringify;
  return `{"data":${dataText},"id":${str(id)},"meta":${metaText},"prevHash":${str(prevHash)},"recordedAt":${str(recordedAt)},"revision":${revision},"stream":${str(stream)},"type":${str(type)},"v":${v}}`;
}

/** The JCS form (RFC 8785, by `canonicalize`) of the hashed part of an envelope. */
export function canonicalEnvelopeBody(e: EnvelopeBody): string {
  return canonicalJson(envelopeBody(e));
}

/** The value of each lowercase hex digit by its character code (below 128), -1 for any other character. */
const HEX_DIGIT_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_DIGIT_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/**
 * Whether `s` is 64 lowercase hex digits, as the ledger writes a SHA-256. Every event's hashes (and those in its data)
 * meet this: a table lookup a character runs in half the time of the regular expression `^[0-9a-f]{64}$` here.
 */
export function isHex64(s: unknown): s is string {
  if (typeof s !== 'string' || s.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f || HEX_DIGIT_VALUE[c] < 0) return false;
  }
  return true;
}

/** Decodes 64 lowercase hex digits (checked by isHex64) into `out` at `offset`, without allocating. */
export function hex64Into(hex: string, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 32; i++) out[offset + i] = (HEX_DIGIT_VALUE[hex.charCodeAt(2 * i)] << 4) | HEX_DIGIT_VALUE[hex.charCodeAt(2 * i + 1)];
}

export { bytesToHex, hexToBytes, utf8ToBytes };
