// The keys an auditor pins: the log's vkey (and optionally its ML-DSA-44 key), the witnesses' vkeys and their quorum,
// and the CA certificates its TSAs chain to, kept in this browser's localStorage. Once pinned, checkpoints and their
// time-stamps are checked against them, not against what the server serves, and any difference between the two is
// reported: a compromised server cannot swap in keys of its own unnoticed.
import {
  parseCosignerVkey,
  parseVkey,
  COSIGNATURE_V1,
  ML_DSA_44,
  VkeyError,
  type CheckpointTrust,
  type PublishedKeys,
  type VkeyFault,
} from '../../verifier.js';
import type { TimestampError, TimestampFault } from '../../timestamp-verifier.js';

export interface PinnedKeys {
  /** The log's Ed25519 vkey. */
  log: string;
  /** The log's ML-DSA-44 cosigner vkey, or null to leave it unchecked. */
  logMlDsa44: string | null;
  /** Witness cosigner vkeys (Ed25519, type 0x04), in no particular order. */
  witnesses: string[];
  /** How many of them must cosign. */
  quorum: number;
  /** The TSA CA certificates (PEM) time-stamps are checked against, or null to leave time-stamps unchecked. */
  tsaCertificates: string | null;
}

/** What the auditor typed: one field per key, witnesses one per line. */
export interface PinInput {
  log: string;
  logMlDsa44: string;
  witnesses: string;
  quorum: string;
  tsaCertificates: string;
}

/**
 * Why keys were not pinned: a key that is no vkey of its kind (`vkey` says why as data, for the page's language; null
 * for an error of another kind, whose English `reason` is all there is), TSA CA certificates that do not check, or a
 * quorum out of range.
 */
export type PinError =
  | { field: 'log' | 'logMlDsa44'; reason: string; vkey: VkeyFault | null }
  | { field: 'witnesses'; witness: string; reason: string; vkey: VkeyFault | null }
  | { field: 'tsaCertificates'; reason: string; fault: TimestampFault | null }
  | { field: 'quorum'; reason: 'range'; max: number };

const faultOf = (err: unknown): VkeyFault | null => (err instanceof VkeyError ? err.fault : null);

/** PEM text as compared and stored: without surrounding blank space, lines ending in \n. */
const pemText = (pem: string | null | undefined): string | null => {
  const text = (pem ?? '').replace(/\r\n/g, '\n').trim();
  return text === '' ? null : text + '\n';
};

/**
 * The keys as pinned, once each is a well-formed vkey of its kind and the quorum fits the witnesses. The TSA CA text is
 * only taken as given here: `checkPinnedCas` parses and checks it.
 */
export function parsePin(input: PinInput): { ok: true; pinned: PinnedKeys } | { ok: false; error: PinError } {
  const log = input.log.trim();
  try {
    parseVkey(log);
  } catch (err) {
    return { ok: false, error: { field: 'log', reason: (err as Error).message, vkey: faultOf(err) } };
  }
  const logMlDsa44 = input.logMlDsa44.trim() || null;
  if (logMlDsa44 !== null) {
    try {
      if (parseCosignerVkey(logMlDsa44).type !== ML_DSA_44) throw new VkeyError({ problem: 'not-ml-dsa-44' });
    } catch (err) {
      return { ok: false, error: { field: 'logMlDsa44', reason: (err as Error).message, vkey: faultOf(err) } };
    }
  }
  const witnesses = [
    ...new Set(
      input.witnesses
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    ),
  ];
  for (const w of witnesses) {
    try {
      if (parseCosignerVkey(w).type !== COSIGNATURE_V1) throw new VkeyError({ problem: 'not-ed25519-cosigner' });
    } catch (err) {
      return { ok: false, error: { field: 'witnesses', witness: w.split('+')[0], reason: (err as Error).message, vkey: faultOf(err) } };
    }
  }
  const quorumText = input.quorum.trim();
  const quorum = quorumText === '' ? witnesses.length : Number(quorumText);
  if (!Number.isInteger(quorum) || quorum < 0 || quorum > witnesses.length)
    return { ok: false, error: { field: 'quorum', reason: 'range', max: witnesses.length } };
  return { ok: true, pinned: { log, logMlDsa44, witnesses, quorum, tsaCertificates: pemText(input.tsaCertificates) } };
}

/**
 * The pin's TSA CA certificates checked (with the project's verifier, loaded only for them): each one parses and, where
 * this browser has WebCrypto, is validly self-signed. Their names, or the error to show in the form.
 */
export async function checkPinnedCas(pinned: PinnedKeys): Promise<{ ok: true; names: string[] } | { ok: false; error: PinError }> {
  if (pinned.tsaCertificates === null) return { ok: true, names: [] };
  const tsa = await import('../../timestamp-verifier.js');
  try {
    const cas = tsa.parsePemCertificates(pinned.tsaCertificates);
    if (globalThis.crypto?.subtle !== undefined) await tsa.checkTrustAnchors(cas);
    return { ok: true, names: cas.map((ca) => tsa.authorityName(tsa.subjectOf(ca))) };
  } catch (err) {
    return { ok: false, error: { field: 'tsaCertificates', reason: (err as Error).message, fault: (err as TimestampError).fault ?? null } };
  }
}

/**
 * Keys to pin, checked as the form checks them before anything is stored: every key parses, the quorum fits, and the TSA
 * CA certificates pass `checkPinnedCas`. The keys served by the ledger go through it too before one click pins them.
 */
export async function checkPin(input: PinInput): Promise<{ ok: true; pinned: PinnedKeys } | { ok: false; error: PinError }> {
  const parsed = parsePin(input);
  if (!parsed.ok) return parsed;
  const cas = await checkPinnedCas(parsed.pinned);
  return cas.ok ? parsed : cas;
}

/** The served keys, pinned as they are. */
export function pinServed(keys: PublishedKeys): PinnedKeys {
  return {
    log: keys.log.trim(),
    logMlDsa44: keys.logMlDsa44.trim() || null,
    witnesses: [...new Set(keys.witnesses.map((w) => w.trim()))],
    quorum: keys.witnessQuorum,
    tsaCertificates: pemText(keys.tsaCertificates),
  };
}

export function trustOfPinned(pinned: PinnedKeys): CheckpointTrust {
  return {
    vkey: pinned.log,
    logMlDsa: pinned.logMlDsa44 === null ? undefined : parseCosignerVkey(pinned.logMlDsa44),
    witnesses: pinned.witnesses.map((w) => parseCosignerVkey(w)),
    quorum: pinned.quorum,
  };
}

/**
 * How the served keys differ from the pinned ones; empty when they agree (an unpinned ML-DSA-44 key or TSA CA is not
 * compared).
 */
export type KeyDifference = 'log' | 'logMlDsa44' | 'witnesses' | 'quorum' | 'tsaCertificates';

export function keyDifferences(served: PublishedKeys, pinned: PinnedKeys): KeyDifference[] {
  const out: KeyDifference[] = [];
  if (served.log.trim() !== pinned.log) out.push('log');
  if (pinned.logMlDsa44 !== null && served.logMlDsa44.trim() !== pinned.logMlDsa44) out.push('logMlDsa44');
  const servedWitnesses = new Set(served.witnesses.map((w) => w.trim()));
  if (servedWitnesses.size !== pinned.witnesses.length || pinned.witnesses.some((w) => !servedWitnesses.has(w))) out.push('witnesses');
  if (served.witnessQuorum !== pinned.quorum) out.push('quorum');
  if (pinned.tsaCertificates !== null && certificateSet(served.tsaCertificates) !== certificateSet(pinned.tsaCertificates))
    out.push('tsaCertificates');
  return out;
}

/** The certificates of PEM text as a set (each one's base64 without line breaks, sorted): wrapping and order do not count. */
const certificateSet = (pem: string | null): string =>
  [...(pem ?? '').matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)]
    .map(([, body]) => body.replace(/\s/g, ''))
    .sort()
    .join(' ');

/** The pin as the form shows it. */
export function pinInputOf(pinned: PinnedKeys | null): PinInput {
  return {
    log: pinned?.log ?? '',
    logMlDsa44: pinned?.logMlDsa44 ?? '',
    witnesses: pinned?.witnesses.join('\n') ?? '',
    quorum: pinned ? String(pinned.quorum) : '',
    tsaCertificates: pinned?.tsaCertificates ?? '',
  };
}

const STORAGE_KEY = 'sandbox-ledger.auditor.pinned-keys';

/** The pinned keys, or null when none are (or what is stored is not a valid pin). */
export function loadPin(): PinnedKeys | null {
  let stored: string | null;
  try {
    stored = localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
  if (stored === null) return null;
  try {
    const p = JSON.parse(stored) as Partial<PinnedKeys>;
    const parsed = parsePin({
      log: typeof p.log === 'string' ? p.log : '',
      logMlDsa44: typeof p.logMlDsa44 === 'string' ? p.logMlDsa44 : '',
      witnesses: Array.isArray(p.witnesses) ? p.witnesses.filter((w) => typeof w === 'string').join('\n') : '',
      quorum: typeof p.quorum === 'number' ? String(p.quorum) : '',
      tsaCertificates: typeof p.tsaCertificates === 'string' ? p.tsaCertificates : '',
    });
    return parsed.ok ? parsed.pinned : null;
  } catch {
    return null;
  }
}

/** Stores the pin (null removes it); false when this browser refuses storage (the pin then lasts for this page only). */
export function savePin(pinned: PinnedKeys | null): boolean {
  try {
    if (pinned === null) localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, JSON.stringify(pinned));
    return true;
  } catch {
    return false;
  }
}
