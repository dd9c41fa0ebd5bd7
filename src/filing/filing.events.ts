import type { AiSignal, InspectionRecord } from '../inspection/file-inspection.js';
import type { DomainEvent } from '../ledger/decider.js';

export { contentStream, filingStream } from '../verifier/event-catalogue.js';

export type GenerationRecord = {
  digitalSourceType: string;
  tool: { name: string; version: string | null; provider: string | null };
  promptHash: string;
  negativePromptHash: string | null;
  parametersHash: string | null;
  parameters: { [key: string]: string | number | boolean } | null;
  seed: string | null;
  iterations: number | null;
  humanContribution: string;
};

export type ProcessEvidenceItem = {
  sha256: string;
  kind: string;
  description: string | null;
  createdAt: string | null;
};

export type PerceptualHash = {
  scheme: 'phash64' | 'pdq256' | 'simhash64';
  value: string;
  /** `computed` by the ledger from the filed file's pixels, or `declared` by the creator (events without it were declared). */
  source?: 'declared' | 'computed';
};

export const perceptualHashSource = (h: PerceptualHash): 'declared' | 'computed' => h.source ?? 'declared';

/** The file a work was filed with, as the ledger inspected it (the file itself is not kept). */
export type FiledFile = InspectionRecord & {
  /** What the creator declared, when the ledger computed another (within the similarity threshold of it). */
  declaredPerceptualHash: PerceptualHash | null;
  /** What the file's own metadata says of AI generation (labels, C2PA, IPTC digital source type). */
  aiSignals: AiSignal[];
};

/** What a creator declares when filing; the decider adds `filedAt`. */
export type FilingDetails = {
  filingId: string;
  creator: string;
  contentHash: string;
  contentType: string;
  title: string;
  generation: GenerationRecord;
  processEvidence: ProcessEvidenceItem[];
  perceptualHash: PerceptualHash | null;
  /** Present when the work was filed with its file (multipart upload). */
  file?: FiledFile;
};

/** An earlier, withdrawn filing of the same content. */
export type PriorFiling = { filingId: string; filedAt: string; withdrawnAt: string };

/** `priorFilings`: present when earlier filings of the content were withdrawn (oldest first). */
export type WorkFiledData = FilingDetails & { filedAt: string; priorFilings?: PriorFiling[] };

/** What an amendment changes: a corrected title, and process evidence or notes on the human contribution added. */
export type FilingAmendment = {
  title: string | null;
  addedProcessEvidence: ProcessEvidenceItem[];
  humanContributionNote: string | null;
};

export type ContentReserved = DomainEvent<'ContentReserved', { contentHash: string; filingId: string; creator: string }>;
/** Stream `content-<sha256>`: the filing holding the content was withdrawn; the content may be filed again. */
export type ContentReleased = DomainEvent<'ContentReleased', { contentHash: string } & PriorFiling>;
/** A distribution copy's bytes, reserved in the commit of their CopyRegistered (on the filing's stream). */
export type CopyReserved = DomainEvent<'CopyReserved', { contentHash: string; filingId: string }>;
export type WorkFiled = DomainEvent<'WorkFiled', WorkFiledData>;
export type FilingWithdrawn = DomainEvent<'FilingWithdrawn', { filingId: string; reason: string | null; withdrawnAt: string }>;

/** Stream `filing-<id>`: a complaint was filed against the filing (with the complaint, in one commit). */
export type FilingDisputed = DomainEvent<'FilingDisputed', { filingId: string; disputeId: string }>;
export type FilingAmended = DomainEvent<'FilingAmended', { filingId: string; amendedAt: string } & FilingAmendment>;

export type FilingEvent = WorkFiled | FilingWithdrawn | FilingDisputed | FilingAmended;
