// Answers of the label and copy endpoints, as the OpenAPI document describes them.
import type { CheckedLabelFile, DeclaredLabels, RegisteredCopy } from './labeling.commands.js';
import type { Aigc, CheckOutcome, FoundLabel, LabelDifference, LabelState, LabelTier, Modality } from './labeling.events.js';

export class LabelStateDto {
  state: LabelState;
  tier: LabelTier | null;
}

export class AigcLabelDto implements Aigc {
  Label: string;
  ContentProducer: string;
  ProduceID: string;
  ReservedCode1: string;
  ContentPropagator: string;
  PropagateID: string;
  ReservedCode2: string;
}

export class ImplicitLabelViewDto {
  AIGC: AigcLabelDto;
}

export class DeclaredLabelsDto implements DeclaredLabels {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  labels: LabelStateDto;
  version: number;
  modality: Modality;
  /** The complete implicit label, propagation elements filled in by the ledger. */
  implicit: ImplicitLabelViewDto;
  /** The same label as the JSON text to embed (PNG tEXt/iTXt keyword `AIGC`, XMP `TC260:AIGC`). */
  aigcJson: string;
}

export class CheckedFileDto {
  sha256: string;
  size: number;
  format: string;
}

export class CheckedLabelFileDto implements CheckedLabelFile {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  labels: LabelStateDto;
  file: CheckedFileDto;
  outcome: CheckOutcome;
  found: FoundLabel[];
  differences: LabelDifference[];
  traces: string[];
  unread: string[];
  declarationVersion: number | null;
  tier: LabelTier | null;
}

export class RegisteredCopyDto implements RegisteredCopy {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  copy: RegisteredCopy['copy'];
  label: AigcLabelDto;
  /** Where in the file the label was found. */
  location: string;
  /** Perceptual distance from the filed work, and the policy's threshold. */
  distance: number;
  threshold: number;
}
