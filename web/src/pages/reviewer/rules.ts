// What the reviewer page reads: the dispute as the ledger answers it. The remedies and appeal rulings the forms offer are
// the decider's own rules (src/domain-rules/disputes.ts); the server refuses anything else with a problem.
import type { Outcome, Remedy } from '../../domain-rules.js';
export { appealChoices, remediesFor, type Outcome, type Remedy, type Ruling } from '../../domain-rules.js';

export interface Party {
  id: string;
  name: string | null;
}

export interface InspectionSignal {
  signal: string;
  [field: string]: unknown;
}

export interface EvidenceItem {
  sha256: string;
  description: string;
  declaredAiGenerated: boolean;
  inspection?: {
    filename: string;
    size: number;
    sniffedType: string | null;
    image: { width: number; height: number } | null;
    perceptualHash: { scheme: string; value: string } | null;
    provenance: {
      labels: Array<{ location: string; label: string | null }>;
      c2pa: unknown;
      digitalSourceTypes: Array<{ location: string; value: string }>;
      unread: string[];
    };
    signals: InspectionSignal[];
  };
}

export interface TimelineEntry {
  revision: number;
  type: string;
  at: string;
  actor: string | null;
  leafIndex: number;
  hash: string;
}

export interface Dispute {
  disputeId: string;
  type: string;
  filingId: string;
  basisFilingId: string | null;
  parties: { complainant: Party; respondent: Party; assignee: Party | null };
  claim: string;
  evidence: EvidenceItem[];
  status: string;
  awaiting: string | null;
  openedAt: string;
  deadlines: { responseDueAt: string | null; decisionDueAt: string | null; appealUntil: string | null; appealDecisionDueAt: string | null };
  reviewDueAt: string | null;
  overdue: boolean;
  outcome: Outcome | null;
  remedy: Remedy | null;
  response: { statement: string; evidence: Array<{ sha256: string; description: string }>; respondedAt: string } | null;
  decision: { outcome: Outcome; remedy: Remedy | null; reasoning: string; decidedBy: string; decidedAt: string } | null;
  appeals: Array<{ appellant: string; party: string; grounds: string; appealedAt: string }>;
  appealDecision: {
    ruling: string;
    outcome: Outcome;
    remedy: Remedy | null;
    reasoning: string;
    decidedBy: string;
    decidedAt: string;
  } | null;
  timeline?: TimelineEntry[];
}

/** Statuses still open to a reviewer's work, and the instant the queue sorts them by (the next deadline that matters). */
export const OPEN_STATUSES = ['opened', 'assigned', 'appealed', 'decided'] as const;
export const deadlineOf = (d: Dispute): string | null =>
  d.reviewDueAt ?? d.deadlines.appealDecisionDueAt ?? d.deadlines.decisionDueAt ?? d.deadlines.appealUntil ?? d.deadlines.responseDueAt;

/** Open disputes by deadline, soonest first; those without a deadline last, then in filing order. */
export function byDeadline(a: Dispute, b: Dispute): number {
  const da = deadlineOf(a);
  const db = deadlineOf(b);
  if (da === db) return 0;
  if (da === null) return 1;
  if (db === null) return -1;
  return Date.parse(da) - Date.parse(db);
}

/** What a party may do to a dispute as it reads now: the decider's own conditions, so the page offers no form it would refuse. */
export interface PartyActions {
  /** The respondent answers once, before the response deadline and any decision. */
  respond: boolean;
  /** Each party appeals a decision once, before the appeal deadline and the appeal's decision. */
  appeal: boolean;
  /** The complainant withdraws the complaint while it is not final. */
  withdraw: boolean;
}

const CLOSED_STATUSES: readonly string[] = ['final', 'returned', 'withdrawn'];

export function partyActions(d: Dispute, principalId: string, now: Date): PartyActions {
  const before = (iso: string | null) => iso !== null && now.getTime() < Date.parse(iso);
  const open = !CLOSED_STATUSES.includes(d.status);
  const complainant = d.parties.complainant.id === principalId;
  const respondent = !complainant && d.parties.respondent.id === principalId;
  const party = complainant ? 'complainant' : 'respondent';
  return {
    respond: respondent && open && d.decision === null && d.response === null && before(d.deadlines.responseDueAt),
    appeal:
      (complainant || respondent) &&
      open &&
      d.decision !== null &&
      d.appealDecision === null &&
      before(d.deadlines.appealUntil) &&
      !d.appeals.some((a) => a.party === party),
    withdraw: complainant && open,
  };
}
