import type { DomainEvent } from '../ledger/decider.js';

export const filingStream = (filingId: string) => `filing-${filingId}`;
/** Reservation stream: appended with `no-stream`, so the store itself enforces first filing. */
export const contentStream = (contentHash: string) => `content-${contentHash}`;

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
}

export type ProcessEvidenceItem = {
  sha256: string;
  kind: string;
  description: string | null;
  createdAt: string | null;
}

export type PerceptualHash = {
  scheme: 'phash64' | 'pdq256' | 'simhash64';
  value: string;
}

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
};

export type WorkFiledData = FilingDetails & { filedAt: string };

export type ContentReserved = DomainEvent<'ContentReserved', { contentHash: string; filingId: string; creator: string }>;
export type WorkFiled = DomainEvent<'WorkFiled', WorkFiledData>;
export type FilingWithdrawn = DomainEvent<'FilingWithdrawn', { filingId: string; reason: string | null; withdrawnAt: string }>;

export type FilingEvent = WorkFiled | FilingWithdrawn;
