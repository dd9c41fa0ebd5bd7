import { LedgerCommand } from '../ledger/write/request-writes.js';
import type { Right, PolicyParameters, ReviewableFlag, ReviewDecision } from '../verifier/rights-rules.js';
import type { ParameterChanges } from '../policy/policy.decider.js';
import type { SettlementResult } from './settlement.service.js';

interface Recorded {
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
}

export interface PublishedPolicy extends Recorded {
  version: number;
  effectiveFrom: string;
  parameters: PolicyParameters;
  publishedAt: string;
}
export interface ReviewedFlag extends Recorded {
  filingId: string;
  flag: ReviewableFlag;
  decision: ReviewDecision;
  reviewedBy: string;
  reviewedAt: string;
  right: Right;
}

export class PublishPolicy extends LedgerCommand<PublishedPolicy> {
  constructor(
    readonly effectiveFrom: Date,
    readonly parameters: ParameterChanges,
    readonly actor: string,
  ) {
    super();
  }
}

export class ReviewFlag extends LedgerCommand<ReviewedFlag> {
  constructor(
    readonly filingId: string,
    readonly flag: ReviewableFlag,
    readonly decision: ReviewDecision,
    readonly reasoning: string,
    readonly actor: string,
  ) {
    super();
  }
}

export class RunSettlement extends LedgerCommand<SettlementResult> {
  constructor(
    readonly asOf: Date | undefined,
    readonly actor: string,
  ) {
    super();
  }
}
