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

/** RFC 8785 (JCS) canonical JSON. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

export function envelopeBody(e: EnvelopeBody): EnvelopeBody {
  return {
    v: e.v,
    id: e.id,
    stream: e.stream,
    revision: e.revision,
    type: e.type,
    data: e.data,
    meta: e.meta,
    recordedAt: e.recordedAt,
    prevHash: e.prevHash,
  };
}

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

/** The JCS form (RFC 8785, by `canonicalize`) of the hashed part of an envelope. */
export function canonicalEnvelopeBody(e: EnvelopeBody): string {
  return canonicalJson(envelopeBody(e));
}

export const isHex64 = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

export { bytesToHex, hexToBytes, utf8ToBytes };
