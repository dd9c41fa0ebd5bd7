// Label events live in the filing's own stream (`filing-<id>`), hash-chained after WorkFiled.
import type { ContainerFormat } from '../inspection/upload-scan.js';
import type { DomainEvent } from '../ledger/decider.js';

export const MODALITIES = ['text', 'image', 'video', 'audio', 'virtual-scene'] as const;
export type Modality = (typeof MODALITIES)[number];

/** The seven fields of the GB 45438-2025 implicit label, in the standard's order. */
export const AIGC_FIELDS = [
  'Label',
  'ContentProducer',
  'ProduceID',
  'ReservedCode1',
  'ContentPropagator',
  'PropagateID',
  'ReservedCode2',
] as const;
export type AigcField = (typeof AIGC_FIELDS)[number];
export type Aigc = { [K in AigcField]: string };

/** Label tier the platform assigns under Article 6: 1 confirmed, 2 possibly, 3 suspected AI-generated. */
export type LabelTier = '1' | '2' | '3';
export type LabelState = 'none' | 'declared' | 'verified';

export type ExplicitLabel = {
  /** What the label says (or, for a voice label, what it speaks); null for a rhythm cue alone. */
  text: string | null;
  placement: string[];
  displaySeconds: number | null;
  textHeightRatio: number | null;
  audioCue: 'voice' | 'rhythm' | null;
  rhythm: string | null;
};

export type LabelsDeclaredData = {
  filingId: string;
  /** 1 for the first declaration, then one more per amendment; earlier versions stay in the stream. */
  version: number;
  modality: Modality;
  explicit: ExplicitLabel;
  /** The complete label, propagation elements filled in by the ledger, for the creator to embed. */
  implicit: { AIGC: Aigc };
  digitalSourceType: string;
  c2paManifestHash: string | null;
  declaredAt: string;
};

export type { ContainerFormat } from '../inspection/upload-scan.js';

/** One place in the file where the label's key `AIGC` was found. */
export type FoundLabel = {
  /** e.g. `png:tEXt:AIGC`, `png:iTXt:AIGC`, `xmp:TC260:AIGC`. */
  location: string;
  /** The label when it is well-formed, else null. */
  aigc: Aigc | null;
  problems: string[];
  /** The start of a malformed value, for the record; null when well-formed. */
  excerpt: string | null;
};

export type LabelDifference = { location: string; field: string; expected: string | null; found: string | null };

export type CheckOutcome = 'found' | 'differs' | 'invalid' | 'not-found' | 'unsupported-format';

export type LabelFileCheckedData = {
  filingId: string;
  /** `registeredCopy`: the file checked is a registered distribution copy of the work, not the filed bytes. */
  file: { sha256: string; size: number; format: ContainerFormat; registeredCopy?: true };
  outcome: CheckOutcome;
  labels: FoundLabel[];
  differences: LabelDifference[];
  /** Other signs of AI generation in the file (IPTC digital source type, a C2PA manifest, a malformed value under the key AIGC). */
  traces: string[];
  /**
   * Metadata the check did not read (over a size limit, a second XMP packet; a key containing AIGC that is not the label's):
   * a "not-found" is only as good as this is empty.
   */
  unread: string[];
  /** The declaration the file was compared with, or null when none was declared. */
  declarationVersion: number | null;
  tier: LabelTier | null;
  checkedAt: string;
};

/**
 * A distribution copy of the filed work, registered by its creator: its bytes differ from the filed ones (the label the
 * ledger handed out is embedded), it carries that label naming this filing, and it looks like the filed work.
 */
export type CopyRegisteredData = {
  filingId: string;
  copy: { sha256: string; size: number; sniffedType: string | null; perceptualHash: { scheme: 'phash64'; value: string } };
  /** The label found in the copy (one the ledger handed out for this filing), and where. */
  label: Aigc;
  location: string;
  /** Bits between the copy's perceptual hash and the filing's computed one, and the threshold of the policy in force. */
  distance: number;
  threshold: number;
  policyVersion: number;
  registeredAt: string;
};

export type LabelsDeclared = DomainEvent<'LabelsDeclared', LabelsDeclaredData>;
export type LabelFileChecked = DomainEvent<'LabelFileChecked', LabelFileCheckedData>;
export type CopyRegistered = DomainEvent<'CopyRegistered', CopyRegisteredData>;
export type LabelEvent = LabelsDeclared | LabelFileChecked | CopyRegistered;

/** Read-model label state after a file check: verified only when the file matched the declaration in force. */
export const labelStateAfterCheck = (d: Pick<LabelFileCheckedData, 'outcome' | 'declarationVersion'>): LabelState =>
  d.declarationVersion === null ? 'none' : d.outcome === 'found' ? 'verified' : 'declared';

/** A declaration alone, not yet checked against the file, is "possibly AI-generated" (Article 6 (2)). */
export const TIER_DECLARED_ONLY: LabelTier = '2';
