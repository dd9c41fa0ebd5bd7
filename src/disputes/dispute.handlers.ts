// Dispute commands: read the facts the decider needs, then decide and append through the LedgerWriter (read-your-writes).
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { uuidv7 } from '../common/ids.js';
import type { EventStore, StreamAppend } from '../ledger/event-store/event-store.port.js';
import { filingStream } from '../filing/filing.events.js';
import { LedgerWriter, type ExecuteOptions, type Written } from '../ledger/write/ledger-writer.js';
import { EVENT_STORE } from '../ledger/ledger.tokens.js';
import { PolicyService } from '../policy/policy.service.js';
import { PERCEPTUAL_INDEX, type PerceptualIndex } from '../inspection/perceptual-index.js';
import {
  AssignDispute,
  DecideAppeal,
  DecideDispute,
  FileAppeal,
  FileComplaint,
  SubmitResponse,
  WithdrawComplaint,
  type DisputeWritten,
} from './dispute.commands.js';
import { disputeDecider, type DisputeCommand, type DisputeState } from './dispute.decider.js';
import { disputeStream, type DisputeEvent, type DisputePolicy } from './dispute.events.js';
import { filedAiWorksAmong, nearAiWorksOf, principalRoles, readFiling, type FilingRecord } from './dispute.facts.js';
import { evidenceItems } from './evidence-files.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../filing/filing-safeguards.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

const written = (disputeId: string, result: Written<DisputeEvent>): DisputeWritten => ({
  disputeId,
  recorded: result.decided.map((e) => ({
    type: e.type,
    revision: e.revision,
    leafIndex: e.leafIndex,
    eventHash: e.hash,
    recordedAt: e.recordedAt,
  })),
});

/** The deadline parameters of the policy in force at `now`; recorded in ComplaintFiled so later policy changes never apply retroactively. */
async function policyInForce(policies: PolicyService, now: Date): Promise<DisputePolicy> {
  const { version, responseDays, decisionSlaDays, appealDays } = await policies.inForceAt(now);
  return { version, responseDays, decisionSlaDays, appealDays };
}

async function run(
  writer: LedgerWriter,
  disputeId: string,
  command: DisputeCommand,
  actor: string,
  options: ExecuteOptions<DisputeEvent, DisputeState> = {},
) {
  // A filing answers its right from the disputes read model (its creator's upheld disputes) without waiting for it, so a
  // dispute's write is answered once the read models show it.
  const after = { waitForReadModels: true, ...options };
  return written(disputeId, await writer.execute(disputeStream(disputeId), disputeDecider, command, { actor }, after));
}

/**
 * An opened complaint marks its filing disputed in the same commit, at the revision the facts were read at: a withdrawal
 * racing the complaint loses (the filing's withdrawal is refused while a complaint is open).
 */
const markFilingDisputed =
  (target: FilingRecord | null, disputeId: string, actor: string) =>
  (events: DisputeEvent[]): StreamAppend[] =>
    target && events.some((e) => e.type === 'ComplaintFiled') && !events.some((e) => e.type === 'ComplaintReturned')
      ? [
          {
            stream: filingStream(target.filingId),
            expectedRevision: target.revision,
            events: [{ type: 'FilingDisputed', data: { filingId: target.filingId, disputeId }, meta: { actor } }],
          },
        ]
      : [];

@CommandHandler(FileComplaint)
export class FileComplaintHandler implements ICommandHandler<FileComplaint> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly policies: PolicyService,
    @Inject(PERCEPTUAL_INDEX) private readonly perceptual: PerceptualIndex,
    @Inject(FILING_SAFEGUARDS) private readonly safeguards: FilingSafeguards,
  ) {}

  async execute({ input, actor, uploads, writes }: FileComplaint): Promise<DisputeWritten> {
    const disputeId = uuidv7();
    const now = ledgerNow();
    const evidence = evidenceItems(
      (input.evidence ?? []).map((e) => ({
        sha256: e.sha256,
        file: e.file,
        description: e.description,
        declaredAiGenerated: e.declaredAiGenerated,
      })),
      uploads,
    );
    const [target, targetRight, basis, filedAiWorks, nearAiWorks, policy] = await Promise.all([
      readFiling(this.store, input.filingId),
      this.safeguards.rightAt(input.filingId, now),
      input.basisFilingId ? readFiling(this.store, input.basisFilingId) : Promise.resolve(null),
      filedAiWorksAmong(
        this.store,
        evidence.map((e) => e.sha256),
      ),
      nearAiWorksOf(this.store, this.perceptual, evidence, now),
      policyInForce(this.policies, now),
    ]);
    return run(
      this.writer,
      disputeId,
      {
        type: 'FileComplaint',
        complaint: {
          disputeId,
          type: input.type,
          filingId: input.filingId,
          complainant: actor,
          claim: input.claim,
          basisFilingId: input.basisFilingId ?? null,
          evidence,
        },
        target,
        targetRight: targetRight && { status: targetRight.status, holder: targetRight.holder },
        basis,
        filedAiWorks,
        nearAiWorks,
        policy,
        now,
      },
      actor,
      { extra: markFilingDisputed(target, disputeId, actor), writes },
    );
  }
}

@CommandHandler(AssignDispute)
export class AssignDisputeHandler implements ICommandHandler<AssignDispute> {
  constructor(
    private readonly writer: LedgerWriter,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  async execute({ disputeId, input, actor, actorIsAdmin, writes }: AssignDispute): Promise<DisputeWritten> {
    // Naming no reviewer takes the dispute for oneself: a reviewer need not know their own id.
    const reviewerId = input.reviewerId ?? actor;
    const reviewerRoles = await principalRoles(this.store, reviewerId);
    const command = { type: 'AssignDispute' as const, disputeId, actor, actorIsAdmin, reviewerId, reviewerRoles, now: ledgerNow() };
    return run(this.writer, disputeId, command, actor, { writes });
  }
}

@CommandHandler(SubmitResponse)
export class SubmitResponseHandler implements ICommandHandler<SubmitResponse> {
  constructor(private readonly writer: LedgerWriter) {}

  execute({ disputeId, input, actor, writes }: SubmitResponse): Promise<DisputeWritten> {
    const evidence = (input.evidence ?? []).map((e) => ({ sha256: e.sha256, description: e.description }));
    return run(
      this.writer,
      disputeId,
      { type: 'SubmitResponse', disputeId, actor, statement: input.statement, evidence, now: ledgerNow() },
      actor,
      { writes },
    );
  }
}

@CommandHandler(DecideDispute)
export class DecideDisputeHandler implements ICommandHandler<DecideDispute> {
  constructor(private readonly writer: LedgerWriter) {}

  execute({ disputeId, input, actor, writes }: DecideDispute): Promise<DisputeWritten> {
    return run(
      this.writer,
      disputeId,
      {
        type: 'DecideDispute',
        disputeId,
        actor,
        outcome: input.outcome,
        remedy: input.remedy ?? null,
        reasoning: input.reasoning,
        now: ledgerNow(),
      },
      actor,
      { writes },
    );
  }
}

@CommandHandler(FileAppeal)
export class FileAppealHandler implements ICommandHandler<FileAppeal> {
  constructor(private readonly writer: LedgerWriter) {}

  execute({ disputeId, input, actor, writes }: FileAppeal): Promise<DisputeWritten> {
    return run(this.writer, disputeId, { type: 'FileAppeal', disputeId, actor, grounds: input.grounds, now: ledgerNow() }, actor, {
      writes,
    });
  }
}

@CommandHandler(DecideAppeal)
export class DecideAppealHandler implements ICommandHandler<DecideAppeal> {
  constructor(private readonly writer: LedgerWriter) {}

  execute({ disputeId, input, actor, writes }: DecideAppeal): Promise<DisputeWritten> {
    return run(
      this.writer,
      disputeId,
      {
        type: 'DecideAppeal',
        disputeId,
        actor,
        ruling: input.ruling,
        remedy: input.remedy ?? null,
        reasoning: input.reasoning,
        now: ledgerNow(),
      },
      actor,
      { writes },
    );
  }
}

@CommandHandler(WithdrawComplaint)
export class WithdrawComplaintHandler implements ICommandHandler<WithdrawComplaint> {
  constructor(private readonly writer: LedgerWriter) {}

  execute({ disputeId, reason, actor, writes }: WithdrawComplaint): Promise<DisputeWritten> {
    return run(this.writer, disputeId, { type: 'WithdrawComplaint', disputeId, actor, reason, now: ledgerNow() }, actor, { writes });
  }
}

export const DISPUTE_HANDLERS = [
  FileComplaintHandler,
  AssignDisputeHandler,
  SubmitResponseHandler,
  DecideDisputeHandler,
  FileAppealHandler,
  DecideAppealHandler,
  WithdrawComplaintHandler,
];
