import { LedgerCommand } from '../ledger/write/request-writes.js';
import type {
  AssignDisputeDto,
  DecideAppealDto,
  DecideDisputeDto,
  FileAppealDto,
  FileComplaintDto,
  SubmitResponseDto,
} from './dispute.dto.js';
import type { UploadedEvidence } from './evidence-files.js';

/** What a write appended: the events' positions and hashes, for the client to keep as evidence. */
export interface DisputeWritten {
  disputeId: string;
  recorded: Array<{ type: string; revision: number; leafIndex: number; eventHash: string; recordedAt: string }>;
}

/** `uploads`: the evidence files uploaded with the complaint (multipart), inspected, by filename. */
export class FileComplaint extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly input: FileComplaintDto,
    readonly actor: string,
    readonly uploads: UploadedEvidence[] = [],
  ) {
    super();
  }
}

export class AssignDispute extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: AssignDisputeDto,
    readonly actor: string,
    readonly actorIsAdmin: boolean,
  ) {
    super();
  }
}

export class SubmitResponse extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: SubmitResponseDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class DecideDispute extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: DecideDisputeDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class FileAppeal extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: FileAppealDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class DecideAppeal extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: DecideAppealDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class WithdrawComplaint extends LedgerCommand<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly reason: string | null,
    readonly actor: string,
  ) {
    super();
  }
}
