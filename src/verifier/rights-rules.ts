// The sandbox rules as a pure function (a filing's facts in the book, the policy in force at its filing, asOf) → its
// right. No I/O, no clock: framework-free and browser-safe, because the verifier replays settlements with them.
import type { Decision, DisputeFacts, Fact, FilingRecord, RightsBook } from './rights-book.js';
import type { NearDuplicateCandidate } from './rights-events.js';
import { sameJson } from './envelope.js';
import { isoInstant } from './instant.js';
import { DAY_MS, labelDueAt, rulesetOf, type PolicyVersion } from './sandbox-policy.js';

// The settlement commands name the policy parameters from here.
export type { PolicyParameters } from './sandbox-policy.js';

export const RIGHT_STATUSES = ['provisional', 'suspended', 'confirmed', 'revoked', 'transferred', 'withdrawn', 'expired'] as const;
export type RightStatus = (typeof RIGHT_STATUSES)[number];
export const RIGHT_FLAGS = ['disputed', 'labelOverdue', 'similarityReview', 'probation'] as const;
export type RightFlag = (typeof RIGHT_FLAGS)[number];
const TERMINAL: ReadonlySet<RightStatus> = new Set(['revoked', 'transferred', 'withdrawn', 'expired']);

export const REVIEWABLE_FLAGS = ['similarityReview', 'probation'] as const;
export type ReviewableFlag = (typeof REVIEWABLE_FLAGS)[number];
export const REVIEW_DECISIONS = ['cleared', 'confirmed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The rule that produced a status (the rule table in src/settlement/README.md). */
export type RuleId =
  | 'filing-accepted'
  | 'labels-overdue'
  | 'labels-declared-late'
  | 'quiet-period-over'
  | 'dispute-upheld-suspend'
  | 'relabelled'
  | 'dispute-upheld-revoke'
  | 'dispute-upheld-transfer'
  | 'filing-withdrawn'
  | 'term-ended';

type Deadline = 'labelDueAt' | 'quietUntil' | 'expiresAt' | 'appealUntil';

/** The event (by type and leaf index) or the deadline behind a status. */
export type Cause = { event: string; leafIndex: number; disputeId?: string } | { deadline: Deadline; at: string; disputeId?: string };

export interface Right {
  filingId: string;
  creator: string;
  holder: string;
  status: RightStatus;
  rule: RuleId;
  cause: Cause;
  /** When the status took effect. */
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
  similarity: { candidates: NearDuplicateCandidate[]; review: 'pending' | ReviewDecision | 'decided-by-dispute' } | null;
  probation: { upheld: number; windowDays: number; review: 'pending' | ReviewDecision } | null;
  asOf: string;
}

/** What a right is settled over: the facts dated by `asOf` (ms) among the first `before` events. */
export interface View {
  asOf: number;
  before: number;
}

const daysAfter = (t: number, days: number) => t + days * DAY_MS;
const visible = (v: View, x: Fact | null): x is Fact => x !== null && x.at <= v.asOf && x.leafIndex < v.before;

// ---------------------------------------------------------------- disputes

export type DisputeState =
  | { state: 'none' | 'open' | 'closed' }
  | { state: 'final'; at: number; outcome: 'upheld' | 'rejected'; remedy: Decision['remedy']; cause: Cause };

/** A dispute as of `t`: open (filed, not returned, withdrawn or final), closed without outcome, or final with its outcome. */
export function disputeAt(d: DisputeFacts, t: number, before: number): DisputeState {
  const seen = (f: Fact | null): f is Fact => f !== null && f.at <= t && f.leafIndex < before;
  if (!seen(d.filed)) return { state: 'none' };
  if (seen(d.returned)) return { state: 'closed' };
  let final: DisputeState | null = null;
  if (seen(d.appealDecision)) {
    const a = d.appealDecision;
    final = {
      state: 'final',
      at: a.at,
      outcome: a.outcome,
      remedy: a.remedy,
      cause: { event: 'AppealDecided', leafIndex: a.leafIndex, disputeId: d.disputeId },
    };
  } else if (seen(d.decision) && !seen(d.appeal) && t >= d.decision.appealUntil) {
    // Nobody appealed within the window: the decision is final when the window closes.
    const x = d.decision;
    final =
      x.appealUntil === x.at
        ? {
            state: 'final',
            at: x.at,
            outcome: x.outcome,
            remedy: x.remedy,
            cause: { event: 'DisputeDecided', leafIndex: x.leafIndex, disputeId: d.disputeId },
          }
        : {
            state: 'final',
            at: x.appealUntil,
            outcome: x.outcome,
            remedy: x.remedy,
            cause: { deadline: 'appealUntil', at: isoInstant(x.appealUntil), disputeId: d.disputeId },
          };
  }
  if (seen(d.withdrawn) && (final === null || (final as { at: number }).at > d.withdrawn.at)) return { state: 'closed' };
  return final ?? { state: 'open' };
}

/** A complaint's final, upheld ruling: against which filing, with which remedy, final when, and where it was filed in the log. */
export interface UpheldRuling {
  filingId: string;
  remedy: Decision['remedy'];
  /** When the ruling became final (ms). */
  at: number;
  /** The log position of its ComplaintFiled: of two rulings final at one instant, the earlier complaint's applies first. */
  order: number;
}

const ENDS_RIGHT: ReadonlySet<Decision['remedy']> = new Set(['revoke', 'transfer']);

/**
 * Whether an upheld ruling became final when another complaint's final revocation or transfer had already ended the right
 * (the only way a complaint still open sees its right become final: a filing under complaint cannot be withdrawn, nor
 * expire): no remedy reaches a final right, so the ruling changed nothing. From ruleset 2 such a ruling is not counted
 * against the former creator, as a complaint filed against a final right is not taken.
 */
export function reachedFinalRight(ruling: UpheldRuling, upheld: Iterable<UpheldRuling>): boolean {
  for (const other of upheld) {
    if (other !== ruling && other.filingId === ruling.filingId && ENDS_RIGHT.has(other.remedy) && finalBefore(other, ruling)) return true;
  }
  return false;
}

/** Whether ruling `a` became final before `b`: at an earlier instant, or at the same one on an earlier complaint. */
const finalBefore = (a: UpheldRuling, b: UpheldRuling) => a.at < b.at || (a.at === b.at && a.order < b.order);

/**
 * The upheld rulings the repeat-infringer rule counts for a filing under `policy`: all of them under ruleset 1; from
 * ruleset 2, not those that reachedFinalRight. Found by each filing's first ruling to end its right, in one pass.
 */
export function countedRulings<R extends UpheldRuling>(policy: { ruleset?: unknown }, rulings: readonly R[]): readonly R[] {
  if (rulesetOf(policy) < 2) return rulings;
  const ended = new Map<string, UpheldRuling>();
  for (const r of rulings) {
    const first = ended.get(r.filingId);
    if (ENDS_RIGHT.has(r.remedy) && (!first || finalBefore(r, first))) ended.set(r.filingId, r);
  }
  return rulings.filter((r) => {
    const first = ended.get(r.filingId);
    return !first || first === r || !finalBefore(first, r);
  });
}

/** Disputes that decide a similarity question: a claim to the work by the creator of an earlier, similar filing. */
const DECIDES_SIMILARITY: ReadonlySet<string> = new Set(['priority', 'infringement', 'authorship']);

// ---------------------------------------------------------------- one filing's facts in a view

/** A filing's facts as a view sees them, with the deadlines of the policy in force when it was filed. */
interface FilingFacts extends View {
  filing: FilingRecord;
  policy: PolicyVersion;
  labelDueAt: number;
  quietUntil: number;
  /** Visible label declarations, earliest first. */
  labels: Fact[];
  withdrawn: Fact | null;
  reviews: FilingRecord['reviews'];
  /** Every dispute against the filing in the book; `disputes` are those filed in the view. */
  against: DisputeFacts[];
  disputes: DisputeFacts[];
  /** Visible near-duplicate findings that named candidates. */
  nearDuplicates: FilingRecord['nearDuplicates'];
  candidates: NearDuplicateCandidate[];
  candidateCreators: ReadonlySet<string>;
  /** Disputes against the creator final and upheld within the repeat-infringer window before the filing. */
  upheld: number;
  onProbation: boolean;
}

function factsInView(book: RightsBook, f: FilingRecord, { asOf, before }: View): FilingFacts {
  const seen = (x: Fact | null): x is Fact => x !== null && x.at <= asOf && x.leafIndex < before;
  const policy = book.policyAt(f.filed.at, before);
  const against = book.disputesOf(f);
  const nearDuplicates = f.nearDuplicates.filter((n) => seen(n) && n.candidates.length > 0);
  const candidates = nearDuplicates.flatMap((n) => n.candidates);
  const rulings: UpheldRuling[] = [];
  for (const d of book.againstCreator.get(f.creator) ?? []) {
    const s = disputeAt(d, f.filed.at, before);
    if (s.state === 'final' && s.outcome === 'upheld')
      rulings.push({ filingId: d.filingId, remedy: s.remedy, at: s.at, order: d.filed.leafIndex });
  }
  const counted = countedRulings(policy, rulings);
  const upheld = counted.filter((r) => r.at > f.filed.at - policy.repeatInfringer.windowDays * DAY_MS).length;
  return {
    asOf,
    before,
    filing: f,
    policy,
    labelDueAt: labelDueAt(f.filed.at, policy),
    quietUntil: daysAfter(f.filed.at, policy.objectionWindowDays),
    labels: f.labels.filter(seen).sort((a, b) => a.at - b.at || a.leafIndex - b.leafIndex),
    withdrawn: seen(f.withdrawn) ? f.withdrawn : null,
    reviews: f.reviews.filter(seen),
    against,
    disputes: against.filter((d) => seen(d.filed)),
    nearDuplicates,
    candidates,
    candidateCreators: new Set(candidates.map((c) => c.creator)),
    upheld,
    onProbation: policy.repeatInfringer.upheld > 0 && upheld >= policy.repeatInfringer.upheld,
  };
}

const reviewAt = (x: FilingFacts, flag: ReviewableFlag, t: number) => x.reviews.find((r) => r.flag === flag && r.at <= t) ?? null;

/** A final dispute by the creator of a near-duplicate candidate settles the similarity question instead of a reviewer. */
const similarityDecidedByDispute = (x: FilingFacts, t: number) =>
  x.disputes.some((d) => {
    if (!DECIDES_SIMILARITY.has(d.type) || !x.candidateCreators.has(d.complainant)) return false;
    return disputeAt(d, t, x.before).state === 'final';
  });

const similarityOpen = (x: FilingFacts, t: number) =>
  x.nearDuplicates.some((n) => n.at <= t) &&
  reviewAt(x, 'similarityReview', t)?.decision !== 'cleared' &&
  !similarityDecidedByDispute(x, t);

const probationOpen = (x: FilingFacts, t: number) => x.onProbation && reviewAt(x, 'probation', t)?.decision !== 'cleared';

const openDisputesAt = (x: FilingFacts, t: number) => x.disputes.filter((d) => disputeAt(d, t, x.before).state === 'open');

// ---------------------------------------------------------------- the timeline

type Trigger = {
  at: number;
  event?: { type: string; leafIndex: number; disputeId?: string };
  deadline?: { name: Deadline; disputeId?: string };
};

const causeOf = (t: Trigger): Cause => {
  if (t.event)
    return t.event.disputeId
      ? { event: t.event.type, leafIndex: t.event.leafIndex, disputeId: t.event.disputeId }
      : { event: t.event.type, leafIndex: t.event.leafIndex };
  const d = t.deadline!;
  return d.disputeId ? { deadline: d.name, at: isoInstant(t.at), disputeId: d.disputeId } : { deadline: d.name, at: isoInstant(t.at) };
};
const factCause = (type: string, f: Fact): Cause => ({ event: type, leafIndex: f.leafIndex });

/** Every instant from filing to `asOf` at which something can change, in time order; events before deadlines at the same instant. */
function timelineOf(x: FilingFacts): Trigger[] {
  const f = x.filing;
  const triggers: Trigger[] = [
    { at: f.filed.at, event: { type: 'WorkFiled', leafIndex: f.filed.leafIndex } },
    { at: x.labelDueAt, deadline: { name: 'labelDueAt' } },
    { at: x.quietUntil, deadline: { name: 'quietUntil' } },
    ...x.labels.map((l) => ({ at: l.at, event: { type: 'LabelsDeclared', leafIndex: l.leafIndex } })),
    ...x.reviews.map((r) => ({ at: r.at, event: { type: 'FlagReviewed', leafIndex: r.leafIndex } })),
    ...x.nearDuplicates.map((n) => ({ at: n.at, event: { type: 'NearDuplicatesFound', leafIndex: n.leafIndex } })),
    ...(x.withdrawn ? [{ at: x.withdrawn.at, event: { type: 'FilingWithdrawn', leafIndex: x.withdrawn.leafIndex } }] : []),
  ];
  for (const d of x.disputes) {
    const ev = (type: string, y: Fact | null) => {
      if (visible(x, y)) triggers.push({ at: y.at, event: { type, leafIndex: y.leafIndex, disputeId: d.disputeId } });
    };
    ev('ComplaintFiled', d.filed);
    ev('ComplaintReturned', d.returned);
    ev('ComplaintWithdrawn', d.withdrawn);
    ev('DisputeDecided', d.decision);
    ev('AppealFiled', d.appeal);
    ev('AppealDecided', d.appealDecision);
    if (visible(x, d.decision)) triggers.push({ at: d.decision.appealUntil, deadline: { name: 'appealUntil', disputeId: d.disputeId } });
  }
  return triggers
    .filter((t) => t.at >= f.filed.at && t.at <= x.asOf)
    .sort((a, b) => a.at - b.at || (a.event ? 0 : 1) - (b.event ? 0 : 1) || (a.event?.leafIndex ?? 0) - (b.event?.leafIndex ?? 0));
}

// ---------------------------------------------------------------- the rules, instant by instant

/** The right as the replay of its timeline leaves it. */
class Replay {
  status: RightStatus = 'provisional';
  holder: string;
  rule: RuleId = 'filing-accepted';
  cause: Cause;
  since: number;
  confirmedAt: number | null = null;
  expiresAt: number | null = null;
  /** When a final `suspend` remedy took effect; null once relabelled. */
  suspendedSince: number | null = null;
  /** Disputes whose final outcome has been applied. */
  readonly applied = new Set<string>();

  constructor(readonly facts: FilingFacts) {
    this.holder = facts.filing.creator;
    this.cause = factCause('WorkFiled', facts.filing.filed);
    this.since = facts.filing.filed.at;
  }

  change(to: RightStatus, rule: RuleId, cause: Cause, t: number, holder = this.holder): void {
    if (to === this.status && holder === this.holder) return;
    this.status = to;
    this.rule = rule;
    this.cause = cause;
    this.since = t;
    this.holder = holder;
  }
}

/** A rule at instant `t`, reached by the triggers `at`: true when it settles the instant, so the rules after it do not apply. */
type Rule = (r: Replay, t: number, at: readonly Trigger[]) => boolean;

/** A withdrawn filing's right is withdrawn. */
const filingWithdrawn: Rule = (r, t) => {
  const withdrawn = r.facts.withdrawn;
  if (!withdrawn || withdrawn.at > t) return false;
  r.change('withdrawn', 'filing-withdrawn', factCause('FilingWithdrawn', withdrawn), t);
  return true;
};

/** A dispute's remedy applies once it is final and upheld: revoke and transfer end the right, suspend holds it until relabelled. */
const disputeUpheld: Rule = (r, t) => {
  for (const d of r.facts.disputes) {
    if (r.applied.has(d.disputeId)) continue;
    const s = disputeAt(d, t, r.facts.before);
    if (s.state !== 'final') continue;
    r.applied.add(d.disputeId);
    if (s.outcome !== 'upheld') continue;
    if (s.remedy === 'revoke') {
      r.change('revoked', 'dispute-upheld-revoke', s.cause, t);
      return true;
    }
    if (s.remedy === 'transfer') {
      r.change('transferred', 'dispute-upheld-transfer', s.cause, t, d.complainant);
      return true;
    }
    if (s.remedy === 'suspend') {
      r.suspendedSince = s.at;
      r.change('suspended', 'dispute-upheld-suspend', s.cause, t);
    }
  }
  return false;
};

/**
 * From ruleset 2, the holder's declaration lifts a suspension that waits for it even while a complaint freezes the right:
 * the freeze holds the right against deadlines, not against the labels the law asks for. A `suspend` remedy is lifted by
 * labels declared after it (back to confirmed if the right had been), an overdue-labels suspension by any declaration.
 */
const labelsLiftSuspension: Rule = (r, t) => {
  const x = r.facts;
  if (rulesetOf(x.policy) < 2) return false;
  const suspendedSince = r.suspendedSince;
  if (suspendedSince !== null) {
    const relabel = x.labels.find((l) => l.at > suspendedSince && l.at <= t);
    if (!relabel) return false;
    r.suspendedSince = null;
    r.change(r.confirmedAt === null ? 'provisional' : 'confirmed', 'relabelled', factCause('LabelsDeclared', relabel), t);
    return false;
  }
  if (r.status === 'suspended' && r.rule === 'labels-overdue') {
    const declared = x.labels.find((l) => l.at <= t);
    if (declared) r.change('provisional', 'labels-declared-late', factCause('LabelsDeclared', declared), t);
  }
  return false;
};

/** An open dispute freezes the right as it is. */
const disputeOpen: Rule = (r, t) => openDisputesAt(r.facts, t).length > 0;

/** A right suspended by a remedy stays so until labels are declared again, then returns to provisional or confirmed. */
const relabelled: Rule = (r, t) => {
  const suspendedSince = r.suspendedSince;
  if (suspendedSince === null) return false;
  const relabel = r.facts.labels.find((x) => x.at > suspendedSince && x.at <= t);
  if (!relabel) return true;
  r.suspendedSince = null;
  if (r.confirmedAt === null) {
    r.change('provisional', 'relabelled', factCause('LabelsDeclared', relabel), t);
    return true;
  }
  r.change('confirmed', 'relabelled', factCause('LabelsDeclared', relabel), t);
  return false;
};

/** A confirmed right lasts its term, then expires; none of the rules after this one apply to it. */
const termEnded: Rule = (r, t) => {
  if (r.confirmedAt === null) return false;
  if (t >= r.expiresAt!) r.change('expired', 'term-ended', { deadline: 'expiresAt', at: isoInstant(r.expiresAt!) }, t);
  return true;
};

/** A right without labels is suspended once they are due. */
const labelsOverdue: Rule = (r, t) => {
  const x = r.facts;
  if (x.labels.some((l) => l.at <= t)) return false;
  if (t >= x.labelDueAt) r.change('suspended', 'labels-overdue', { deadline: 'labelDueAt', at: isoInstant(x.labelDueAt) }, t);
  return true;
};

/** A labelled right is confirmed for the policy's term once its quiet period is over and no similarity or probation flag is open. */
const quietPeriodOver: Rule = (r, t, at) => {
  const x = r.facts;
  if (t < x.quietUntil || similarityOpen(x, t) || probationOpen(x, t)) return false;
  r.confirmedAt = t;
  r.expiresAt = daysAfter(t, x.policy.termDays);
  const last = [...at].reverse().find((y) => y.event) ?? at[0];
  r.change(
    'confirmed',
    'quiet-period-over',
    t === x.quietUntil ? { deadline: 'quietUntil', at: isoInstant(x.quietUntil) } : causeOf(last),
    t,
  );
  return true;
};

/** Labels declared after they were due lift their suspension: provisional again. */
const labelsDeclaredLate: Rule = (r, t) => {
  if (r.status !== 'suspended') return true;
  const declared = r.facts.labels.find((x) => x.at <= t)!;
  r.change('provisional', 'labels-declared-late', factCause('LabelsDeclared', declared), t);
  return true;
};

/** The rules in order of precedence. */
const RULES: readonly Rule[] = [
  filingWithdrawn,
  disputeUpheld,
  labelsLiftSuspension,
  disputeOpen,
  relabelled,
  termEnded,
  labelsOverdue,
  quietPeriodOver,
  labelsDeclaredLate,
];

/** Applies the rules at every instant of the timeline, and at the expiry instant once the right is confirmed. */
function replay(x: FilingFacts): Replay {
  const r = new Replay(x);
  const step = (t: number, at: Trigger[]) => {
    for (const rule of RULES) if (rule(r, t, at)) return;
  };
  const timeline = timelineOf(x);
  // The expiry instant is known only once the right is confirmed, so it joins the timeline then.
  let i = 0;
  let expiryStepped = false;
  while (!TERMINAL.has(r.status)) {
    const next = i < timeline.length ? timeline[i].at : Infinity;
    const expiry = r.expiresAt !== null && !expiryStepped && r.expiresAt <= x.asOf ? r.expiresAt : Infinity;
    if (next === Infinity && expiry === Infinity) break;
    const expiryTrigger: Trigger = { at: expiry, deadline: { name: 'expiresAt' } };
    if (expiry < next) {
      expiryStepped = true;
      step(expiry, [expiryTrigger]);
      continue;
    }
    const at = [timeline[i++]];
    while (i < timeline.length && timeline[i].at === next) at.push(timeline[i++]);
    if (expiry === next) {
      expiryStepped = true;
      at.push(expiryTrigger);
    }
    step(next, at);
  }
  return r;
}

// ---------------------------------------------------------------- the right as of asOf

function rightAsOf(x: FilingFacts, r: Replay): Right {
  const { asOf, filing: f } = x;
  const terminal = TERMINAL.has(r.status);
  const open = terminal ? [] : openDisputesAt(x, asOf);
  const flags: RightFlag[] = terminal
    ? []
    : RIGHT_FLAGS.filter((flag) => {
        switch (flag) {
          case 'disputed':
            return open.length > 0;
          case 'labelOverdue':
            return asOf >= x.labelDueAt && !x.labels.some((l) => l.at <= asOf) && r.confirmedAt === null;
          case 'similarityReview':
            return similarityOpen(x, asOf);
          case 'probation':
            return probationOpen(x, asOf);
        }
      });
  const similarityReview = reviewAt(x, 'similarityReview', asOf);
  const probationReview = reviewAt(x, 'probation', asOf);
  return {
    filingId: f.filingId,
    creator: f.creator,
    holder: r.holder,
    status: r.status,
    rule: r.rule,
    cause: r.cause,
    since: isoInstant(r.since),
    flags,
    policyVersion: x.policy.version,
    filedAt: isoInstant(f.filed.at),
    labelDueAt: isoInstant(x.labelDueAt),
    quietUntil: isoInstant(x.quietUntil),
    labelsDeclaredAt: x.labels.length ? isoInstant(x.labels[0].at) : null,
    confirmedAt: r.confirmedAt === null ? null : isoInstant(r.confirmedAt),
    expiresAt: r.expiresAt === null ? null : isoInstant(r.expiresAt),
    openDisputes: open.map((d) => d.disputeId),
    similarity:
      x.nearDuplicates.length === 0
        ? null
        : {
            candidates: x.candidates,
            review:
              similarityReview?.decision === 'cleared'
                ? 'cleared'
                : similarityDecidedByDispute(x, asOf)
                  ? 'decided-by-dispute'
                  : (similarityReview?.decision ?? 'pending'),
          },
    probation: x.onProbation
      ? { upheld: x.upheld, windowDays: x.policy.repeatInfringer.windowDays, review: probationReview?.decision ?? 'pending' }
      : null,
    asOf: isoInstant(asOf),
  };
}

/** Whether two rights are the same but for the instant each is as of. */
const sameRight = (a: Right, b: Right) => sameJson({ ...a, asOf: null }, { ...b, asOf: null });

/**
 * The next instant after `asOf` at which the right changes with the facts the view has: a later fact (an event the view
 * knows, named as it is), or the first deadline before it at which the right is no longer as it stands. A right changes
 * only at an instant its replay steps at, so the deadlines (labels due, the quiet period's end, the term's end, each
 * known decision's appeal window) are tried in order, each by replaying the right as of it: one is named only where the
 * right does change, and none where it does is missed, whatever state the rules leave the right in between.
 */
function nextChange(book: RightsBook, f: FilingRecord, x: FilingFacts, r: Replay, right: Right): number {
  if (TERMINAL.has(r.status)) return Infinity;
  let until = Infinity;
  const known = (y: Fact | null): y is Fact => y !== null && y.leafIndex < x.before;
  for (const y of [...f.labels, ...f.reviews, ...f.nearDuplicates, f.withdrawn])
    if (known(y) && y.at > x.asOf) until = Math.min(until, y.at);
  const deadlines = [x.labelDueAt, x.quietUntil];
  if (r.expiresAt !== null) deadlines.push(r.expiresAt);
  for (const d of x.against) {
    for (const y of [d.filed, d.returned, d.withdrawn, d.decision, d.appeal, d.appealDecision])
      if (known(y) && y.at > x.asOf) until = Math.min(until, y.at);
    if (known(d.decision)) deadlines.push(d.decision.appealUntil);
  }
  for (const t of [...new Set(deadlines)].filter((t) => t > x.asOf && t < until).sort((a, b) => a - b)) {
    const then = factsInView(book, f, { asOf: t, before: x.before });
    if (!sameRight(rightAsOf(then, replay(then)), right)) return t;
  }
  return until;
}

/** A filing's right as of `view.asOf`, replayed instant by instant (see settleRight). */
export function rightIn(book: RightsBook, f: FilingRecord, view: View): Right {
  const facts = factsInView(book, f, view);
  return rightAsOf(facts, replay(facts));
}

/**
 * A filing's right as of `view.asOf`, replayed instant by instant, and the next instant at which it changes. Order of
 * precedence at each instant: withdrawal; a final upheld remedy (revoke, transfer, suspend); an open dispute freezes
 * everything else; a remedy suspension lasts until relabelled; a confirmed right expires after termDays; labels overdue
 * suspend; a quiet, labelled, unflagged right is confirmed; otherwise it is provisional.
 */
export function settleRight(book: RightsBook, f: FilingRecord, view: View): { right: Right; until: number } {
  const facts = factsInView(book, f, view);
  const r = replay(facts);
  const right = rightAsOf(facts, r);
  return { right, until: nextChange(book, f, facts, r, right) };
}
