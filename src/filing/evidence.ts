// The evidence bundle of a filing: everything needed to check it offline, with nothing else (format in docs/evidence-bundle.md).
import type { LogKeys } from '../ledger/log/attestors.js';
import type { MerkleLog } from '../ledger/log/merkle-log.js';
import { cosignerLabel, parseCosignerVkey } from '../verifier/cosignature.js';
import type { EventEnvelope } from '../verifier/envelope.js';

export const EVIDENCE_FORMAT = 'sandbox-ledger/evidence-bundle/v2';
/** The first format, without the signed head of the history (`head`): verify-evidence still reads it. */
export const EVIDENCE_FORMAT_V1 = 'sandbox-ledger/evidence-bundle/v1';

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
  /** The log's signed statement that the history is whole under the checkpoint (src/verifier/stream-head.ts). */
  head: string;
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

/**
 * The bundle of a filing whose stream `readEvents` reads. The stream is read again once the checkpoint is chosen: its
 * events below the checkpoint's tree size are then all there are, which the signed head states.
 */
export async function evidenceBundle(
  log: MerkleLog,
  keys: LogKeys,
  filingId: string,
  readEvents: () => Promise<EventEnvelope[]>,
): Promise<EvidenceBundle> {
  const last = (await readEvents()).reduce((max, e) => Math.max(max, e.leafIndex), 0);
  const checkpoint = await log.evidenceCheckpoint(last);
  const events = (await readEvents()).filter((e) => e.leafIndex < checkpoint.treeSize);
  const history = await Promise.all(
    events.map(async (entry) => ({ entry, inclusionProof: await log.inclusionUnder(entry.leafIndex, checkpoint) })),
  );
  const head = log.signStreamHead({
    stream: events[0].stream,
    events: events.length,
    headHash: events[events.length - 1].hash,
    treeSize: checkpoint.treeSize,
  });
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
    head,
    checkpoint: { note: checkpoint.note, timestamps },
    keys: {
      log: keys.log,
      logMlDsa44: keys.logMlDsa44,
      witnesses: keys.witnesses.filter((vkey) => cosigners.has(cosignerLabel(parseCosignerVkey(vkey)))),
      tsaCertificates: timestamps.length > 0 ? keys.tsaCertificates : null,
    },
  };
}
