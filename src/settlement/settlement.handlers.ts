// Settlement commands: decide with the pure deciders, append through the LedgerWriter (read-your-writes).
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { filingStream } from '../filing/filing.events.js';
import { LedgerWriter } from '../ledger/write/ledger-writer.js';
import type { FlagReviewedData, PolicyPublishedData } from '../verifier/rights-events.js';
import { flagReviewDecider } from './flag-review.decider.js';
import { policyDecider } from '../policy/policy.decider.js';
import { RightsQueries } from './rights.queries.js';
import { PublishPolicy, ReviewFlag, RunSettlement, type PublishedPolicy, type ReviewedFlag } from './settlement.commands.js';
import { POLICY_STREAM } from '../policy/policy.events.js';
import { SettlementService } from './settlement.service.js';
import { ledgerNow } from '../ledger/ledger-clock.js';

@CommandHandler(PublishPolicy)
export class PublishPolicyHandler implements ICommandHandler<PublishPolicy> {
  constructor(private readonly writer: LedgerWriter) {}

  async execute({ effectiveFrom, parameters, actor, writes }: PublishPolicy): Promise<PublishedPolicy> {
    const result = await this.writer.execute(
      POLICY_STREAM,
      policyDecider,
      { type: 'PublishPolicy', effectiveFrom, parameters, now: ledgerNow() },
      { actor },
      { writes },
    );
    const [e] = result.events;
    return { ...(e.data as PolicyPublishedData), leafIndex: e.leafIndex, eventHash: e.hash, recordedAt: e.recordedAt };
  }
}

@CommandHandler(ReviewFlag)
export class ReviewFlagHandler implements ICommandHandler<ReviewFlag> {
  constructor(
    private readonly writer: LedgerWriter,
    private readonly rights: RightsQueries,
  ) {}

  async execute(c: ReviewFlag): Promise<ReviewedFlag> {
    const now = ledgerNow();
    const right = await this.rights.compute(c.filingId, now);
    const result = await this.writer.execute(
      filingStream(c.filingId),
      flagReviewDecider,
      { type: 'ReviewFlag', filingId: c.filingId, flag: c.flag, decision: c.decision, reasoning: c.reasoning, actor: c.actor, right, now },
      { actor: c.actor },
      { writes: c.writes },
    );
    const [e] = result.events;
    const d = e.data as FlagReviewedData;
    return {
      filingId: c.filingId,
      flag: d.flag,
      decision: d.decision,
      reviewedBy: d.reviewedBy,
      reviewedAt: d.reviewedAt,
      leafIndex: e.leafIndex,
      eventHash: e.hash,
      recordedAt: e.recordedAt,
      right: (await this.rights.compute(c.filingId, new Date(d.reviewedAt)))!,
    };
  }
}

@CommandHandler(RunSettlement)
export class RunSettlementHandler implements ICommandHandler<RunSettlement> {
  constructor(private readonly settlements: SettlementService) {}

  execute({ asOf, actor, writes }: RunSettlement) {
    return this.settlements.settle({ asOf, trigger: 'admin', actor, recordEmpty: true, writes });
  }
}

export const SETTLEMENT_HANDLERS = [PublishPolicyHandler, ReviewFlagHandler, RunSettlementHandler];
