// What the configuration asks of each new checkpoint beyond the log's own signatures: TSA tokens and witness cosignatures.
import { readFileSync } from 'node:fs';
import type { AppConfig } from '../../config.js';
import { parsePemCertificates } from '../../verifier/timestamp-token.js';
import { cosignerLabel, formatCosignerVkey, ML_DSA_44, parseCosignerVkey } from '../../verifier/cosignature.js';
import { formatVkey } from '../../verifier/note.js';
import type { PublishedKeys } from '../../verifier/public-receipt.js';
import { CheckpointTimestamps } from './checkpoint-timestamps.js';
import { CheckpointWitnesses } from './checkpoint-witnesses.js';
import type { MerkleLog, WitnessPolicy } from './merkle-log.js';
import type { MerkleTreeStore } from './merkle-tree.store.js';
import type { MlDsaKey, SigningKey } from './signing-key.js';

export interface CheckpointAttestors {
  stop(): void;
}

/** What GET /v1/ledger/keys publishes (the shape clients check checkpoints with, src/verifier/public-receipt.ts). */
export type LogKeys = PublishedKeys;

export function logKeys(config: AppConfig, key: SigningKey, mlDsa: MlDsaKey): LogKeys {
  return {
    log: formatVkey(config.origin, key.publicKey),
    logMlDsa44: formatCosignerVkey(config.origin, ML_DSA_44, mlDsa.publicKey),
    witnesses: config.witnesses.map((w) => w.vkey),
    witnessQuorum: config.witnessQuorum,
    tsaCertificates: config.tsaCaFile ? readFileSync(config.tsaCaFile, 'utf8') : null,
  };
}

/** The witness policy of the configuration, or undefined when no witness is configured. */
export function witnessPolicy(config: AppConfig): WitnessPolicy | undefined {
  if (config.witnesses.length === 0) return undefined;
  return {
    cosigners: config.witnesses.map((w) => cosignerLabel(parseCosignerVkey(w.vkey))),
    quorum: config.witnessQuorum,
    waitMs: config.witnessWaitMs,
  };
}

/** Starts feeding every checkpoint the log signs to the configured TSAs and witnesses, in the background. */
export function startAttestors(config: AppConfig, log: MerkleLog, tree: MerkleTreeStore): CheckpointAttestors {
  const signedAt = new Map<number, number>(); // when each recent checkpoint was signed, for the latency histogram
  const timestamps =
    config.tsaUrls.length === 0
      ? null
      : new CheckpointTimestamps(
          tree,
          {
            urls: config.tsaUrls,
            trustedCas: parsePemCertificates(readFileSync(config.tsaCaFile!, 'utf8')),
            intervalS: config.tsaIntervalS,
            timeoutMs: config.tsaTimeoutMs,
          },
          signedAt,
        );
  const witnesses =
    config.witnesses.length === 0
      ? null
      : new CheckpointWitnesses(
          tree,
          (from, to) => log.consistencyProof(from, to),
          { witnesses: config.witnesses, timeoutMs: config.witnessTimeoutMs },
          signedAt,
          () => log.attestationStored(),
        );
  if (timestamps || witnesses) {
    log.onCheckpoint((c) => {
      signedAt.set(c.treeSize, Date.now());
      if (signedAt.size > 1000) signedAt.delete(signedAt.keys().next().value!);
      timestamps?.offer(c);
      witnesses?.offer(c);
    });
  }
  return {
    stop: () => {
      timestamps?.stop();
      witnesses?.stop();
    },
  };
}
