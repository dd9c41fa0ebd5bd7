// What the public page proves about a file, with the project's verifier: each check named, passed or failed, in order.
// Pure but for WebCrypto: the page hands it the file's hash, the lookup and the public receipt it fetched.
import type { TimestampFault } from './timestamp-verifier.js';
import {
  type CheckpointFault,
  type CosignedFault,
  type CosignerKey,
  type ReceiptFault,
  VkeyError,
  type VkeyFault,
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

/** The right's public standing, as the lookup of a content gives it. */
export type PublicRight = NonNullable<PublicStatus['right']>;

/** Statuses under which the holder holds the right (a transferred one is its new holder's); not revoked, withdrawn or expired. */
const HELD: ReadonlySet<string> = new Set(['provisional', 'suspended', 'confirmed', 'transferred']);

/** Whether the holder holds the right now: the public page and the certificate name a holder only then. */
export const isHeld = (right: PublicRight): boolean => HELD.has(right.status);

/** GET /v1/public/content/:sha256/receipt, typed as the server's answer is (src/verifier/public-receipt.ts). */
export type { PublicReceipt } from './verifier.js';

export type CheckId = 'entry' | 'signature' | 'inclusion' | 'pq' | 'witnesses' | 'tsa';
/**
 * `skipped`: nothing to check (no witness or TSA configured: variant `none` for the TSA), or not checkable here (TSA
 * tokens where the browser offers no WebCrypto, outside a secure context: variant `unavailable`).
 */
export type CheckOutcome = 'passed' | 'failed' | 'skipped';
export interface Check {
  id: CheckId;
  outcome: CheckOutcome;
  /** Names the message when an outcome has more than one (`check.<id>.<variant>`). */
  variant?: string;
  /** Values for the check's message (a reason when failed: in English, `fault` says it as data). */
  params: Record<string, string | number>;
  /** Why a failed check failed. */
  fault?: PublicFault;
}

/**
 * Why a check failed, as data, for the page's language (the check's `reason` says it in English): the entry names another
 * filing or not this file, the checkpoint does not verify (with the log's key, its ML-DSA-44 key or the witnesses), the
 * entry or its inclusion proof does not, a published cosigner key is no vkey (`vkey` why, or null for an error of another
 * kind), the ledger publishes no TSA certificate, or a time-stamp does not verify (`fault` null for an error the verifier
 * gives no fault for). `detail` is the verifier's English reason.
 */
export type PublicFault =
  | { code: 'other-filing'; named: string; filingId: string }
  | { code: 'not-this-file'; type: string }
  | { code: 'checkpoint'; fault: CheckpointFault | CosignedFault; detail: string }
  | { code: 'receipt'; fault: ReceiptFault; detail: string }
  | { code: 'key'; vkey: VkeyFault | null; detail: string }
  | { code: 'no-ca' }
  | { code: 'time-stamp'; fault: TimestampFault | null; detail: string };

export type PublicFaultCode = PublicFault['code'];

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

/** WebCrypto's SubtleCrypto is there: a browser offers it only in a secure context (HTTPS, or localhost). */
const timestampCheckAvailable = () => globalThis.crypto?.subtle !== undefined;

const entryNames = (entry: EventEnvelope, fileHash: string, filingId: string): PublicFault | undefined => {
  const data = entry.data as { contentHash?: unknown; filingId?: unknown; copy?: { sha256?: unknown } };
  if (data.filingId !== filingId) return { code: 'other-filing', named: String(data.filingId), filingId };
  if (entry.type === 'ContentReserved' && data.contentHash === fileHash) return undefined;
  if (entry.type === 'CopyRegistered' && data.copy?.sha256 === fileHash) return undefined;
  return { code: 'not-this-file', type: entry.type };
};

/** A failed check's reason in English, from its fault. */
export function publicFaultReason(f: PublicFault): string {
  switch (f.code) {
    case 'other-filing':
      return `the entry names filing ${f.named}, not ${f.filingId}`;
    case 'not-this-file':
      return `the entry (${f.type}) does not name this file's hash`;
    case 'checkpoint':
    case 'receipt':
    case 'key':
    case 'time-stamp':
      return f.detail;
    case 'no-ca':
      return 'the ledger publishes no TSA certificate to check the tokens against';
  }
}

/** `2025-12-02 08:00:02 UTC`. */
const utc = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
/** A TSA's name as its certificate gives it: the common name, else the whole subject. */
/**
 * The checks in order, each stopping at the first failure. Async for the last one only: RFC 3161 tokens are checked with
 * WebCrypto, by the verifier's token code, loaded when a receipt carries tokens.
 */
export async function verifyPublicReceipt(fileHash: string, proof: PublicReceipt): Promise<PublicVerification> {
  const checks: Check[] = [];
  const { receipt, keys } = proof;
  const fail = (id: CheckId, fault: PublicFault): PublicVerification => {
    checks.push({ id, outcome: 'failed', params: { reason: publicFaultReason(fault) }, fault });
    return { ok: false, checks, key: keys.log };
  };
  // 1. The logged entry is about this very file and this filing.
  const wrong = entryNames(receipt.entry, fileHash, proof.filingId);
  if (wrong) return fail('entry', wrong);
  checks.push({ id: 'entry', outcome: 'passed', params: { type: receipt.entry.type } });
  // 2. The log signed the checkpoint with its key.
  const signed = verifyCheckpoint(receipt.checkpoint, keys.log);
  if (!signed.ok) return fail('signature', { code: 'checkpoint', fault: signed.fault, detail: signed.reason });
  const cp = signed.checkpoint;
  checks.push({ id: 'signature', outcome: 'passed', params: { origin: cp.origin, treeSize: cp.treeSize } });
  // 3. The entry hashes to its recorded hash and is the leaf at its index in the tree that checkpoint commits to.
  const included = verifyReceipt(receipt, keys.log);
  if (!included.ok) return fail('inclusion', { code: 'receipt', fault: included.fault, detail: included.reason });
  checks.push({ id: 'inclusion', outcome: 'passed', params: { leafIndex: receipt.leafIndex, treeSize: cp.treeSize } });
  // 4. The log's post-quantum (ML-DSA-44) cosignature, and 5. the witnesses' cosignatures up to the quorum.
  let pqKey: CosignerKey;
  let witnesses: CosignerKey[];
  try {
    pqKey = parseCosignerVkey(keys.logMlDsa44);
    witnesses = keys.witnesses.map((w) => parseCosignerVkey(w));
  } catch (err) {
    return fail('pq', { code: 'key', vkey: err instanceof VkeyError ? err.fault : null, detail: (err as Error).message });
  }
  const pq = verifyCosignedCheckpoint(receipt.checkpoint, { vkey: keys.log, logMlDsa: pqKey });
  if (!pq.ok) return fail('pq', { code: 'checkpoint', fault: pq.fault, detail: pq.reason });
  checks.push({ id: 'pq', outcome: 'passed', params: {} });
  if (witnesses.length === 0) checks.push({ id: 'witnesses', outcome: 'skipped', params: {} });
  else {
    const quorum = keys.witnessQuorum >= 0 ? keys.witnessQuorum : witnesses.length;
    const cosigned = verifyCosignedCheckpoint(receipt.checkpoint, { vkey: keys.log, witnesses, quorum });
    if (!cosigned.ok) return fail('witnesses', { code: 'checkpoint', fault: cosigned.fault, detail: cosigned.reason });
    checks.push({
      id: 'witnesses',
      outcome: 'passed',
      params: { count: cosigned.witnesses.length, quorum, names: cosigned.witnesses.map((w) => w.key.name).join(', ') },
    });
  }
  // 6. The RFC 3161 time-stamps over the checkpoint, against the TSA CA certificates the ledger publishes with the receipt.
  const stamps = receipt.timestamps ?? [];
  if (stamps.length === 0) checks.push({ id: 'tsa', outcome: 'skipped', variant: 'none', params: {} });
  else {
    const listed = { count: stamps.length, times: stamps.map((s) => utc(s.time)).join(', ') };
    // Said so, never claimed: without WebCrypto the tokens are not checked here (the CLI checks them).
    if (!timestampCheckAvailable()) checks.push({ id: 'tsa', outcome: 'skipped', variant: 'unavailable', params: listed });
    else {
      const tsa = await import('./timestamp-verifier.js');
      if (!keys.tsaCertificates) return fail('tsa', { code: 'no-ca' });
      let verified;
      try {
        const cas = tsa.parsePemCertificates(keys.tsaCertificates);
        await tsa.checkTrustAnchors(cas);
        verified = await tsa.checkCheckpointTimestamps(receipt.checkpoint, stamps, cas);
      } catch (err) {
        const fault = (err as { fault?: TimestampFault | null }).fault ?? null;
        return fail('tsa', { code: 'time-stamp', fault, detail: (err as Error).message });
      }
      checks.push({
        id: 'tsa',
        outcome: 'passed',
        params: {
          count: verified.length,
          authorities: [...new Set(verified.map((v) => tsa.authorityName(v.authority)))].join(', '),
          times: verified.map((v) => utc(v.time)).join(', '),
        },
      });
    }
  }
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
