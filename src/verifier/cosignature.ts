// C2SP tlog-cosignature (c2sp.org/tlog-cosignature): Ed25519 `cosignature/v1` (type 0x04) and ML-DSA-44 `subtree/v1`
// (type 0x06) cosignatures on checkpoints, their vkeys, and a witness quorum. Framework-free: runs in Node and in a browser.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { type Checkpoint, type CheckpointFault, parseCheckpoint, verifyCheckpoint } from './checkpoint.js';
import { nobleSha256, type Sha256 } from './envelope.js';
import {
  base64Decode,
  base64Encode,
  type Ed25519Verify,
  isValidKeyName,
  nobleEd25519Verify,
  parseNote,
  type Vkey,
  VkeyError,
} from './note.js';
import { equalBytes } from './rfc6962.js';

export const COSIGNATURE_V1 = 0x04;
export const ML_DSA_44 = 0x06;
export type CosignatureType = typeof COSIGNATURE_V1 | typeof ML_DSA_44;

const PUBLIC_KEY_SIZE: Record<CosignatureType, number> = { [COSIGNATURE_V1]: 32, [ML_DSA_44]: 1312 };
const SIGNATURE_SIZE: Record<CosignatureType, number> = { [COSIGNATURE_V1]: 64, [ML_DSA_44]: 2420 };
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export interface CosignerKey {
  name: string;
  type: CosignatureType;
  keyId: Uint8Array; // 4 bytes
  publicKey: Uint8Array;
}

/** `<name>+<hex key ID>`: how a cosigner is named in messages and stores. */
export const cosignerLabel = (key: { name: string; keyId: Uint8Array }) => `${key.name}+${bytesToHex(key.keyId)}`;

/** key ID = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]. */
export function cosignerKeyId(name: string, type: CosignatureType, publicKey: Uint8Array, sha256: Sha256 = nobleSha256): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(name), Uint8Array.of(0x0a, type), publicKey)).slice(0, 4);
}

/** `<name>+<hex key ID>+<base64(type ‖ public key)>`. */
export function formatCosignerVkey(name: string, type: CosignatureType, publicKey: Uint8Array, sha256: Sha256 = nobleSha256): string {
  if (!isValidKeyName(name)) throw new SyntaxError(`invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_SIZE[type])
    throw new RangeError(`a type 0x0${type} key is ${PUBLIC_KEY_SIZE[type]} bytes`);
  return `${name}+${bytesToHex(cosignerKeyId(name, type, publicKey, sha256))}+${base64Encode(concatBytes(Uint8Array.of(type), publicKey))}`;
}

/** Parses a cosigner vkey (Ed25519 type 0x04 or ML-DSA-44 type 0x06); throws a VkeyError (a SyntaxError) unless it is well-formed and its key ID matches. */
export function parseCosignerVkey(text: string, sha256: Sha256 = nobleSha256): CosignerKey {
  const match = typeof text === 'string' ? /^([^+]*)\+([^+]*)\+(.*)$/s.exec(text.trim()) : null;
  if (!match) throw new VkeyError({ problem: 'format' });
  const [, name, idHex, keyB64] = match;
  if (!isValidKeyName(name)) throw new VkeyError({ problem: 'name' });
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new VkeyError({ problem: 'key-id-digits' });
  let typed: Uint8Array;
  try {
    typed = base64Decode(keyB64);
  } catch {
    throw new VkeyError({ problem: 'base64' });
  }
  const type = typed[0] as CosignatureType;
  if (type !== COSIGNATURE_V1 && type !== ML_DSA_44) throw new VkeyError({ problem: 'not-cosigner' });
  const publicKey = typed.slice(1);
  if (publicKey.length !== PUBLIC_KEY_SIZE[type]) throw new VkeyError({ problem: 'key-size', keyType: type, bytes: PUBLIC_KEY_SIZE[type] });
  const keyId = cosignerKeyId(name, type, publicKey, sha256);
  if (bytesToHex(keyId) !== idHex) throw new VkeyError({ problem: 'key-id' });
  return { name, type, keyId, publicKey };
}

const u64 = (n: number | bigint): Uint8Array => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
};

/** `cosignature/v1\ntime <timestamp>\n` followed by the checkpoint's note text. */
export function cosignatureV1Message(checkpointText: string, timestamp: number): Uint8Array {
  return utf8ToBytes(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`);
}

const lengthPrefixed = (text: string): Uint8Array => {
  const bytes = utf8ToBytes(text);
  if (bytes.length < 1 || bytes.length > 255) throw new RangeError('a name or origin in a subtree/v1 message is 1 to 255 bytes');
  return concatBytes(Uint8Array.of(bytes.length), bytes);
};

/** The `subtree/v1` message an ML-DSA-44 cosigner signs for a whole checkpoint (start 0, end = tree size). */
export function subtreeV1Message(cosignerName: string, timestamp: number, checkpointText: string): Uint8Array {
  const c = parseCheckpoint(checkpointText);
  return concatBytes(
    utf8ToBytes('subtree/v1\n\0'),
    lengthPrefixed(cosignerName),
    u64(timestamp),
    lengthPrefixed(c.origin),
    u64(0),
    u64(c.treeSize),
    c.rootHash,
  );
}

/** `— <name> <base64(key ID ‖ u64 timestamp ‖ signature)>\n`. */
function signatureLine(name: string, keyId: Uint8Array, timestamp: number, signature: Uint8Array): string {
  return `\u2014 ${name} ${base64Encode(concatBytes(keyId, u64(timestamp), signature))}\n`;
}

const checkTimestamp = (timestamp: number) => {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError(`invalid cosignature timestamp ${timestamp}`);
};

/** An Ed25519 cosignature/v1 line over a checkpoint's note text. */
export function signCosignatureV1(
  checkpointText: string,
  name: string,
  secretKey: Uint8Array,
  timestamp: number,
  sha256: Sha256 = nobleSha256,
): string {
  checkTimestamp(timestamp);
  const publicKey = ed25519.getPublicKey(secretKey);
  const signature = ed25519.sign(cosignatureV1Message(checkpointText, timestamp), secretKey);
  return signatureLine(name, cosignerKeyId(name, COSIGNATURE_V1, publicKey, sha256), timestamp, signature);
}

/** An ML-DSA-44 subtree/v1 line over a checkpoint (extension lines are not signed by this type). */
export function signMlDsaCosignature(
  checkpointText: string,
  name: string,
  keys: { secretKey: Uint8Array; publicKey: Uint8Array },
  timestamp: number,
  sha256: Sha256 = nobleSha256,
): string {
  checkTimestamp(timestamp);
  const signature = ml_dsa44.sign(subtreeV1Message(name, timestamp, checkpointText), keys.secretKey);
  return signatureLine(name, cosignerKeyId(name, ML_DSA_44, keys.publicKey, sha256), timestamp, signature);
}

export interface Cosignature {
  key: CosignerKey;
  label: string;
  timestamp: number;
}
export interface CosignatureResult {
  valid: Cosignature[];
  invalid: string[];
  /** The label of each key in `invalid` whose line does not verify (empty when the note itself is malformed). */
  invalidKeys: string[];
  /** Why the note is malformed (in English), or null when it parses. */
  malformed: string | null;
}

export interface CosignatureOptions {
  sha256?: Sha256;
  verify?: Ed25519Verify;
}

/**
 * The time a cosignature line's signature field states (after the key ID: 8 bytes, big-endian, then the signature), or
 * null when it is no time a cosignature may state.
 */
export function cosignatureTime(body: Uint8Array): number | null {
  if (body.length < 8) return null;
  const stamp = new DataView(body.buffer, body.byteOffset, 8).getBigUint64(0);
  return stamp > MAX_TIMESTAMP || stamp > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(stamp);
}

/**
 * Checks every signature line of `note` made by one of `keys` (name and key ID match); lines by other keys are ignored.
 * `valid` has one entry per key with a verifying cosignature; `invalid` names each key with a line that does not verify.
 */
export function verifyCosignatures(note: string, keys: readonly CosignerKey[], options: CosignatureOptions = {}): CosignatureResult {
  const verifyEd = options.verify ?? nobleEd25519Verify;
  const parsed = parseNote(note);
  if (!parsed.ok)
    return { valid: [], invalid: keys.map((k) => `${cosignerLabel(k)}: ${parsed.reason}`), invalidKeys: [], malformed: parsed.reason };
  const valid: Cosignature[] = [];
  const invalid: string[] = [];
  const invalidKeys: string[] = [];
  const seen = new Set<string>();
  for (const key of keys) {
    const label = cosignerLabel(key);
    if (seen.has(label)) continue; // a key listed twice is one witness: it counts once
    seen.add(label);
    const lines = parsed.signatures.filter((s) => s.name === key.name && equalBytes(s.keyId, key.keyId));
    let good: Cosignature | undefined;
    for (const { signature: body } of lines) {
      const ok = verifiedTime(key, key.name, body, parsed.text, verifyEd);
      if (ok === null) {
        invalid.push(`cosignature by ${label} does not verify`);
        invalidKeys.push(label);
        good = undefined;
        break;
      }
      good ??= { key, label, timestamp: ok };
    }
    if (good) valid.push(good);
  }
  return { valid, invalid, invalidKeys, malformed: null };
}

/**
 * The time a cosignature line states when its signature field (`body`: time and signature) verifies with `key` over
 * `text`, as signed under `name` (what the line gives: the subtree/v1 message holds it); null when it does not.
 */
function verifiedTime(key: CosignerKey, name: string, body: Uint8Array, text: string, verifyEd: Ed25519Verify): number | null {
  if (body.length !== 8 + SIGNATURE_SIZE[key.type]) return null;
  const timestamp = cosignatureTime(body);
  if (timestamp === null) return null;
  const signature = body.subarray(8);
  try {
    const verified =
      key.type === COSIGNATURE_V1
        ? verifyEd(signature, cosignatureV1Message(text, timestamp), key.publicKey)
        : ml_dsa44.verify(signature, subtreeV1Message(name, timestamp, text), key.publicKey);
    return verified === true ? timestamp : null;
  } catch {
    return null; // a malformed key, signature or checkpoint is a failed verification
  }
}

/** A witness key whose cosignature is on a note under another name: the key's label and the name the line gives. */
export interface MisnamedCosigner {
  key: string;
  signedAs: string;
}

/**
 * The keys of `keys` with no line of their own on `note` whose public key verifies a line under another name: a vkey
 * made with a name other than the one the witness signs with (its key ID differs, so the line is not counted as the
 * key's). An Ed25519 cosignature/v1 message does not hold the name; an ML-DSA-44 subtree/v1 one holds the line's.
 */
export function misnamedCosigners(note: string, keys: readonly CosignerKey[], options: CosignatureOptions = {}): MisnamedCosigner[] {
  const verifyEd = options.verify ?? nobleEd25519Verify;
  const parsed = parseNote(note);
  if (!parsed.ok) return [];
  const out: MisnamedCosigner[] = [];
  for (const key of keys) {
    const own = (s: { name: string; keyId: Uint8Array }) => s.name === key.name && equalBytes(s.keyId, key.keyId);
    if (parsed.signatures.some(own)) continue;
    const other = parsed.signatures.find(({ name, signature }) => verifiedTime(key, name, signature, parsed.text, verifyEd) !== null);
    if (other && !out.some((m) => m.key === cosignerLabel(key))) out.push({ key: cosignerLabel(key), signedAs: other.name });
  }
  return out;
}

/** In English: the witness signs under another name than its vkey gives. */
export const misnamedText = ({ key, signedAs }: MisnamedCosigner) =>
  `the cosignature by ${JSON.stringify(signedAs)} verifies with the key of ${key}: the witness signs as ${JSON.stringify(signedAs)}, so its vkey must be made with that name`;

/**
 * The first key of `keys` listed again (same name and key ID: one witness, which counts once toward a quorum): its
 * place, the place of its first listing and its label; undefined when each is listed once.
 */
export function repeatedCosigner(keys: readonly CosignerKey[]): { index: number; first: number; label: string } | undefined {
  const seen = new Map<string, number>();
  for (const [index, key] of keys.entries()) {
    const label = cosignerLabel(key);
    const first = seen.get(label);
    if (first !== undefined) return { index, first, label };
    seen.set(label, index);
  }
  return undefined;
}

/**
 * Too few witnesses cosigned, as data (the result's `reason` says it in English): how many cosignatures verify, how many
 * are required, the keys whose cosignature does not verify, and why the note is malformed (in English) if it is.
 */
export type QuorumFault = {
  code: 'quorum';
  valid: number;
  quorum: number;
  invalid: string[];
  malformed: string | null;
  /** Witness keys whose cosignature is there under another name (misnamedCosigners). */
  misnamed: MisnamedCosigner[];
};

export type QuorumResult =
  { ok: true; cosignatures: Cosignature[] } | { ok: false; reason: string; cosignatures: Cosignature[]; fault: QuorumFault };

/** At least `quorum` of `witnesses` cosigned the checkpoint (each witness counts once). */
export function checkWitnessQuorum(
  note: string,
  witnesses: readonly CosignerKey[],
  quorum: number,
  options: CosignatureOptions = {},
): QuorumResult {
  const { valid, invalid, invalidKeys, malformed } = verifyCosignatures(note, witnesses, options);
  if (valid.length >= quorum) return { ok: true, cosignatures: valid };
  const misnamed = misnamedCosigners(note, witnesses, options);
  const bad = [...invalid, ...misnamed.map(misnamedText)].map((t) => `; ${t}`).join('');
  return {
    ok: false,
    cosignatures: valid,
    reason: `checkpoint has ${valid.length} valid witness cosignature(s), ${quorum} required${bad}`,
    fault: { code: 'quorum', valid: valid.length, quorum, invalid: invalidKeys, malformed, misnamed },
  };
}

/** What a client trusts about a log: its Ed25519 vkey, optionally its ML-DSA-44 cosigner key, and witnesses with a quorum. */
export interface CheckpointTrust {
  vkey: string | Vkey;
  logMlDsa?: CosignerKey;
  witnesses?: readonly CosignerKey[];
  quorum?: number;
}

/**
 * Why a checkpoint is not accepted with a trust, as data (the result's `reason` says it in English): the checkpoint's
 * own fault, the ML-DSA-44 key is not the log's origin, it made no cosignature on the note or one that does not verify
 * (`malformed`: why the note is malformed, in English, instead), the quorum exceeds the witness keys, or too few cosigned.
 */
export type CosignedFault =
  | CheckpointFault
  | { code: 'ml-dsa-origin'; key: string; origin: string }
  | { code: 'ml-dsa-missing'; key: string }
  | { code: 'ml-dsa-invalid'; key: string; malformed: string | null }
  | { code: 'quorum-keys'; quorum: number; witnesses: number }
  | QuorumFault;

export type CosignedCheckpointVerification =
  | { ok: true; checkpoint: Checkpoint; witnesses: Cosignature[]; logMlDsa: Cosignature | null }
  | { ok: false; reason: string; fault: CosignedFault };

/**
 * A checkpoint as a client with `trust` accepts it: the log's Ed25519 signature, its ML-DSA-44 cosignature when that
 * key is given (it must be the log's origin), and at least `quorum` witness cosignatures when witnesses are given.
 */
export function verifyCosignedCheckpoint(
  note: string,
  trust: CheckpointTrust,
  options: CosignatureOptions = {},
): CosignedCheckpointVerification {
  const verified = verifyCheckpoint(note, trust.vkey, options);
  if (!verified.ok) return verified;
  let logMlDsa: Cosignature | null = null;
  if (trust.logMlDsa) {
    const key = cosignerLabel(trust.logMlDsa);
    if (trust.logMlDsa.name !== verified.checkpoint.origin)
      return {
        ok: false,
        reason: `the ML-DSA-44 key ${key} is not the log's origin`,
        fault: { code: 'ml-dsa-origin', key, origin: verified.checkpoint.origin },
      };
    const pq = verifyCosignatures(note, [trust.logMlDsa], options);
    if (pq.valid.length === 0)
      return pq.invalid.length > 0
        ? { ok: false, reason: pq.invalid[0], fault: { code: 'ml-dsa-invalid', key, malformed: pq.malformed } }
        : { ok: false, reason: `checkpoint has no ML-DSA-44 cosignature by ${key}`, fault: { code: 'ml-dsa-missing', key } };
    logMlDsa = pq.valid[0];
  }
  const witnesses = trust.witnesses ?? [];
  const quorum = trust.quorum ?? witnesses.length;
  if (quorum > witnesses.length)
    return {
      ok: false,
      reason: `a quorum of ${quorum} needs at least as many witness keys, not ${witnesses.length}`,
      fault: { code: 'quorum-keys', quorum, witnesses: witnesses.length },
    };
  const counted = checkWitnessQuorum(note, witnesses, quorum, options);
  if (!counted.ok) return { ok: false, reason: counted.reason, fault: counted.fault };
  return { ok: true, checkpoint: verified.checkpoint, witnesses: counted.cosignatures, logMlDsa };
}
