// The evidence bundle of a filing: everything needed to check it offline, with nothing else (format in docs/evidence-bundle.md).
import type { LogKeys } from '../ledger/log/attestors.js';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import { cosignerLabel, parseCosignerVkey } from '../verifier/cosignature.js';
import type { EventEnvelope } from '../verifier/envelope.js';

export const EVIDENCE_FORMAT = 'sandbox-ledger/evidence-bundle/v1';

interface BundleProof {
  leafIndex: number;
  treeSize: number;
  hashes: string[];
}

export interface EvidenceBundle {
  format: typeof EVIDENCE_FORMAT;
  filingId: string;
  /** The receipt of the WorkFiled event, under the bundle's checkpoint. */
  receipt: { entry: EventEnvelope; leafIndex: number; treeSize: number; inclusionProof: BundleProof; checkpoint: string };
  /** Every event of the filing's stream, in revision order, each with its inclusion proof under the checkpoint. */
  history: Array<{ entry: EventEnvelope; inclusionProof: BundleProof }>;
  /** The checkpoint: its note with the log's and the witnesses' cosignatures, and its RFC 3161 tokens. */
  checkpoint: { note: string; timestamps: Array<{ time: number; token: string }> };
  keys: {
    log: string;
    logMlDsa44: string;
    /** The witnesses that cosigned the checkpoint. */
    witnesses: string[];
    /** The TSAs' CA certificates (PEM), or null when the checkpoint has no token. */
    tsaCertificates: string | null;
  };
}

export async function evidenceBundle(log: MerkleLog, keys: LogKeys, filingId: string, events: EventEnvelope[]): Promise<EvidenceBundle> {
  const last = events.reduce((max, e) => Math.max(max, e.leafIndex), 0);
  const checkpoint = await log.evidenceCheckpoint(last);
  const history = await Promise.all(
    events.map(async (entry) => ({ entry, inclusionProof: await log.inclusionUnder(entry.leafIndex, checkpoint) })),
  );
  const [filed] = history;
  const cosigners = new Set(checkpoint.cosignatures.map((c) => c.cosigner));
  const timestamps = checkpoint.timestamps.map(({ time, token }) => ({ time, token }));
  return {
    format: EVIDENCE_FORMAT,
    filingId,
    receipt: {
      entry: filed.entry,
      leafIndex: filed.entry.leafIndex,
      treeSize: checkpoint.treeSize,
      inclusionProof: filed.inclusionProof,
      checkpoint: checkpoint.note,
    },
    history,
    checkpoint: { note: checkpoint.note, timestamps },
    keys: {
      log: keys.log,
      logMlDsa44: keys.logMlDsa44,
      witnesses: keys.witnesses.filter((vkey) => cosigners.has(cosignerLabel(parseCosignerVkey(vkey)))),
      tsaCertificates: timestamps.length > 0 ? keys.tsaCertificates : null,
    },
  };
}
