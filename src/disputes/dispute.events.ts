// Dispute events: one stream per complaint, `dispute-<id>`, hash-chained like every other stream.
import type { AiSignal, InspectionRecord } from '../inspection/file-inspection.js';
import type { AppealParty, DisputeType, Outcome, Remedy } from '../domain-rules/disputes.js';
import type { DomainEvent } from '../ledger/decider.js';

export { disputeStream } from '../verifier/event-catalogue.js';

// Types, outcomes, remedies and rulings are the shared dispute rules (src/domain-rules/disputes.ts, also the console's).
export {
  DISPUTE_TYPES,
  OUTCOMES,
  REMEDIES,
  RULINGS,
  type AppealParty,
  type DisputeType,
  type Outcome,
  type Remedy,
  type Ruling,
} from '../domain-rules/disputes.js';
export const RETURN_REASONS = ['ai-generated-evidence'] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/** An evidence file uploaded with the complaint, as inspected (the file itself is not kept), and what says it is AI-generated. */
export type EvidenceInspection = InspectionRecord & { filename: string; signals: AiSignal[] };

/** `inspection`: present for a file uploaded with the complaint; evidence given by its hash only has none. */
export type EvidenceItem = { sha256: string; description: string; declaredAiGenerated: boolean; inspection?: EvidenceInspection };
export type ResponseEvidenceItem = { sha256: string; description: string };

/** The deadline parameters of the sandbox policy in force when the complaint was filed (never retroactive). */
export type DisputePolicy = { version: number; responseDays: number; decisionSlaDays: number; appealDays: number };

export type ComplaintFiledData = {
  disputeId: string;
  type: DisputeType;
  filingId: string;
  complainant: string;
  /** The filing's creator at the time of the complaint. */
  respondent: string;
  claim: string;
  basisFilingId: string | null;
  evidence: EvidenceItem[];
  policy: DisputePolicy;
  filedAt: string;
};

/**
 * Why an evidence item made the complaint inadmissible: declared AI-generated, the content of a filed AI work, or (an
 * uploaded file) the signals its inspection found: an AIGC label, a C2PA or IPTC AI source type, a near-duplicate of a
 * filed AI work.
 */
export type ReturnedEvidence = { sha256: string; declaredAiGenerated: boolean; aiFilingId: string | null; signals?: AiSignal[] };

export type ComplaintReturnedData = {
  disputeId: string;
  filingId: string;
  complainant: string;
  reason: ReturnReason;
  evidence: ReturnedEvidence[];
  returnedAt: string;
};

export type DisputeAssignedData = {
  disputeId: string;
  reviewerId: string;
  previousReviewerId: string | null;
  assignedBy: string;
  assignedAt: string;
};

export type ResponseSubmittedData = {
  disputeId: string;
  respondent: string;
  statement: string;
  evidence: ResponseEvidenceItem[];
  respondedAt: string;
};

/** Carries everything the rights register needs to settle the remedy once the decision is final. */
export type DisputeDecidedData = {
  disputeId: string;
  filingId: string;
  type: DisputeType;
  complainant: string;
  respondent: string;
  outcome: Outcome;
  remedy: Remedy | null;
  reasoning: string;
  decidedBy: string;
  decidedAt: string;
  /** Final at this instant unless appealed before it. */
  appealUntil: string;
  policyVersion: number;
};

/** Each party with a decision to appeal (`mayAppeal`) may appeal once while the appeal window is open and the appeal is undecided. */
export type AppealFiledData = { disputeId: string; appellant: string; party: AppealParty; grounds: string; appealedAt: string };

/** The appeal's ruling (on every appeal filed) and the outcome and remedy it leaves in force; the dispute is final from `decidedAt`. */
export type AppealDecidedData = {
  disputeId: string;
  filingId: string;
  type: DisputeType;
  complainant: string;
  respondent: string;
  ruling: 'affirmed' | 'reversed' | 'varied';
  outcome: Outcome;
  remedy: Remedy | null;
  reasoning: string;
  decidedBy: string;
  decidedAt: string;
  policyVersion: number;
};

export type ComplaintWithdrawnData = {
  disputeId: string;
  filingId: string;
  complainant: string;
  reason: string | null;
  withdrawnAt: string;
};

export type ComplaintFiled = DomainEvent<'ComplaintFiled', ComplaintFiledData>;
export type ComplaintReturned = DomainEvent<'ComplaintReturned', ComplaintReturnedData>;
export type DisputeAssigned = DomainEvent<'DisputeAssigned', DisputeAssignedData>;
export type ResponseSubmitted = DomainEvent<'ResponseSubmitted', ResponseSubmittedData>;
export type DisputeDecided = DomainEvent<'DisputeDecided', DisputeDecidedData>;
export type AppealFiled = DomainEvent<'AppealFiled', AppealFiledData>;
export type AppealDecided = DomainEvent<'AppealDecided', AppealDecidedData>;
export type ComplaintWithdrawn = DomainEvent<'ComplaintWithdrawn', ComplaintWithdrawnData>;

export type DisputeEvent =
  | ComplaintFiled
  | ComplaintReturned
  | DisputeAssigned
  | ResponseSubmitted
  | DisputeDecided
  | AppealFiled
  | AppealDecided
  | ComplaintWithdrawn;

export const DISPUTE_EVENT_TYPES: ReadonlySet<string> = new Set<DisputeEvent['type']>([
  'ComplaintFiled',
  'ComplaintReturned',
  'DisputeAssigned',
  'ResponseSubmitted',
  'DisputeDecided',
  'AppealFiled',
  'AppealDecided',
  'ComplaintWithdrawn',
]);
