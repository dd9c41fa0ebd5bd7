// C2SP signed-note (c2sp.org/signed-note) with Ed25519 signatures (type 0x01), and C2SP vkeys.
// Framework-free: runs in Node and in a browser.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { nobleSha256, type Sha256 } from './envelope.js';
import { equalBytes } from './rfc6962.js';

/** Verifies an Ed25519 signature (argument order as @noble/curves); the Node side may inject node:crypto's. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;
/** Signs with a 32-byte Ed25519 secret key (seed). */
export type Ed25519Sign = (message: Uint8Array, secretKey: Uint8Array) => Uint8Array;

// zip215: false is RFC 8032 strict verification, which is what OpenSSL (node:crypto) does: both sides accept the same signatures.
export const nobleEd25519Verify: Ed25519Verify = (signature, message, publicKey) =>
  ed25519.verify(signature, message, publicKey, { zip215: false });
export const nobleEd25519Sign: Ed25519Sign = (message, secretKey) => ed25519.sign(message, secretKey);

export const ED25519_SIGNATURE_TYPE = 0x01;
const EM_DASH_SPACE = '\u2014 ';
const MAX_NOTE_LENGTH = 1 << 20;
const MAX_SIGNATURES = 100; // C2SP signed-note asks verifiers to accept at least 16

// ---- base64 (RFC 4648 §4, padded): @noble/hashes has none, and atob/btoa exist in Node ≥ 16 and every browser.

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function base64Encode(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** Strict decode: standard alphabet, padding required, unused bits zero (so every byte string has one encoding). */
export function base64Decode(text: string): Uint8Array {
  if (typeof text !== 'string' || !BASE64.test(text)) throw new SyntaxError('not padded standard base64');
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  if (base64Encode(bytes) !== text) throw new SyntaxError('non-canonical base64');
  return bytes;
}

// ---- keys

export interface Vkey {
  name: string;
  keyId: Uint8Array; // 4 bytes
  publicKey: Uint8Array; // 32 bytes
}

/**
 * What is wrong with a vkey, as data: a reader in another language words it from this (the error's message says it in
 * English). `not-*` names the kind of key that was wanted; `key-size` a key's type and the size a key of that type has.
 */
export type VkeyFault =
  | {
      problem:
        | 'format'
        | 'name'
        | 'key-id-digits'
        | 'base64'
        | 'key-id'
        | 'not-ed25519'
        | 'not-cosigner'
        | 'not-ml-dsa-44'
        | 'not-ed25519-cosigner';
    }
  | { problem: 'key-size'; keyType: number; bytes: number };
export type VkeyProblem = VkeyFault['problem'];

const VKEY: Record<VkeyProblem, true> = {
  format: true,
  name: true,
  'key-id-digits': true,
  base64: true,
  'key-id': true,
  'not-ed25519': true,
  'not-cosigner': true,
  'not-ml-dsa-44': true,
  'not-ed25519-cosigner': true,
  'key-size': true,
};
/** Every problem a vkey can have (keyed above, so that the type checker keeps the list whole). */
export const VKEY_PROBLEMS = Object.keys(VKEY) as VkeyProblem[];

/** The English message of a vkey's fault. */
export function vkeyReason(f: VkeyFault): string {
  switch (f.problem) {
    case 'format':
      return 'vkey must be <name>+<hex key ID>+<base64 key>';
    case 'name':
      return 'vkey has an invalid key name';
    case 'key-id-digits':
      return 'vkey key ID must be 8 lowercase hex digits';
    case 'base64':
      return 'vkey key is not base64';
    case 'key-id':
      return 'vkey key ID does not match its name and key';
    case 'not-ed25519':
      return 'vkey is not an Ed25519 (type 0x01) key';
    case 'not-cosigner':
      return 'vkey is not a cosigner key (type 0x04 Ed25519 or 0x06 ML-DSA-44)';
    case 'not-ml-dsa-44':
      return 'vkey is not an ML-DSA-44 (type 0x06) key';
    case 'not-ed25519-cosigner':
      return 'vkey is not an Ed25519 cosigner (type 0x04) key';
    case 'key-size':
      return `a type 0x0${f.keyType} vkey holds a ${f.bytes}-byte key`;
  }
}

/** A vkey that does not parse (or is not of the kind wanted): `fault` says why as data. */
export class VkeyError extends SyntaxError {
  constructor(readonly fault: VkeyFault) {
    super(vkeyReason(fault));
  }
}

/** Key names are non-empty and contain neither Unicode spaces nor '+'. */
export const isValidKeyName = (name: unknown): name is string =>
  typeof name === 'string' && name.length > 0 && !/[\s+]/u.test(name) && isWellFormedNoteText(name);

/** key ID = SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key)[:4]. */
export function keyId(name: string, publicKey: Uint8Array, sha256: Sha256 = nobleSha256): Uint8Array {
  return sha256(concatBytes(utf8ToBytes(name), Uint8Array.of(0x0a, ED25519_SIGNATURE_TYPE), publicKey)).slice(0, 4);
}

/** `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`. */
export function formatVkey(name: string, publicKey: Uint8Array, sha256: Sha256 = nobleSha256): string {
  if (!isValidKeyName(name)) throw new SyntaxError(`invalid key name ${JSON.stringify(name)}`);
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) throw new RangeError('Ed25519 public key must be 32 bytes');
  const typed = concatBytes(Uint8Array.of(ED25519_SIGNATURE_TYPE), publicKey);
  return `${name}+${bytesToHex(keyId(name, publicKey, sha256))}+${base64Encode(typed)}`;
}

/** Parses a vkey (surrounding whitespace ignored); throws a VkeyError (a SyntaxError) unless it is a well-formed Ed25519 vkey whose key ID matches. */
export function parseVkey(text: string, sha256: Sha256 = nobleSha256): Vkey {
  // Only the first two '+' separate fields: the base64 key may contain '+' itself.
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
  if (typed.length !== 33 || typed[0] !== ED25519_SIGNATURE_TYPE) throw new VkeyError({ problem: 'not-ed25519' });
  const publicKey = typed.slice(1);
  const id = keyId(name, publicKey, sha256);
  if (bytesToHex(id) !== idHex) throw new VkeyError({ problem: 'key-id' });
  return { name, keyId: id, publicKey };
}

// ---- notes

export interface NoteSignature {
  name: string;
  keyId: Uint8Array; // the first 4 bytes of the decoded signature field
  signature: Uint8Array; // the rest
}

export type ParsedNote = { ok: true; text: string; signatures: NoteSignature[] } | { ok: false; reason: string };

/**
 * Why a note does not verify, as data (`reason` says it in English): the key is no vkey (`vkey`: why, or null for an
 * error of another kind), the note is malformed (the reason says how), or no signature by the key is on it, or one does
 * not verify (`key`: the key's name and ID).
 */
export type NoteFault =
  | { code: 'vkey'; vkey: VkeyFault | null }
  | { code: 'malformed-note' }
  | { code: 'no-signature'; key: string }
  | { code: 'bad-signature'; key: string };
export type NoteVerification = { ok: true; text: string } | { ok: false; reason: string; fault: NoteFault };

const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/; // no lookbehind: older Safari

/** Encodable as UTF-8 and free of ASCII control characters other than newline. */
function isWellFormedNoteText(s: string): boolean {
  return !CONTROL_EXCEPT_NEWLINE.test(s) && !LONE_SURROGATE.test(s);
}

/** A text without the byte-order mark a Windows editor puts before it (no part of a note, nor of a JSON text). */
export const withoutByteOrderMark = (text: string): string => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * A signed note (or a tlog-proof, which ends with one) as a file or a download holds it, in the form it was signed in. A
 * note ends with exactly one newline and has no carriage return nor byte-order mark, and the verifier holds it to that,
 * but a copy of one often gains them: another newline at the end (`jq -r`, `echo`, an editor), CRLF line breaks and a
 * leading byte-order mark (a Windows editor or transfer). Those are taken out here; nothing else is changed. Safe: a
 * note's text holds neither, so the signatures are checked over the very text that was signed, or fail.
 */
export function noteAsSaved(text: string): string {
  let note = withoutByteOrderMark(text);
  if (note.includes('\r\n')) note = note.replace(/\r\n/g, '\n');
  let end = note.length;
  while (end >= 2 && note[end - 1] === '\n' && note[end - 2] === '\n') end--;
  return note.slice(0, end);
}

/** Splits a note into its text (with its final newline) and its signature lines; checks the format only, not signatures. */
export function parseNote(note: string): ParsedNote {
  const bad = (reason: string): ParsedNote => ({ ok: false, reason: `malformed note: ${reason}` });
  if (typeof note !== 'string') return bad('not a string');
  if (note.length > MAX_NOTE_LENGTH) return bad('too long');
  if (!isWellFormedNoteText(note)) return bad('control character or invalid UTF-16');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return bad('no blank line before the signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) return bad('signature block does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return bad(`more than ${MAX_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_SPACE)) return bad('signature line does not start with an em dash and a space');
    const rest = line.slice(EM_DASH_SPACE.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? '' : rest.slice(0, space);
    if (!isValidKeyName(name)) return bad('signature line has an invalid key name');
    let bytes: Uint8Array;
    try {
      bytes = base64Decode(rest.slice(space + 1));
    } catch {
      return bad('signature is not base64');
    }
    if (bytes.length < 5) return bad('signature is shorter than a key ID and one byte');
    signatures.push({ name, keyId: bytes.slice(0, 4), signature: bytes.slice(4) });
  }
  return { ok: true, text, signatures };
}

export interface SignNoteOptions {
  publicKey?: Uint8Array; // derived from the secret key when absent
  sign?: Ed25519Sign;
  sha256?: Sha256;
}

/** `text` + blank line + `— <name> <base64(key ID ‖ Ed25519 signature over text)>` + newline. */
export function signNote(text: string, name: string, secretKey: Uint8Array, options: SignNoteOptions = {}): string {
  const { sign = nobleEd25519Sign, sha256 = nobleSha256 } = options;
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new SyntaxError('note text must end with a newline');
  if (!isWellFormedNoteText(text)) throw new SyntaxError('note text must be valid UTF-8 without control characters other than newline');
  if (!isValidKeyName(name)) throw new SyntaxError(`invalid key name ${JSON.stringify(name)}`);
  const publicKey = options.publicKey ?? ed25519.getPublicKey(secretKey);
  const signature = sign(utf8ToBytes(text), secretKey);
  return `${text}\n${EM_DASH_SPACE}${name} ${base64Encode(concatBytes(keyId(name, publicKey, sha256), signature))}\n`;
}

export interface VerifyNoteOptions {
  verify?: Ed25519Verify;
  sha256?: Sha256;
}

/**
 * Verifies a note against one trusted key: signatures by other keys (another name or key ID) are ignored,
 * every signature by this key must verify, and at least one must be present.
 */
export function verifyNote(note: string, vkey: string | Vkey, options: VerifyNoteOptions = {}): NoteVerification {
  const { verify = nobleEd25519Verify, sha256 = nobleSha256 } = options;
  let key: Vkey;
  try {
    key = typeof vkey === 'string' ? parseVkey(vkey, sha256) : vkey;
  } catch (err) {
    const vkey = err instanceof VkeyError ? err.fault : null;
    return { ok: false, reason: `bad verifier key: ${(err as Error).message}`, fault: { code: 'vkey', vkey } };
  }
  const parsed = parseNote(note);
  if (!parsed.ok) return { ...parsed, fault: { code: 'malformed-note' } };
  const ours = parsed.signatures.filter((s) => s.name === key.name && equalBytes(s.keyId, key.keyId));
  const label = `${key.name}+${bytesToHex(key.keyId)}`;
  if (ours.length === 0) return { ok: false, reason: `note has no signature by ${label}`, fault: { code: 'no-signature', key: label } };
  const message = utf8ToBytes(parsed.text);
  for (const s of ours) {
    if (s.signature.length !== 64 || !safeVerify(verify, s.signature, message, key.publicKey)) {
      return { ok: false, reason: `signature by ${label} does not verify`, fault: { code: 'bad-signature', key: label } };
    }
  }
  return { ok: true, text: parsed.text };
}

function safeVerify(verify: Ed25519Verify, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return verify(signature, message, publicKey) === true;
  } catch {
    return false; // malformed points or keys are a failed verification, not a crash
  }
}
