// Answers of the label and copy endpoints, as the OpenAPI document describes them.
import type { DeclaredLabels } from './labeling.commands.js';
import type { Aigc, CheckOutcome, LabelState, LabelTier, Modality } from './labeling.events.js';

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

export class CheckedLabelFileDto {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  labels: LabelStateDto;
  file: CheckedFileDto;
  outcome: CheckOutcome;
  /** The labels found in the file, where. */
  found: Record<string, unknown>[];
  /** How they differ from the declaration. */
  differences: Record<string, unknown>[];
  traces: string[];
  unread: string[];
  declarationVersion: number | null;
  tier: LabelTier | null;
}

export class RegisteredCopyDto {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  /** The copy: its SHA-256, size, type and perceptual hash. */
  copy: Record<string, unknown>;
  label: AigcLabelDto;
  /** Where in the file the label was found. */
  location: string;
  /** Perceptual distance from the filed work, and the policy's threshold. */
  distance: number;
  threshold: number;
}
