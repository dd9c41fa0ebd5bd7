// What the creator page reads and writes, typed after the ledger's answers; every call goes through web/src/api.ts.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { useEffect, useState } from 'preact/hooks';
import { api, apiBlob, ApiError } from '../../api.js';

/** GET /v1/me */
export interface Me {
  principalId: string;
  name: string;
  roles: string[];
}

/** An item of GET /v1/filings (the filing resource). */
export interface Filing {
  filingId: string;
  contentHash: string;
  contentType: string;
  title: string;
  creator: string;
  status: 'active' | 'withdrawn';
  filedAt: string;
  leafIndex: number;
  file: { sniffedType?: string; size?: number } | null;
  /** `computed` from the file when the work was filed with it; copies are compared with that one only. */
  perceptualHash: { scheme: string; value: string; source: 'declared' | 'computed' } | null;
  labels: { state: 'none' | 'declared' | 'verified'; labelDueAt: string | null; tier: string | null };
  withdrawnAt: string | null;
}

/** A principal as the ledger names it (name null when unknown). */
export interface Party {
  id: string;
  name: string | null;
}

/** GET /v1/filings/:id: the filing resource with its creator's name and who holds its right now. */
export interface FilingView extends Filing {
  creatorName: string | null;
  holder: Party;
}

/** GET /v1/rights/:filingId (the fields the list shows). */
export interface Right {
  creator: string;
  /** The creator, or the complainant a final `transfer` gave the right to. */
  holder: string;
  status: string;
  /** The rule that set the status (the register's RuleId). */
  rule: string;
  flags: string[];
  since: string;
  labelDueAt: string;
  /** When the labels in force were declared; null while none are. */
  labelsDeclaredAt: string | null;
  quietUntil: string;
  /** When the right was confirmed (it stays so through a suspension); null while it never was. */
  confirmedAt: string | null;
  expiresAt: string | null;
  openDisputes: string[];
}

/** POST /v1/filings */
export interface Filed {
  filingId: string;
  filedAt: string;
  leafIndex: number;
  alreadyHeld?: boolean;
}

/** POST /v1/filings/:id/labels */
export interface DeclaredLabels {
  version: number;
  modality: string;
  aigcJson: string;
  leafIndex: number;
}

/** POST /v1/filings/:id/copies */
export interface RegisteredCopy {
  copy: { sha256: string };
  distance: number;
  threshold: number;
  leafIndex: number;
}

/** The IPTC digital source types the ledger accepts (src/domain-rules/digital-source-types.ts), AI-generated ones first. */
export { IPTC_DIGITAL_SOURCE_TYPE as IPTC, SOURCE_TYPE_CODES as SOURCE_TYPES } from '../../domain-rules.js';

/** SHA-256 of text as UTF-8: a prompt is hashed here and never sent. */
export const sha256OfText = (text: string) => bytesToHex(sha256(utf8ToBytes(text)));

/** The ledger's MIME rule for contentType (lowercase type/subtype). */
export const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

export const fetchMe = () => api<Me>('/v1/me');

/**
 * Who the key in use is (GET /v1/me), read again whenever `hasKey` or `keyVersion` (bumped when another key is put in)
 * changes; the ledger's refusal as `error`. Null while there is no key or the answer has not come.
 */
/** Who the key in the tab is; `refused`: the ledger refused that key (401), which the key panel says. */
export function useMe(hasKey: boolean, keyVersion = 0): { me: Me | null; error: unknown; refused: boolean } {
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setMe(null);
    setError(null);
    if (!hasKey) return;
    let live = true;
    fetchMe().then(
      (m) => live && setMe(m),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [hasKey, keyVersion]);
  return { me, error, refused: error instanceof ApiError && error.status === 401 };
}
export const listFilings = (creator: string, cursor?: string) =>
  api<{ items: Filing[]; nextCursor: string | null }>(
    `/v1/filings?creator=${encodeURIComponent(creator)}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );
export const fetchRight = (filingId: string) => api<Right>(`/v1/rights/${encodeURIComponent(filingId)}`);
export const fetchFiling = (filingId: string) => api<FilingView>(`/v1/filings/${encodeURIComponent(filingId)}`);
/** The register's rows of the rights transferred to `holder` by a final dispute decision, in filing order. */
export const listTransferredTo = (holder: string, cursor?: string) =>
  api<{ items: Array<{ filingId: string }>; nextCursor: string | null }>(
    `/v1/rights?holder=${encodeURIComponent(holder)}&status=transferred&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
  );

/** Files a work: JSON with the hash computed here, or multipart (`metadata` first, then `file`) for the ledger to inspect. */
export function fileWork(body: Record<string, unknown>, upload?: File): Promise<Filed> {
  if (!upload) return api<Filed>('/v1/filings', { method: 'POST', body });
  const form = new FormData();
  form.append('metadata', JSON.stringify(body));
  form.append('file', upload, upload.name);
  return api<Filed>('/v1/filings', { method: 'POST', body: form });
}

export const declareLabels = (filingId: string, body: Record<string, unknown>) =>
  api<DeclaredLabels>(`/v1/filings/${encodeURIComponent(filingId)}/labels`, { method: 'POST', body });

export function registerCopy(filingId: string, file: File): Promise<RegisteredCopy> {
  const form = new FormData();
  form.append('file', file, file.name);
  return api<RegisteredCopy>(`/v1/filings/${encodeURIComponent(filingId)}/copies`, { method: 'POST', body: form });
}

/** Fetches with the tab's key and saves the answer as a file (a plain link could not carry the key). */
export async function download(path: string, fileName: string): Promise<void> {
  const blob = await apiBlob(path);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
