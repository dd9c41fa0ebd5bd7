import { LedgerCommand } from '../ledger/write/request-writes.js';
import type { FileReading } from './labeling.decider.js';
import type { DeclareLabelsDto } from './labeling.dto.js';
import type { FileInspection } from '../inspection/file-inspection.js';
import type {
  Aigc,
  CheckOutcome,
  CopyRegisteredData,
  FoundLabel,
  LabelDifference,
  LabelState,
  LabelTier,
  Modality,
} from './labeling.events.js';

interface Recorded {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  labels: { state: LabelState; tier: LabelTier | null };
}

export interface DeclaredLabels extends Recorded {
  version: number;
  modality: Modality;
  /** The complete implicit label, propagation elements filled in by the ledger. */
  implicit: { AIGC: Aigc };
  /** The same label as the JSON text to embed (PNG tEXt/iTXt keyword `AIGC`, XMP `TC260:AIGC`). */
  aigcJson: string;
}

export interface CheckedLabelFile extends Recorded {
  file: { sha256: string; size: number; format: string };
  outcome: CheckOutcome;
  found: FoundLabel[];
  differences: LabelDifference[];
  traces: string[];
  unread: string[];
  declarationVersion: number | null;
  tier: LabelTier | null;
}

export interface RegisteredCopy {
  filingId: string;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  copy: CopyRegisteredData['copy'];
  label: Aigc;
  location: string;
  distance: number;
  threshold: number;
}

export class DeclareLabels extends LedgerCommand<DeclaredLabels> {
  constructor(
    readonly filingId: string,
    readonly input: DeclareLabelsDto,
    readonly actor: string,
  ) {
    super();
  }
}

/** `reviewer`: the actor holds the reviewer role (who may check the file of any filing). */
export class CheckLabelFile extends LedgerCommand<CheckedLabelFile> {
  constructor(
    readonly filingId: string,
    readonly file: FileReading,
    readonly actor: string,
    readonly reviewer = false,
  ) {
    super();
  }
}

export class RegisterCopy extends LedgerCommand<RegisteredCopy> {
  constructor(
    readonly filingId: string,
    readonly copy: FileInspection,
    readonly actor: string,
  ) {
    super();
  }
}
