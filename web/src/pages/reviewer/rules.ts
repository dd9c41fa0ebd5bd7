// What the disputes page reads: the dispute as the ledger answers it. The remedies and appeal rulings the forms offer are
// the decider's own rules (src/domain-rules/disputes.ts); the server refuses anything else with a problem.
import type { Outcome, Remedy } from '../../domain-rules.js';
import { mayAppeal } from '../../domain-rules.js';
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
  /** Why the complaint was returned at once, and the evidence that made it so. */
  returned: {
    reason: string;
    evidence: Array<{ sha256: string; declaredAiGenerated: boolean; aiFilingId: string | null; signals?: InspectionSignal[] }>;
    returnedAt: string;
  } | null;
  withdrawal: { reason: string | null; withdrawnAt: string } | null;
  appealDecision: {
    ruling: string;
    outcome: Outcome;
    remedy: Remedy | null;
    reasoning: string;
    decidedBy: string;
    decidedAt: string;
  } | null;
  timeline?: TimelineEntry[];
  /** With the timeline: everyone the dispute's record names, with their names (a reviewer who decided the appeal too). */
  people?: Party[];
}

/** Statuses still open to a reviewer's work; the others are over. */
export const OPEN_STATUSES = ['opened', 'assigned', 'appealed', 'decided'] as const;
export const CLOSED_STATUSES = ['returned', 'withdrawn', 'final'] as const;

export type DeadlineKind = keyof Dispute['deadlines'];

/**
 * The deadline the dispute now runs to, which the queue shows and sorts by: the answer's while the respondent may still
 * answer, then the decision's, then the appeal window's once decided, the appeal decision's once appealed; none once over.
 */
export function nextDeadline(d: Dispute, now: Date): { kind: DeadlineKind; at: string } | null {
  if ((CLOSED_STATUSES as readonly string[]).includes(d.status)) return null;
  const at = (kind: DeadlineKind) => (d.deadlines[kind] === null ? null : { kind, at: d.deadlines[kind] });
  if (d.status === 'appealed') return at('appealDecisionDueAt');
  if (d.decision !== null) return at('appealUntil');
  if (answerAwaited(d, now)) return at('responseDueAt');
  return at('decisionDueAt');
}

/** Whether the respondent may still answer: the dispute open and undecided, unanswered, its response deadline ahead. */
export function answerAwaited(d: Dispute, now: Date): boolean {
  const due = d.deadlines.responseDueAt;
  const open = !(CLOSED_STATUSES as readonly string[]).includes(d.status);
  return open && d.decision === null && d.response === null && due !== null && now.getTime() < Date.parse(due);
}

/**
 * What the dispute says of the respondent's answer: `given`; `awaited` while one may still come; `missed` once none can
 * (decided, or the deadline passed, without one) while the dispute goes on; `none` on a dispute over without one
 * (returned at once, withdrawn, final), which awaits none.
 */
export type AnswerState = 'given' | 'awaited' | 'missed' | 'none';

export function answerState(d: Dispute, now: Date): AnswerState {
  if (d.response !== null) return 'given';
  if ((CLOSED_STATUSES as readonly string[]).includes(d.status)) return 'none';
  return answerAwaited(d, now) ? 'awaited' : 'missed';
}

/** Disputes by their next deadline, soonest first; those without one last. */
export function byDeadline(now: Date): (a: Dispute, b: Dispute) => number {
  return (a, b) => {
    const da = nextDeadline(a, now)?.at ?? null;
    const db = nextDeadline(b, now)?.at ?? null;
    if (da === db) return 0;
    if (da === null) return 1;
    if (db === null) return -1;
    return Date.parse(da) - Date.parse(db);
  };
}

/** What a party may do to a dispute as it reads now: the decider's own conditions, so the page offers no form it would refuse. */
export interface PartyActions {
  /** The respondent answers once, before the response deadline and any decision. */
  respond: boolean;
  /** Each party with a decision against it appeals once, before the appeal deadline and the appeal's decision. */
  appeal: boolean;
  /** The complainant withdraws the complaint while it is not final. */
  withdraw: boolean;
}

export function partyActions(d: Dispute, principalId: string, now: Date): PartyActions {
  const before = (iso: string | null) => iso !== null && now.getTime() < Date.parse(iso);
  const open = !(CLOSED_STATUSES as readonly string[]).includes(d.status);
  const complainant = d.parties.complainant.id === principalId;
  const respondent = !complainant && d.parties.respondent.id === principalId;
  const party = complainant ? 'complainant' : 'respondent';
  return {
    respond: respondent && answerAwaited(d, now),
    appeal:
      (complainant || respondent) &&
      open &&
      d.decision !== null &&
      d.appealDecision === null &&
      before(d.deadlines.appealUntil) &&
      mayAppeal(party, d.decision.outcome) &&
      !d.appeals.some((a) => a.party === party),
    withdraw: complainant && open,
  };
}

/** What a reviewer (or an admin) may do to a dispute as it reads now, by the decider's conditions; `note` says why not, where that helps. */
export interface ReviewerActions {
  assign: boolean;
  decide: boolean;
  decideAppeal: boolean;
  note: 'assignedToOther' | 'awaitingResponse' | 'sameReviewer' | null;
}

export function reviewerActions(d: Dispute, me: { principalId: string; roles: readonly string[] }, now: Date): ReviewerActions {
  const reviewer = me.roles.includes('reviewer');
  const admin = me.roles.includes('admin');
  const party = d.parties.complainant.id === me.principalId || d.parties.respondent.id === me.principalId;
  const open = !(CLOSED_STATUSES as readonly string[]).includes(d.status);
  const assignee = d.parties.assignee?.id ?? null;
  const undecided = open && d.decision === null;
  const awaitingResponse = answerAwaited(d, now);
  const mine = assignee === me.principalId;
  const appealed = d.status === 'appealed';
  const firstReviewer = d.decision?.decidedBy === me.principalId;
  const actions = {
    // A reviewer takes an unassigned dispute; an admin assigns (or reassigns) anyone.
    assign: undecided && (admin || (reviewer && !party && assignee === null)),
    decide: reviewer && undecided && mine && !awaitingResponse,
    decideAppeal: reviewer && appealed && !party && !firstReviewer,
  };
  let note: ReviewerActions['note'] = null;
  if (reviewer && !party) {
    if (undecided && assignee !== null && !mine && !admin) note = 'assignedToOther';
    else if (undecided && mine && awaitingResponse) note = 'awaitingResponse';
    else if (appealed && firstReviewer) note = 'sameReviewer';
  }
  return { ...actions, note };
}

/**
 * The names the evidence files are sent under: each file's own name, made unique ("draft (2).txt") and free of the
 * characters a multipart header cannot carry as they are (a quotation mark, a backslash, a control character), and at
 * most 255 characters long, so that each evidence item names exactly its part.
 */
export function evidenceNames(names: readonly string[]): string[] {
  const taken = new Set<string>();
  return names.map((raw) => {
    const clean = raw.replace(/["\\\u0000-\u001f\u007f-\u009f]/g, "'") || 'evidence';
    const dot = clean.lastIndexOf('.');
    const [stem, ext] = dot > 0 ? [clean.slice(0, dot), clean.slice(dot)] : [clean, ''];
    // At most 255 characters (what an evidence item's `file` may hold), the extension and any " (n)" kept.
    const fit = (suffix: string) => {
      const chars = [...stem]; // whole characters: a surrogate pair is never split
      let name = chars.join('') + suffix + ext;
      while (name.length > 255 && chars.length > 1) {
        chars.pop();
        name = chars.join('') + suffix + ext;
      }
      return name;
    };
    let name = fit('');
    for (let n = 2; taken.has(name); n++) name = fit(` (${n})`);
    taken.add(name);
    return name;
  });
}
