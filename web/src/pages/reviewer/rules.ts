// What the reviewer forms may offer: the remedies and appeal rulings the dispute rules allow (they mirror the decider in
// src/disputes; the server refuses anything else with a problem, so the forms only keep reviewers from trying).
export const REMEDIES = ['revoke', 'suspend', 'transfer'] as const;
export type Remedy = (typeof REMEDIES)[number];
export type Outcome = 'upheld' | 'rejected';
export type Ruling = 'affirm' | 'reverse' | 'vary';
/** Only a priority or authorship complaint can move the right to the complainant. */
const TRANSFERABLE_TYPES = ['priority', 'authorship'];

/** The remedies an upheld complaint of this type may get. */
export const remediesFor = (type: string): Remedy[] => REMEDIES.filter((r) => r !== 'transfer' || TRANSFERABLE_TYPES.includes(type));

/**
 * The rulings an appeal decision may give on a first decision, each with the remedies it may (and then must) name:
 * affirm keeps the first decision (no remedy); reverse turns the outcome (a new upheld outcome needs a remedy);
 * vary changes an upheld decision's remedy to another one.
 */
export function appealChoices(
  type: string,
  first: { outcome: Outcome; remedy: Remedy | null },
): Array<{ ruling: Ruling; remedies: Remedy[] }> {
  const choices: Array<{ ruling: Ruling; remedies: Remedy[] }> = [
    { ruling: 'affirm', remedies: [] },
    { ruling: 'reverse', remedies: first.outcome === 'upheld' ? [] : remediesFor(type) },
  ];
  if (first.outcome === 'upheld') {
    const others = remediesFor(type).filter((r) => r !== first.remedy);
    if (others.length > 0) choices.push({ ruling: 'vary', remedies: others });
  }
  return choices;
}

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
