// What the public page proves about a file, with the project's verifier: each check named, passed or failed, in order.
// Pure: the page hands it the file's hash, the lookup and the public receipt it fetched.
import {
  type CosignerKey,
  type EventEnvelope,
  type PublicReceipt,
  parseCosignerVkey,
  verifyCheckpoint,
  verifyCosignedCheckpoint,
  verifyReceipt,
} from './verifier.js';

/** GET /v1/public/content/:sha256 */
export interface PublicStatus {
  contentHash: string;
  filed: true;
  match: 'content' | 'copy';
  filingId: string;
  status: 'active' | 'withdrawn';
  filedAt: string;
  leafIndex: number;
  labelState: 'none' | 'declared' | 'verified';
  labelTier: '1' | '2' | '3' | null;
  holder: { id: string; name: string | null } | null;
  right: { status: string; flags: string[]; since: string; labelDueAt: string; quietUntil: string; expiresAt: string | null } | null;
  filedContentHash?: string;
  copy?: { registeredAt: string; leafIndex: number; eventHash: string };
}

/** GET /v1/public/content/:sha256/receipt, typed as the server's answer is (src/verifier/public-receipt.ts). */
export type { PublicReceipt } from './verifier.js';

export type CheckId = 'entry' | 'signature' | 'inclusion' | 'pq' | 'witnesses' | 'tsa';
/** `skipped`: nothing to check (no witness or TSA configured) or not checkable here (TSA tokens in a browser). */
export type CheckOutcome = 'passed' | 'failed' | 'skipped';
export interface Check {
  id: CheckId;
  outcome: CheckOutcome;
  /** Names the message when an outcome has more than one (`check.<id>.<variant>`). */
  variant?: string;
  /** Values for the check's message (a reason when failed). */
  params: Record<string, string | number>;
}

export interface PublicVerification {
  ok: boolean;
  checks: Check[];
  /** The log's vkey the receipt was checked against (as the ledger publishes it). */
  key: string;
  /** The proven facts, when ok. */
  treeSize?: number;
  checkpointTime?: number;
  recordedAt?: string;
  leafIndex?: number;
  entryType?: string;
}

const entryNames = (entry: EventEnvelope, fileHash: string, filingId: string): string | undefined => {
  const data = entry.data as { contentHash?: unknown; filingId?: unknown; copy?: { sha256?: unknown } };
  if (data.filingId !== filingId) return `the entry names filing ${String(data.filingId)}, not ${filingId}`;
  if (entry.type === 'ContentReserved' && data.contentHash === fileHash) return undefined;
  if (entry.type === 'CopyRegistered' && data.copy?.sha256 === fileHash) return undefined;
  return `the entry (${entry.type}) does not name this file's hash`;
};

export function verifyPublicReceipt(fileHash: string, proof: PublicReceipt): PublicVerification {
  const checks: Check[] = [];
  const { receipt, keys } = proof;
  const fail = (id: CheckId, reason: string): PublicVerification => {
    checks.push({ id, outcome: 'failed', params: { reason } });
    return { ok: false, checks, key: keys.log };
  };
  // 1. The logged entry is about this very file and this filing.
  const wrong = entryNames(receipt.entry, fileHash, proof.filingId);
  if (wrong) return fail('entry', wrong);
  checks.push({ id: 'entry', outcome: 'passed', params: { type: receipt.entry.type } });
  // 2. The log signed the checkpoint with its key.
  const signed = verifyCheckpoint(receipt.checkpoint, keys.log);
  if (!signed.ok) return fail('signature', signed.reason);
  const cp = signed.checkpoint;
  checks.push({ id: 'signature', outcome: 'passed', params: { origin: cp.origin, treeSize: cp.treeSize } });
  // 3. The entry hashes to its recorded hash and is the leaf at its index in the tree that checkpoint commits to.
  const included = verifyReceipt(receipt, keys.log);
  if (!included.ok) return fail('inclusion', included.reason);
  checks.push({ id: 'inclusion', outcome: 'passed', params: { leafIndex: receipt.leafIndex, treeSize: cp.treeSize } });
  // 4. The log's post-quantum (ML-DSA-44) cosignature, and 5. the witnesses' cosignatures up to the quorum.
  let pqKey: CosignerKey;
  let witnesses: CosignerKey[];
  try {
    pqKey = parseCosignerVkey(keys.logMlDsa44);
    witnesses = keys.witnesses.map((w) => parseCosignerVkey(w));
  } catch (err) {
    return fail('pq', (err as Error).message);
  }
  const pq = verifyCosignedCheckpoint(receipt.checkpoint, { vkey: keys.log, logMlDsa: pqKey });
  if (!pq.ok) return fail('pq', pq.reason);
  checks.push({ id: 'pq', outcome: 'passed', params: {} });
  if (witnesses.length === 0) checks.push({ id: 'witnesses', outcome: 'skipped', params: {} });
  else {
    const quorum = keys.witnessQuorum >= 0 ? keys.witnessQuorum : witnesses.length;
    const cosigned = verifyCosignedCheckpoint(receipt.checkpoint, { vkey: keys.log, witnesses, quorum });
    if (!cosigned.ok) return fail('witnesses', cosigned.reason);
    checks.push({
      id: 'witnesses',
      outcome: 'passed',
      params: { count: cosigned.witnesses.length, quorum, names: cosigned.witnesses.map((w) => w.key.name).join(', ') },
    });
  }
  // 6. RFC 3161 tokens need X.509 and CMS checks the browser verifier does not do: said so, never claimed.
  const stamps = receipt.timestamps ?? [];
  checks.push({
    id: 'tsa',
    outcome: 'skipped',
    variant: stamps.length === 0 ? 'none' : undefined,
    params: { count: stamps.length, times: stamps.map((s) => new Date(s.time * 1000).toISOString()).join(', ') },
  });
  return {
    ok: true,
    checks,
    key: keys.log,
    treeSize: cp.treeSize,
    checkpointTime: cp.time,
    recordedAt: receipt.entry.recordedAt,
    leafIndex: receipt.leafIndex,
    entryType: receipt.entry.type,
  };
}
