import { LedgerCommand } from '../ledger/write/request-writes.js';
import type { Right } from '../verifier/rights-rules.js';
import type { FileInspection } from '../inspection/file-inspection.js';
import type { AmendFilingDto, FileWorkDto, FileWorkUploadDto } from './filing.dto.js';
import type { FiledFile, PerceptualHash, PriorFiling } from './filing.events.js';

export interface FiledWork {
  filingId: string;
  /** The filing's time and log position: those of its WorkFiled event. */
  filedAt: string;
  leafIndex: number;
  eventHash: string;
  /** When the store committed WorkFiled (its envelope's recordedAt). */
  recordedAt: string;
  /** Earlier, withdrawn filings of the same content. */
  priorFilings: PriorFiling[];
  /** True when the caller already holds this content through a filing a final dispute decision transferred to them (200, nothing appended). */
  alreadyHeld?: boolean;
  /** The right as the sandbox rules give it right after filing (provisional, perhaps flagged). */
  right: Right | { status: 'provisional'; holder: string; since: string; labelDueAt: string; quietUntil: string; policyVersion: number };
  receiptUrl: string;
  /** The content hash filed, and the perceptual hash with its source (computed from the file, or declared). */
  contentHash?: string;
  perceptualHash?: PerceptualHash | null;
  /** What the ledger found in the file of a filing by upload: its type, size, provenance and AI signals. */
  file?: FiledFile;
}

/** `file`: the inspection of the work's file, when it was filed by upload (its metadata may then leave contentHash out). */
export class FileWork extends LedgerCommand<FiledWork> {
  constructor(
    readonly input: FileWorkDto | FileWorkUploadDto,
    readonly actor: string,
    readonly file: FileInspection | null = null,
  ) {
    super();
  }
}

export class AmendFiling extends LedgerCommand<{ filingId: string; amendedAt: string; leafIndex: number; eventHash: string }> {
  constructor(
    readonly filingId: string,
    readonly input: AmendFilingDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class WithdrawFiling extends LedgerCommand<{
  filingId: string;
  status: 'withdrawn';
  withdrawnAt: string;
  leafIndex: number;
  eventHash: string;
}> {
  constructor(
    readonly filingId: string,
    readonly reason: string | null,
    readonly actor: string,
  ) {
    super();
  }
}
