// Event envelope and its hash (SPEC section 2). Framework-free: runs in Node and in a browser.
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

/** RFC 8785 (JCS) canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function envelopeBody(e: EnvelopeBody): EnvelopeBody {
  return {
    v: e.v, id: e.id, stream: e.stream, revision: e.revision, type: e.type,
    data: e.data, meta: e.meta, recordedAt: e.recordedAt, prevHash: e.prevHash,
  };
}

/** `hash` = hex SHA-256 of the JCS form of {v,id,stream,revision,type,data,meta,recordedAt,prevHash}. */
export function computeEventHash(e: EnvelopeBody, hash: Sha256 = nobleSha256): string {
  return bytesToHex(hash(utf8ToBytes(canonicalEnvelopeBody(e))));
}

/** Hex SHA-256 of the UTF-8 bytes of a text; the Node side may inject a native one that skips the copies. */
export type Sha256Text = (text: string) => string;
export const sha256TextWith = (hash: Sha256): Sha256Text => (text) => bytesToHex(hash(utf8ToBytes(text)));

/** The JCS form of the hashed part of an envelope: `canonicalJson(envelopeBody(e))`, built without the generic walk when it can be. */
export function canonicalEnvelopeBody(e: EnvelopeBody): string {
  // The body's keys in JCS order; JSON.stringify keeps the insertion order of non-index keys.
  const body = sortedForJcs({
    data: e.data, id: e.id, meta: e.meta, prevHash: e.prevHash, recordedAt: e.recordedAt, revision: e.revision, stream: e.stream, type: e.type, v: e.v,
  }, 0);
  const text = body === undefined ? undefined : JSON.stringify(body);
  // JSON.stringify escapes a lone surrogate as \udxxx where canonicalize refuses it: any such escape goes the generic way.
  if (text === undefined || text.includes('\\ud')) return canonicalJson(envelopeBody(e));
  return text;
}

const MAX_FAST_DEPTH = 64;

/**
 * Plain JSON data (what JSON.parse gives: strings, finite numbers, booleans, null, arrays, plain objects) with every
 * object's keys in JCS order (UTF-16 code units), copying only the objects that are not in that order already, so that
 * JSON.stringify writes what `canonicalize` writes. Undefined for anything else (non-finite numbers, undefined, toJSON,
 * other prototypes, array-index keys, which JavaScript enumerates first, deep nesting): the caller then hands the value
 * to `canonicalize`, which keeps the last word, errors included.
 */
function sortedForJcs(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null) {
    switch (typeof value) {
      case 'string': case 'boolean': return value;
      case 'number': return Number.isFinite(value) ? value : undefined;
      default: return value === null ? null : undefined;
    }
  }
  if (depth > MAX_FAST_DEPTH) return undefined;
  if (Array.isArray(value)) {
    let out = value;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const sorted = sortedForJcs(item, depth + 1);
      if (sorted === undefined) return undefined;
      if (sorted !== item) {
        if (out === value) out = value.slice();
        out[i] = sorted;
      }
    }
    return out;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  let inOrder = true;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1] > keys[i]) { inOrder = false; break; } // `>` on strings compares UTF-16 code units, the order JCS requires
  }
  if (!inOrder) keys.sort();
  let out: Record<string, unknown> | undefined = inOrder ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const first = key.charCodeAt(0);
    if ((first >= 48 && first <= 57) || key === '__proto__') return undefined; // a digit may start an array index (enumerated first); __proto__ cannot be assigned as an own key
    const member = object[key];
    const sorted = sortedForJcs(member, depth + 1);
    if (sorted === undefined) return undefined;
    if (out === undefined && sorted !== member) out = { ...object };
    if (out !== undefined) out[key] = sorted;
  }
  return out ?? object;
}

export const isHex64 = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

export { bytesToHex, hexToBytes, utf8ToBytes };
