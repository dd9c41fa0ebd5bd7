// Answers of the filing endpoints, as the OpenAPI document describes them (their schemas come from these properties).
import { EventEnvelopeDto, InclusionProofDto, ReceiptDto } from '../ledger/ledger-responses.dto.js';
import type { PublicReceipt, PublishedKeys } from '../verifier/public-receipt.js';
import type { PriorFiling } from './filing.events.js';

export class PriorFilingDto implements PriorFiling {
  filingId: string;
  filedAt: string;
  withdrawnAt: string;
}

export class PerceptualHashViewDto {
  scheme: 'phash64' | 'pdq256' | 'simhash64';
  /** Hex. */
  value: string;
  /** `computed` from the filed file's pixels, or `declared` by the creator. */
  source: 'declared' | 'computed';
}

/** The right as the sandbox rules give it: status, holder, deadlines and flags (see the event catalogue for every field). */
export class RightViewDto {
  status: string;
  holder: string;
  since: string;
  labelDueAt: string;
  quietUntil: string;
  policyVersion: number;
  flags?: string[];
}

export class FiledWorkDto {
  filingId: string;
  /** The filing's time: that of its WorkFiled event. */
  filedAt: string;
  leafIndex: number;
  eventHash: string;
  /** When the store committed WorkFiled. */
  recordedAt: string;
  /** Earlier, withdrawn filings of the same content. */
  priorFilings: PriorFilingDto[];
  /** True (with status 200) when the caller already holds this content through a transferred right: nothing appended. */
  alreadyHeld?: boolean;
  right: RightViewDto;
  /** Where to fetch the receipt. */
  receiptUrl: string;
  contentHash?: string;
  perceptualHash?: PerceptualHashViewDto | null;
  /** Filed by upload: what the ledger found in the file (type, size, provenance, AI signals). */
  file?: Record<string, unknown>;
}

export class FilingAmendedDto {
  filingId: string;
  amendedAt: string;
  leafIndex: number;
  eventHash: string;
}

export class FilingWithdrawnDto {
  filingId: string;
  status: 'withdrawn';
  withdrawnAt: string;
  leafIndex: number;
  eventHash: string;
}

export class FilingLabelsDto {
  state: 'none' | 'declared' | 'verified';
  labelDueAt: string;
  /** 1 confirmed, 2 possibly, 3 suspected AI-generated; null before any label or check. */
  tier: '1' | '2' | '3' | null;
  /** The label declaration in force. */
  declared: Record<string, unknown> | null;
  /** The latest label file check. */
  lastCheck: Record<string, unknown> | null;
}

export class PartyDto {
  id: string;
  /** Null when the principal is unknown. */
  name: string | null;
}

/** A filing as the filings list shows it. */
export class FilingDto {
  filingId: string;
  contentHash: string;
  contentType: string;
  title: string;
  /** The creator's principal id. */
  creator: string;
  status: 'active' | 'withdrawn';
  filedAt: string;
  leafIndex: number;
  eventHash: string;
  /**
   * The generation record as filed (digitalSourceType, tool, promptHash, …); a `seed` filed as a number is written as a
   * string, in decimal.
   */
  generation: Record<string, unknown>;
  processEvidence: Record<string, unknown>[];
  perceptualHash: PerceptualHashViewDto | null;
  /** Filed by upload: what the ledger found in the file; null for a filing by JSON. */
  file: Record<string, unknown> | null;
  labels: FilingLabelsDto;
  withdrawnAt: string | null;
  withdrawReason: string | null;
  priorFilings: PriorFilingDto[];
  amended: boolean;
  amendedAt: string | null;
  humanContributionNotes: string[];
}

/** A filing as its readers see it: with the creator's name and who holds its right now. */
export class FilingViewDto extends FilingDto {
  creatorName: string | null;
  holder: PartyDto;
}

export class FilingPageDto {
  items: FilingDto[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export class FilingHistoryDto {
  filingId: string;
  events: EventEnvelopeDto[];
}

export class ReceiptFilingDto {
  filingId: string;
  filedAt: string;
  leafIndex: number;
  /** Who holds the right now (not covered by the proof). */
  holder: PartyDto;
}

export class FilingReceiptDto {
  entry: EventEnvelopeDto;
  leafIndex: number;
  treeSize: number;
  inclusionProof: InclusionProofDto;
  /** The signed checkpoint note. */
  checkpoint: string;
  timestamps?: Record<string, unknown>[];
  filing: ReceiptFilingDto;
}

export class EvidenceHistoryItemDto {
  entry: EventEnvelopeDto;
  inclusionProof: InclusionProofDto;
}

/** Everything `sandbox-ledger verify-evidence` needs to check a filing offline. */
export class EvidenceBundleDto {
  format: string;
  filingId: string;
  receipt: Record<string, unknown>;
  history: EvidenceHistoryItemDto[];
  /** The log's signed note that the history is the stream's whole, under the checkpoint. */
  head: string;
  checkpoint: Record<string, unknown>;
  keys: Record<string, unknown>;
}

export class CopyMatchDto {
  registeredAt: string;
  leafIndex: number;
  eventHash: string;
}

/** Whether content is filed: the live filing of it (else the latest withdrawn one), or the filing that registered it as a copy. */
export class PublicContentDto {
  contentHash: string;
  filed: boolean;
  match: 'content' | 'copy';
  filingId: string;
  status: 'active' | 'withdrawn';
  filedAt: string;
  leafIndex: number;
  labelState: 'none' | 'declared' | 'verified';
  labelTier: '1' | '2' | '3' | null;
  /** Who holds the right now; null for a withdrawn filing. */
  holder: PartyDto | null;
  priorFilings: PriorFilingDto[];
  /** A copy's filing: the content hash it filed. */
  filedContentHash?: string;
  copy?: CopyMatchDto;
}

export class PublicLabelsDto {
  state: 'none' | 'declared' | 'verified';
  tier: '1' | '2' | '3' | null;
  version: number | null;
  implicit: Record<string, unknown> | null;
}

export class PublicCopyDto {
  sha256: string;
  registeredAt: string;
  leafIndex: number;
}

/** What anyone may know of a filing. */
export class PublicFilingDto {
  filingId: string;
  contentHash: string;
  contentType: string;
  title: string;
  status: 'active' | 'withdrawn';
  filedAt: string;
  leafIndex: number;
  eventHash: string;
  withdrawnAt: string | null;
  digitalSourceType: string | null;
  perceptualHash: PerceptualHashViewDto | null;
  file: Record<string, unknown> | null;
  labels: PublicLabelsDto;
  copies: PublicCopyDto[];
  holder: PartyDto | null;
}

/** What the inspection found in a file and which filings it matches; nothing recorded. */
export class InspectionDto {
  sha256: string;
  size: number;
  /** The type read from the file's signature. */
  sniffedType: string | null;
  image: Record<string, unknown> | null;
  perceptualHash: Record<string, unknown> | null;
  /** AIGC labels, C2PA manifest and IPTC source types found in the file. */
  provenance: Record<string, unknown>;
  aiSignals: Record<string, unknown>[];
  matches: Record<string, unknown>;
  recorded: false;
}

/** The keys a public receipt is checked with, as GET /v1/ledger/keys publishes them (the TSA CA only when time-stamped). */
export class PublicReceiptKeysDto implements PublishedKeys {
  log: string;
  logMlDsa44: string;
  witnesses: string[];
  witnessQuorum: number;
  tsaCertificates: string | null;
}

/** Proof anyone can check that content is in the log: the receipt of its ContentReserved (or a copy's CopyRegistered) and the keys. */
export class PublicReceiptDto implements PublicReceipt {
  contentHash: string;
  match: 'content' | 'copy';
  filingId: string;
  receipt: ReceiptDto;
  keys: PublicReceiptKeysDto;
}
