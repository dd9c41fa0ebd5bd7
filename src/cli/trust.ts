// What the verifier commands trust, from their options: the log's vkeys, witnesses and a quorum, the TSAs' CAs.
import type { Certificate } from 'pkijs';
import {
  checkCheckpointTimestamps,
  checkTrustAnchors,
  parsePemCertificates,
  type CarriedTimestamp,
  type VerifiedTimestamp,
} from '../verifier/timestamp-token.js';
import type { Checkpoint } from '../verifier/checkpoint.js';
import {
  type CheckpointTrust,
  type Cosignature,
  COSIGNATURE_V1,
  cosignerLabel,
  ML_DSA_44,
  parseCosignerVkey,
  repeatedCosigner,
  verifyCosignedCheckpoint,
} from '../verifier/cosignature.js';
import { nativeEd25519Verify, nativeSha256 } from './native-crypto.js';
import { readText, readVkey } from './sources.js';
import { UsageError } from './usage-error.js';

export interface TrustArgs {
  vkey: string;
  pqVkey?: string;
  witnesses?: string[];
  witnessQuorum?: string;
  tsaCa?: string;
}

export interface Trust extends CheckpointTrust {
  tsaCas: Certificate[] | null;
}

/** What is trusted beside the log's own key: witnesses and their quorum, the log's ML-DSA-44 key, the TSAs' CAs. */
export type Cosigners = Omit<Trust, 'vkey'>;

export async function loadTrust(args: TrustArgs): Promise<Trust> {
  const cosigners = await loadCosigners(args);
  return { vkey: await readVkey(args.vkey), ...cosigners };
}

/** The options beside --vkey, read and checked: a mistake in them is a usage error (exit 2), a key that cannot be read exit 1. */
export async function loadCosigners(args: Omit<TrustArgs, 'vkey'>): Promise<Cosigners> {
  const given = args.witnesses?.length ?? 0;
  // A quorum of 0 would accept a checkpoint no witness cosigned while the ok line says it was checked against witnesses.
  const quorum = args.witnessQuorum === undefined ? given : Number(args.witnessQuorum);
  if (args.witnessQuorum !== undefined && (!/^\d+$/.test(args.witnessQuorum) || !Number.isSafeInteger(quorum) || quorum < 1))
    throw new UsageError(`--witness-quorum must be a whole number of at least 1, not ${JSON.stringify(args.witnessQuorum)}`);
  if (quorum > given)
    throw new UsageError(
      `--witness-quorum ${quorum} needs at least ${quorum} --witness ${quorum === 1 ? 'key' : 'keys'}, and ${given === 0 ? 'none is' : `only ${given} ${given === 1 ? 'is' : 'are'}`} given`,
    );
  const witnesses = await Promise.all(
    (args.witnesses ?? []).map(async (w) => {
      try {
        return parseCosignerVkey(await readVkey(w));
      } catch (err) {
        // As for --vkey: a file or key that cannot be used is not a mistake in the command line (exit 1, no usage).
        throw new Error(`--witness ${w}: ${(err as Error).message.replace(`${w}: `, '')}`, { cause: err });
      }
    }),
  );
  // A witness cosigns with an Ed25519 key of its own (cosignature/v1): an ML-DSA-44 key is the log's (--pq-vkey), and
  // taken as a witness, it would count the log's own signature as a witness's.
  const notWitness = witnesses.find((w) => w.type !== COSIGNATURE_V1);
  if (notWitness)
    throw new UsageError(
      `--witness ${cosignerLabel(notWitness)} is not an Ed25519 cosigner (type 0x04) key: a witness cosigns with one of its own (an ML-DSA-44 key is the log's, given with --pq-vkey)`,
    );
  // A witness named twice would count twice toward the quorum.
  const twice = repeatedCosigner(witnesses);
  if (twice) throw new UsageError(`--witness ${twice.label} is given twice: each witness counts once toward the quorum`);
  let logMlDsa;
  if (args.pqVkey) {
    logMlDsa = parseCosignerVkey(await readVkey(args.pqVkey));
    if (logMlDsa.type !== ML_DSA_44) throw new UsageError('--pq-vkey must be an ML-DSA-44 (type 0x06) vkey');
  }
  const tsaCas = args.tsaCa ? await readTrustAnchors(await readText(args.tsaCa), args.tsaCa) : null;
  return { logMlDsa, witnesses, quorum, tsaCas };
}

/**
 * The CA certificates of a PEM file, each checked as a trust anchor; what is wrong with them names the file (the text
 * alone does not say which option gave it).
 */
async function readTrustAnchors(text: string, source: string): Promise<Certificate[]> {
  try {
    const cas = parsePemCertificates(text);
    await checkTrustAnchors(cas);
    return cas;
  } catch (err) {
    throw new Error(`--tsa-ca ${source}: ${(err as Error).message}`, { cause: err });
  }
}

export type CheckedCheckpoint =
  | { ok: true; checkpoint: Checkpoint; witnesses: Cosignature[]; logMlDsa: Cosignature | null; timestamps: VerifiedTimestamp[] }
  | { ok: false; reason: string };

/** A checkpoint note and its tokens as `trust` accepts them; tokens are checked only when TSA CAs are trusted. */
export async function checkCheckpoint(note: string, tokens: readonly CarriedTimestamp[], trust: Trust): Promise<CheckedCheckpoint> {
  const verified = verifyCosignedCheckpoint(note, trust, { sha256: nativeSha256, verify: nativeEd25519Verify });
  if (!verified.ok) return verified;
  if (!trust.tsaCas) return { ...verified, timestamps: [] };
  try {
    return { ...verified, timestamps: await checkCheckpointTimestamps(note, tokens, trust.tsaCas) };
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
}

/** An instant given in seconds since the epoch, as ISO 8601; one beyond the dates JavaScript holds (±8.64e12 s) as the number. */
export function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} s after 1970-01-01T00:00:00Z` : date.toISOString().replace('.000Z', 'Z');
}
