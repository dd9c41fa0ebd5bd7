// C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the signed note text of a Merkle tree head.
// Framework-free: runs in Node and in a browser.
import { hexToBytes } from '@noble/hashes/utils.js';
import {
  base64Decode,
  base64Encode,
  isValidKeyName,
  signNote,
  verifyNote,
  type SignNoteOptions,
  type NoteFault,
  type VerifyNoteOptions,
  type Vkey,
} from './note.js';
import { HASH_SIZE } from './rfc6962.js';

export interface CheckpointInput {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array | string; // 32 bytes, or 64 hex digits
  time?: number; // unix seconds, written as the extension line `time <n>`
}

export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
  extensions: string[]; // every line after the root hash, `time …` included
  time?: number;
}

/**
 * Why a checkpoint does not verify, as data (the failure's `reason` says it in English): the note's fault, or its text
 * is no checkpoint (the reason says how), or its origin is not the key's name.
 */
export type CheckpointFault = NoteFault | { code: 'malformed-checkpoint' } | { code: 'origin'; origin: string; keyName: string };
export type CheckpointVerification = { ok: true; checkpoint: Checkpoint } | { ok: false; reason: string; fault: CheckpointFault };

const DECIMAL = /^(?:0|[1-9][0-9]*)$/;

/** `<origin>\n<size>\n<base64 root>\n` and, when `time` is given, `time <unix seconds>\n`. */
export function formatCheckpointBody(input: CheckpointInput): string {
  const { origin, treeSize, time } = input;
  const rootHash = typeof input.rootHash === 'string' ? hexToBytes(input.rootHash) : input.rootHash;
  if (typeof origin !== 'string' || origin.length === 0 || origin.includes('\n'))
    throw new SyntaxError('origin must be one non-empty line');
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new RangeError(`invalid tree size ${treeSize}`);
  if (rootHash.length !== HASH_SIZE) throw new RangeError('root hash must be 32 bytes');
  const lines = [origin, String(treeSize), base64Encode(rootHash)];
  if (time !== undefined) {
    if (!Number.isSafeInteger(time) || time < 0) throw new RangeError(`invalid time ${time}`);
    lines.push(`time ${time}`);
  }
  return lines.join('\n') + '\n';
}

/** Parses checkpoint note text (not a signed note); throws SyntaxError when it is not a checkpoint. */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new SyntaxError('checkpoint text must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new SyntaxError('checkpoint needs an origin, a tree size and a root hash');
  const [origin, size, root, ...extensions] = lines;
  if (origin.length === 0) throw new SyntaxError('checkpoint origin is empty');
  if (!DECIMAL.test(size) || !Number.isSafeInteger(Number(size)))
    throw new SyntaxError('checkpoint tree size is not a decimal without leading zeroes');
  let rootHash: Uint8Array;
  try {
    rootHash = base64Decode(root);
  } catch {
    throw new SyntaxError('checkpoint root hash is not base64');
  }
  if (rootHash.length !== HASH_SIZE) throw new SyntaxError('checkpoint root hash is not 32 bytes');
  if (extensions.some((line) => line.length === 0)) throw new SyntaxError('checkpoint extension lines must be non-empty');
  const checkpoint: Checkpoint = { origin, treeSize: Number(size), rootHash, extensions };
  const timeLine = extensions.find((line) => line.startsWith('time '));
  if (timeLine !== undefined) {
    const seconds = timeLine.slice('time '.length);
    if (!DECIMAL.test(seconds) || !Number.isSafeInteger(Number(seconds))) throw new SyntaxError('checkpoint time is not a decimal');
    checkpoint.time = Number(seconds);
  }
  return checkpoint;
}

/** Signs a checkpoint with the log key; the key name is the origin. */
export function signCheckpoint(input: CheckpointInput, secretKey: Uint8Array, options: SignNoteOptions = {}): string {
  if (!isValidKeyName(input.origin)) throw new SyntaxError('origin must be a valid key name (no spaces, no +)');
  return signNote(formatCheckpointBody(input), input.origin, secretKey, options);
}

/** Verifies the note signature by `vkey`, that the origin is the key name, and parses the checkpoint. */
export function verifyCheckpoint(note: string, vkey: string | Vkey, options: VerifyNoteOptions = {}): CheckpointVerification {
  const verified = verifyNote(note, vkey, options);
  if (!verified.ok) return verified;
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(verified.text);
  } catch (err) {
    return { ok: false, reason: (err as Error).message, fault: { code: 'malformed-checkpoint' } };
  }
  const keyName = typeof vkey === 'string' ? vkey.trim().split('+')[0] : vkey.name;
  if (checkpoint.origin !== keyName)
    return {
      ok: false,
      reason: `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the key name ${JSON.stringify(keyName)}`,
      fault: { code: 'origin', origin: checkpoint.origin, keyName },
    };
  return { ok: true, checkpoint };
}
