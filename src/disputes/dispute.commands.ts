import { Command } from '@nestjs/cqrs';
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
export class FileComplaint extends Command<DisputeWritten> {
  constructor(
    readonly input: FileComplaintDto,
    readonly actor: string,
    readonly uploads: UploadedEvidence[] = [],
  ) {
    super();
  }
}

export class AssignDispute extends Command<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: AssignDisputeDto,
    readonly actor: string,
    readonly actorIsAdmin: boolean,
  ) {
    super();
  }
}

export class SubmitResponse extends Command<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: SubmitResponseDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class DecideDispute extends Command<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: DecideDisputeDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class FileAppeal extends Command<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: FileAppealDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class DecideAppeal extends Command<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly input: DecideAppealDto,
    readonly actor: string,
  ) {
    super();
  }
}

export class WithdrawComplaint extends Command<DisputeWritten> {
  constructor(
    readonly disputeId: string,
    readonly reason: string | null,
    readonly actor: string,
  ) {
    super();
  }
}
