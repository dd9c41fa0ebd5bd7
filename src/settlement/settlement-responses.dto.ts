// Answers of the policy, rights, settlement and stats endpoints, as the OpenAPI document describes them.
import type { ReviewableFlag, ReviewDecision, RightFlag, RightStatus, RuleId } from '../verifier/rights-rules.js';

export class PolicyVersionRefDto {
  version: number;
  effectiveFrom: string;
}

/** Every sandbox policy version and the one in force at `at`. */
export class PolicyDto {
  at: string;
  inForce: Record<string, unknown>;
  /** The next version published to take effect, or null. */
  next: PolicyVersionRefDto | null;
  versions: Record<string, unknown>[];
}

export class PublishedPolicyDto {
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  version: number;
  effectiveFrom: string;
  /** Every parameter of the version (those left out keep the latest version's values). */
  parameters: Record<string, unknown>;
  publishedAt: string;
}

/** A right as the rules give it at `asOf`: status, holder, the rule and cause that set it, deadlines and flags. */
export class RightDto {
  filingId: string;
  creator: string;
  holder: string;
  status: RightStatus;
  /** The rule that set the status. */
  rule: RuleId;
  /** The event or deadline that caused it. */
  cause: Record<string, unknown>;
  since: string;
  flags: RightFlag[];
  policyVersion: number;
  filedAt: string;
  labelDueAt: string;
  quietUntil: string;
  labelsDeclaredAt: string | null;
  confirmedAt: string | null;
  expiresAt: string | null;
  openDisputes: string[];
  similarity: Record<string, unknown> | null;
  probation: Record<string, unknown> | null;
  asOf: string;
}

/** A right in the register (the read model, as last settled or changed). */
export class RightRowDto {
  filingId: string;
  creator: string;
  holder: string;
  status: string;
  rule: string;
  cause: Record<string, unknown>;
  since: string;
  flags: string[];
  policyVersion: number;
  filedAt: string;
  labelDueAt: string;
  quietUntil: string;
  labelsDeclaredAt: string | null;
  confirmedAt: string | null;
  expiresAt: string | null;
  nearDuplicates: Record<string, unknown>[];
  similarityDecision: string | null;
  probationDecision: string | null;
  asOf: string;
  leafIndex: number;
}

export class RightPageDto {
  items: RightRowDto[];
  nextCursor: string | null;
}

export class ReviewedFlagDto {
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  filingId: string;
  flag: ReviewableFlag;
  decision: ReviewDecision;
  reviewedBy: string;
  reviewedAt: string;
  right: RightDto;
}

/** A settlement run: the instant, the log size and policy it read, and every right it changed. */
export class SettlementDto {
  asOf: string;
  logSize: number;
  policyVersion: number;
  policyVersions: number[];
  changes: Record<string, unknown>[];
  trigger: string;
  /** False when nothing changed (no event appended). */
  recorded: boolean;
  leafIndex: number | null;
  eventHash: string | null;
  recordedAt: string | null;
  revision: number | null;
}

export class SettlementRecordDto {
  revision: number;
  leafIndex: number;
  eventHash: string;
  recordedAt: string;
  actor: string | null;
  asOf: string;
  logSize: number;
  policyVersion: number;
  policyVersions: number[];
  changes: Record<string, unknown>[];
  trigger: string;
}

export class SettlementPageDto {
  items: SettlementRecordDto[];
  nextCursor: string | null;
}

/** Governance figures: filings by status, label compliance, disputes by type and outcome, repeat infringement, similarity flags. */
export class StatsDto {
  at: string;
  policyVersion: number;
  filings: Record<string, unknown>;
  flags: Record<string, unknown>;
  labels: Record<string, unknown>;
  disputes: Record<string, unknown>;
  repeatInfringement: Record<string, unknown>;
  similarity: Record<string, unknown>;
}
