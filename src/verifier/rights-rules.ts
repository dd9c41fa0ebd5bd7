// The sandbox rules of SPEC 1.4 as a pure function (events, policy versions, asOf) → rights. No I/O, no clock:
// framework-free and browser-safe (no `node:`, no Nest, no TypeORM), because the verifier replays settlements with it.
import { DAY_MS, labelDueAt as labelDeadline, POLICY_V1, type SandboxPolicy } from './sandbox-policy.js';

// ---------------------------------------------------------------- events the rules read (beside filing, label and dispute events)

export type PolicyParameters = Omit<SandboxPolicy, 'version'>;
/** A published policy version; v1 (POLICY_V1) is implicit and in force from the beginning. */
export type PolicyVersion = SandboxPolicy & { effectiveFrom: string | null };
export const POLICY_STREAM = 'policy';
export const SETTLEMENTS_STREAM = 'settlements';

export type PolicyPublishedData = { version: number; effectiveFrom: string; parameters: PolicyParameters; publishedAt: string };

export const PERCEPTUAL_SCHEME_BITS = { phash64: 64, pdq256: 256, simhash64: 64 } as const;
export type PerceptualScheme = keyof typeof PERCEPTUAL_SCHEME_BITS;
export type NearDuplicateCandidate = { filingId: string; creator: string; distance: number; leafIndex: number };
/** Earlier filings by other creators within the scheme's Hamming threshold; appended to the new filing's stream right after WorkFiled. */
export type NearDuplicatesFoundData = {
  filingId: string; scheme: PerceptualScheme; threshold: number; policyVersion: number; candidates: NearDuplicateCandidate[]; foundAt: string;
};

export const REVIEWABLE_FLAGS = ['similarityReview', 'probation'] as const;
export type ReviewableFlag = (typeof REVIEWABLE_FLAGS)[number];
export const REVIEW_DECISIONS = ['cleared', 'confirmed'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];
export type FlagReviewedData = { filingId: string; flag: ReviewableFlag; decision: ReviewDecision; reasoning: string; reviewedBy: string; reviewedAt: string };

export const RIGHT_STATUSES = ['provisional', 'suspended', 'confirmed', 'revoked', 'transferred', 'withdrawn', 'expired'] as const;
export type RightStatus = (typeof RIGHT_STATUSES)[number];
export const RIGHT_FLAGS = ['disputed', 'labelOverdue', 'similarityReview', 'probation'] as const;
export type RightFlag = (typeof RIGHT_FLAGS)[number];
const TERMINAL: ReadonlySet<RightStatus> = new Set(['revoked', 'transferred', 'withdrawn', 'expired']);

/** The rule that produced a status (the rule table in src/settlement/README.md). */
export type RuleId =
  | 'filing-accepted' | 'labels-overdue' | 'labels-declared-late' | 'quiet-period-over' | 'dispute-upheld-suspend' | 'relabelled'
  | 'dispute-upheld-revoke' | 'dispute-upheld-transfer' | 'filing-withdrawn' | 'term-ended';

/** The event (by type and leaf index) or the deadline behind a status. */
export type Cause =
  | { event: string; leafIndex: number; disputeId?: string }
  | { deadline: 'labelDueAt' | 'quietUntil' | 'expiresAt' | 'appealUntil'; at: string; disputeId?: string };

export type RightChange = { filingId: string; from: RightStatus; to: RightStatus; holder: string; rule: RuleId; cause: Cause; since: string };
export type SettlementTrigger = 'schedule' | 'admin' | 'cli';
/**
 * One settlement run: every right whose status (or holder) changed since the previous settlement, as the rules give it
 * at `asOf` over the first `logSize` events of the log (the prefix the run read; the verifier replays exactly that).
 */
export type RightsSettledData = {
  asOf: string; logSize: number; policyVersion: number; policyVersions: number[]; changes: RightChange[]; trigger: SettlementTrigger;
};

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

/** The part of an envelope the rules read; an EventEnvelope is one. */
export interface RuleEvent { type: string; data: { [key: string]: unknown }; leafIndex: number; stream?: string }

// ---------------------------------------------------------------- facts folded from the events

type Fact = { at: number; leafIndex: number };
type Decision = Fact & { outcome: 'upheld' | 'rejected'; remedy: 'revoke' | 'suspend' | 'transfer' | null };

interface DisputeFacts {
  disputeId: string;
  type: string;
  complainant: string;
  respondent: string;
  filed: Fact;
  returned: Fact | null;
  withdrawn: Fact | null;
  decision: (Decision & { appealUntil: number }) | null;
  appeal: Fact | null;
  appealDecision: Decision | null;
}

/** What a settlement needs of a right. */
type Settled = Pick<Right, 'status' | 'holder' | 'rule' | 'cause' | 'since' | 'policyVersion'>;

/** Everything a book keeps about one filing: its facts, how its right was last settled, and its right as last computed. */
export interface FilingRecord {
  filingId: string;
  creator: string;
  filed: Fact;
  labels: Fact[];
  withdrawn: Fact | null;
  nearDuplicates: Array<Fact & { candidates: NearDuplicateCandidate[] }>;
  reviews: Array<Fact & { flag: ReviewableFlag; decision: ReviewDecision }>;
  /** Ids of the disputes against this filing (their facts are the book's, shared with the creator's record). */
  disputes: string[];
  /** Last leaf index of a fact about this filing (its own events and the disputes against it). */
  touched: number;
  /** Status and holder the right was last settled at; null when never settled (`provisional`, with its creator). */
  settled: { status: RightStatus; holder: string } | null;
  /** The right as last computed for a settlement, reused while nothing it depends on has changed. */
  cached: { right: Settled; asOf: number; before: number; until: number } | null;
}

/**
 * Where a book keeps its filings: in memory by default; a verifier of a large export may keep them on disk. A record
 * read with `get` is changed by the book and handed back with `set`; records written are read back as they were written.
 */
export interface FilingStore {
  get(filingId: string): FilingRecord | undefined;
  /** Replaces a record, or adds one after every other (the filing order). */
  set(record: FilingRecord): void;
  /** Every record in filing order; the book may `set` the record it was just given before taking the next. */
  values(): Iterable<FilingRecord>;
}

/** Filings in a Map (insertion order is filing order). */
export class MemoryFilingStore implements FilingStore {
  private readonly records = new Map<string, FilingRecord>();
  get(filingId: string): FilingRecord | undefined { return this.records.get(filingId); }
  set(record: FilingRecord): void { this.records.set(record.filingId, record); }
  values(): Iterable<FilingRecord> { return this.records.values(); }
}

type PublishedVersion = PolicyVersion & { from: number; leafIndex: number };

/** Most filings never get a second label, a review or a dispute: they share one empty list until they do. */
const NONE: never[] = Object.freeze([]) as never[];
const add = <T>(list: T[], x: T): T[] => (list === NONE ? [x] : (list.push(x), list));

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const ms = (x: unknown): number => (typeof x === 'string' ? Date.parse(x) : NaN);
const iso = (t: number) => new Date(t).toISOString();
const addDaysMs = (t: number, days: number) => t + days * DAY_MS;

function isParameters(p: unknown): p is PolicyParameters {
  const o = p as PolicyParameters;
  const n = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return typeof p === 'object' && p !== null && n(o.labelGraceDays) && n(o.objectionWindowDays) && n(o.responseDays) && n(o.decisionSlaDays)
    && n(o.appealDays) && n(o.termDays) && typeof o.similarity === 'object' && o.similarity !== null
    && n(o.similarity.phash64) && n(o.similarity.pdq256) && n(o.similarity.simhash64)
    && typeof o.repeatInfringer === 'object' && o.repeatInfringer !== null && n(o.repeatInfringer.upheld) && n(o.repeatInfringer.windowDays);
}

/**
 * Everything the rules need, folded from the events in log order. Memory O(filings + disputes) with the default store:
 * the settlement audit needs every right's facts; with a store on disk, O(disputes) stays in memory.
 */
export class RightsBook {
  private readonly disputes = new Map<string, DisputeFacts & { filingId: string }>();
  /** Disputes against each creator's filings, for the repeat-infringer rule. */
  readonly againstCreator = new Map<string, DisputeFacts[]>();
  readonly versions: PublishedVersion[] = [];
  /** Settled status of ids no filing had yet when settled (a settlement naming a filing ahead of it). */
  private readonly settledBeforeFiling = new Map<string, { status: RightStatus; holder: string }>();
  lastSettlement: { asOf: number; leafIndex: number } | null = null;
  /** Next leaf index this book expects (events are applied in log order). */
  position = 0;
  /** One copy of each creator's id, shared by their filings (each parsed event brings its own copy). */
  private readonly creators = new Map<string, string>();
  /** Facts of disputes against each creator, in log order: they can change the repeat-infringer rule for that creator's filings. */
  private readonly creatorFacts = new Map<string, Fact[]>();

  constructor(private readonly filings: FilingStore = new MemoryFilingStore()) {}

  static of(events: Iterable<RuleEvent>): RightsBook {
    const book = new RightsBook();
    for (const e of events) book.apply(e);
    return book;
  }

  /** Folds one event; events the rules do not read, and malformed ones, are skipped. */
  apply(e: RuleEvent): void {
    this.position = Math.max(this.position, e.leafIndex + 1);
    const d = e.data;
    const fact = (field: string): Fact | null => { const at = ms(d[field]); return Number.isFinite(at) ? { at, leafIndex: e.leafIndex } : null; };
    const filing = str(d.filingId) ? this.filings.get(d.filingId) : undefined;
    const dispute = str(d.disputeId) ? this.disputes.get(d.disputeId) : undefined;
    switch (e.type) {
      case 'WorkFiled': {
        const filed = fact('filedAt');
        if (!str(d.filingId) || !str(d.creator) || !filed || filing) return;
        let creator = this.creators.get(d.creator);
        if (creator === undefined) this.creators.set(d.creator, creator = d.creator);
        this.filings.set({
          filingId: d.filingId, creator, filed, labels: NONE, withdrawn: null, nearDuplicates: NONE, reviews: NONE, disputes: NONE, touched: e.leafIndex,
          settled: this.settledBeforeFiling.get(d.filingId) ?? null, cached: null,
        });
        this.settledBeforeFiling.delete(d.filingId);
        return;
      }
      case 'FilingWithdrawn': { const f = fact('withdrawnAt'); if (filing && f && !filing.withdrawn) { filing.withdrawn = f; this.touch(filing, f); } return; }
      case 'LabelsDeclared': { const f = fact('declaredAt'); if (filing && f) { filing.labels = add(filing.labels, f); this.touch(filing, f); } return; }
      case 'NearDuplicatesFound': {
        const f = fact('foundAt');
        if (filing && f && Array.isArray(d.candidates)) {
          filing.nearDuplicates = add(filing.nearDuplicates, { ...f, candidates: d.candidates as NearDuplicateCandidate[] });
          this.touch(filing, f);
        }
        return;
      }
      case 'FlagReviewed': {
        const f = fact('reviewedAt');
        if (filing && f && (REVIEWABLE_FLAGS as readonly unknown[]).includes(d.flag) && (REVIEW_DECISIONS as readonly unknown[]).includes(d.decision)) {
          filing.reviews = add(filing.reviews, { ...f, flag: d.flag as ReviewableFlag, decision: d.decision as ReviewDecision });
          this.touch(filing, f);
        }
        return;
      }
      case 'ComplaintFiled': {
        const filed = fact('filedAt');
        if (!filed || !str(d.disputeId) || !str(d.filingId) || !str(d.complainant) || !str(d.respondent) || this.disputes.has(d.disputeId)) return;
        const facts = { disputeId: d.disputeId, filingId: d.filingId, type: String(d.type), complainant: d.complainant, respondent: d.respondent, filed,
          returned: null, withdrawn: null, decision: null, appeal: null, appealDecision: null };
        this.disputes.set(d.disputeId, facts);
        if (filing) filing.disputes = add(filing.disputes, d.disputeId);
        this.againstCreator.set(d.respondent, add(this.againstCreator.get(d.respondent) ?? NONE, facts));
        this.touchDispute(facts, filed, filing);
        return;
      }
      case 'ComplaintReturned': { const f = fact('returnedAt'); if (dispute && f && !dispute.returned) { dispute.returned = f; this.touchDispute(dispute, f); } return; }
      case 'ComplaintWithdrawn': { const f = fact('withdrawnAt'); if (dispute && f && !dispute.withdrawn) { dispute.withdrawn = f; this.touchDispute(dispute, f); } return; }
      case 'DisputeDecided': {
        const f = fact('decidedAt');
        const appealUntil = ms(d.appealUntil);
        if (dispute && f && Number.isFinite(appealUntil) && !dispute.decision && (d.outcome === 'upheld' || d.outcome === 'rejected')) {
          dispute.decision = { ...f, outcome: d.outcome, remedy: remedyOf(d.remedy), appealUntil };
          this.touchDispute(dispute, f);
        }
        return;
      }
      case 'AppealFiled': { const f = fact('appealedAt'); if (dispute && f && !dispute.appeal) { dispute.appeal = f; this.touchDispute(dispute, f); } return; }
      case 'AppealDecided': {
        const f = fact('decidedAt');
        if (dispute && f && !dispute.appealDecision && (d.outcome === 'upheld' || d.outcome === 'rejected')) {
          dispute.appealDecision = { ...f, outcome: d.outcome, remedy: remedyOf(d.remedy) };
          this.touchDispute(dispute, f);
        }
        return;
      }
      case 'PolicyPublished': {
        if (e.stream !== undefined && e.stream !== POLICY_STREAM) return;
        const from = ms(d.effectiveFrom);
        const last = this.versions[this.versions.length - 1];
        const expected = (last?.version ?? POLICY_V1.version) + 1;
        if (d.version !== expected || !Number.isFinite(from) || (last && from <= last.from) || !isParameters(d.parameters)) return;
        this.versions.push({ ...d.parameters, version: expected, effectiveFrom: iso(from), from, leafIndex: e.leafIndex });
        return;
      }
      case 'RightsSettled': {
        if (e.stream !== undefined && e.stream !== SETTLEMENTS_STREAM) return;
        const asOf = ms(d.asOf);
        if (!Array.isArray(d.changes) || !Number.isFinite(asOf)) return;
        for (const c of d.changes as RightChange[]) {
          if (!c || !str(c.filingId)) continue;
          const settled = { status: c.to, holder: c.holder };
          const record = this.filings.get(c.filingId);
          if (record) { record.settled = settled; this.filings.set(record); } else this.settledBeforeFiling.set(c.filingId, settled);
        }
        this.lastSettlement = { asOf, leafIndex: e.leafIndex };
        return;
      }
    }
  }

  /** Records a new fact about `filing` (changed by the caller) and stores it. */
  private touch(filing: FilingRecord, f: Fact): void {
    filing.touched = Math.max(filing.touched, f.leafIndex);
    this.filings.set(filing);
  }

  /** A new fact about a dispute: it touches the filing disputed (`filing`, when the caller has it in hand) and its creator. */
  private touchDispute(d: DisputeFacts & { filingId: string }, f: Fact, filing = this.filings.get(d.filingId)): void {
    if (filing) this.touch(filing, f);
    this.creatorFacts.set(d.respondent, add(this.creatorFacts.get(d.respondent) ?? NONE, f));
  }

  /** Whether a cached right still holds at (asOf, before): no fact it reads arrived since, and no instant at which it can change has come. */
  private reusable(c: { asOf: number; before: number; until: number }, f: FilingRecord, asOf: number, before: number): boolean {
    if (asOf < c.asOf || before < c.before || asOf >= c.until) return false;
    if (f.touched >= c.before) return false;
    if (this.versions.some((v) => v.leafIndex >= c.before && v.leafIndex < before)) return false;
    // Dispute facts about the creator from before this filing's time can change its repeat-infringer flag.
    const facts = this.creatorFacts.get(f.creator) ?? NONE;
    let lo = 0;
    for (let hi = facts.length; lo < hi;) { const mid = (lo + hi) >> 1; if (facts[mid].leafIndex < c.before) lo = mid + 1; else hi = mid; }
    for (let i = lo; i < facts.length; i++) if (facts[i].at <= f.filed.at) return false;
    return true;
  }

  /** The facts of the disputes against a filing. */
  disputesOf(f: FilingRecord): DisputeFacts[] {
    return f.disputes.length === 0 ? NONE : f.disputes.map((id) => this.disputes.get(id)!);
  }

  /** The policy versions visible in the first `before` events, v1 first. */
  policyVersions(before = Infinity): PolicyVersion[] {
    return [{ ...POLICY_V1, effectiveFrom: null }, ...this.versions.filter((v) => v.leafIndex < before).map(({ from: _f, leafIndex: _l, ...v }) => v)];
  }

  /** The version in force at instant `t` (ms), among those visible in the first `before` events. */
  policyAt(t: number, before = Infinity): PolicyVersion {
    let inForce: PolicyVersion = { ...POLICY_V1, effectiveFrom: null };
    for (const v of this.versions) if (v.leafIndex < before && v.from <= t) { const { from: _f, leafIndex: _l, ...rest } = v; inForce = rest; }
    return inForce;
  }

  /** The right of one filing as of `asOf` (ms), reading only the first `before` events; null if not filed by then. */
  rightAt(filingId: string, asOf: number, before = Infinity): Right | null {
    const filing = this.filings.get(filingId);
    if (!filing || filing.filed.leafIndex >= before || filing.filed.at > asOf) return null;
    return settleRight(this, filing, { asOf, before }).right;
  }

  /** Every right filed by `asOf`, in log order. */
  rightsAt(asOf: number, before = Infinity): Right[] {
    const rights: Right[] = [];
    for (const filing of this.filings.values()) {
      if (filing.filed.leafIndex < before && filing.filed.at <= asOf) rights.push(settleRight(this, filing, { asOf, before }).right);
    }
    return rights;
  }

  /** What a settlement at `asOf` over the first `before` events records: each right whose status or holder differs from its last settlement. */
  settlementAt(asOf: number, before = Infinity): Pick<RightsSettledData, 'policyVersion' | 'policyVersions' | 'changes'> {
    before = Math.min(before, this.position); // events not yet applied are not read either: the cache must know where it stopped
    const changes: RightChange[] = [];
    const versions = new Set<number>();
    for (const filing of this.filings.values()) {
      if (filing.filed.leafIndex >= before || filing.filed.at > asOf) continue;
      let cached = filing.cached;
      if (!cached || !this.reusable(cached, filing, asOf, before)) {
        const { right: r, until } = settleRight(this, filing, { asOf, before });
        cached = { right: { status: r.status, holder: r.holder, rule: r.rule, cause: r.cause, since: r.since, policyVersion: r.policyVersion }, asOf, before, until };
        filing.cached = cached;
        this.filings.set(filing);
      }
      const id = filing.filingId;
      const right = cached.right;
      const prior = filing.settled ?? { status: 'provisional' as const, holder: filing.creator };
      if (prior.status === right.status && prior.holder === right.holder) continue;
      changes.push({ filingId: id, from: prior.status, to: right.status, holder: right.holder, rule: right.rule, cause: right.cause, since: right.since });
      versions.add(right.policyVersion);
    }
    return { policyVersion: this.policyAt(asOf, before).version, policyVersions: [...versions].sort((a, b) => a - b), changes };
  }
}

const remedyOf = (r: unknown) => (r === 'revoke' || r === 'suspend' || r === 'transfer' ? r : null);

// ---------------------------------------------------------------- the rules

interface View { asOf: number; before: number }

type DisputeState =
  | { state: 'none' | 'open' | 'closed' }
  | { state: 'final'; at: number; outcome: 'upheld' | 'rejected'; remedy: Decision['remedy']; cause: Cause };

/** A dispute as of `t`: open (filed, not returned, withdrawn or final), closed without outcome, or final with its outcome. */
function disputeAt(d: DisputeFacts, t: number, before: number): DisputeState {
  const seen = (f: Fact | null): f is Fact => f !== null && f.at <= t && f.leafIndex < before;
  if (!seen(d.filed)) return { state: 'none' };
  if (seen(d.returned)) return { state: 'closed' };
  let final: DisputeState | null = null;
  if (seen(d.appealDecision)) {
    const a = d.appealDecision;
    final = { state: 'final', at: a.at, outcome: a.outcome, remedy: a.remedy, cause: { event: 'AppealDecided', leafIndex: a.leafIndex, disputeId: d.disputeId } };
  } else if (seen(d.decision) && !seen(d.appeal) && t >= d.decision.appealUntil) {
    // Nobody appealed within the window: the decision is final when the window closes.
    const x = d.decision;
    final = x.appealUntil === x.at
      ? { state: 'final', at: x.at, outcome: x.outcome, remedy: x.remedy, cause: { event: 'DisputeDecided', leafIndex: x.leafIndex, disputeId: d.disputeId } }
      : { state: 'final', at: x.appealUntil, outcome: x.outcome, remedy: x.remedy, cause: { deadline: 'appealUntil', at: iso(x.appealUntil), disputeId: d.disputeId } };
  }
  if (seen(d.withdrawn) && (final === null || (final as { at: number }).at > d.withdrawn.at)) return { state: 'closed' };
  return final ?? { state: 'open' };
}

/** Disputes that decide a similarity question: a claim to the work by the creator of an earlier, similar filing. */
const DECIDES_SIMILARITY: ReadonlySet<string> = new Set(['priority', 'infringement', 'authorship']);

type Trigger = { at: number; event?: { type: string; leafIndex: number; disputeId?: string }; deadline?: { name: 'labelDueAt' | 'quietUntil' | 'expiresAt' | 'appealUntil'; disputeId?: string } };

const causeOf = (t: Trigger): Cause => {
  if (t.event) return t.event.disputeId ? { event: t.event.type, leafIndex: t.event.leafIndex, disputeId: t.event.disputeId } : { event: t.event.type, leafIndex: t.event.leafIndex };
  const d = t.deadline!;
  return d.disputeId ? { deadline: d.name, at: iso(t.at), disputeId: d.disputeId } : { deadline: d.name, at: iso(t.at) };
};
const factCause = (type: string, f: Fact): Cause => ({ event: type, leafIndex: f.leafIndex });

/**
 * Replays one filing's facts instant by instant up to `asOf`. Order of precedence at each instant:
 * withdrawal; a final upheld remedy (revoke, transfer, suspend); an open dispute freezes everything else; a remedy
 * suspension lasts until relabelled; a confirmed right expires after termDays; labels overdue suspend; a quiet,
 * labelled, unflagged right is confirmed; otherwise it is provisional.
 */
function settleRight(book: RightsBook, f: FilingRecord, view: View): { right: Right; until: number } {
  const { asOf, before } = view;
  const visible = (x: Fact | null): x is Fact => x !== null && x.at <= asOf && x.leafIndex < before;
  const policy = book.policyAt(f.filed.at, before);
  const labelDueAt = labelDeadline(f.filed.at, policy);
  const quietUntil = addDaysMs(f.filed.at, policy.objectionWindowDays);
  const labels = f.labels.filter(visible).sort((a, b) => a.at - b.at || a.leafIndex - b.leafIndex);
  const withdrawn = visible(f.withdrawn) ? f.withdrawn : null;
  const reviews = f.reviews.filter(visible);
  const against = book.disputesOf(f);
  const disputes = against.filter((d) => visible(d.filed));

  // Flags raised at filing: near-duplicates of someone else's earlier filing, and the creator's probation.
  const nearDuplicates = f.nearDuplicates.filter((n) => visible(n) && n.candidates.length > 0);
  const candidates = nearDuplicates.flatMap((n) => n.candidates);
  const candidateCreators = new Set(candidates.map((c) => c.creator));
  const upheld = (book.againstCreator.get(f.creator) ?? []).filter((d) => {
    const s = disputeAt(d, f.filed.at, before);
    return s.state === 'final' && s.outcome === 'upheld' && s.at > f.filed.at - policy.repeatInfringer.windowDays * DAY_MS;
  }).length;
  const onProbation = policy.repeatInfringer.upheld > 0 && upheld >= policy.repeatInfringer.upheld;
  const reviewOf = (flag: ReviewableFlag, t: number) => reviews.find((r) => r.flag === flag && r.at <= t) ?? null;
  const similarityDecidedByDispute = (t: number) => disputes.some((d) => {
    if (!DECIDES_SIMILARITY.has(d.type) || !candidateCreators.has(d.complainant)) return false;
    return disputeAt(d, t, before).state === 'final';
  });
  const similarityOpen = (t: number) => nearDuplicates.some((n) => n.at <= t) && reviewOf('similarityReview', t)?.decision !== 'cleared' && !similarityDecidedByDispute(t);
  const probationOpen = (t: number) => onProbation && reviewOf('probation', t)?.decision !== 'cleared';
  const openAt = (t: number) => disputes.filter((d) => disputeAt(d, t, before).state === 'open');

  // Every instant at which something can change, in time order; events before deadlines at the same instant.
  const triggers: Trigger[] = [
    { at: f.filed.at, event: { type: 'WorkFiled', leafIndex: f.filed.leafIndex } },
    { at: labelDueAt, deadline: { name: 'labelDueAt' } },
    { at: quietUntil, deadline: { name: 'quietUntil' } },
    ...labels.map((x) => ({ at: x.at, event: { type: 'LabelsDeclared', leafIndex: x.leafIndex } })),
    ...reviews.map((x) => ({ at: x.at, event: { type: 'FlagReviewed', leafIndex: x.leafIndex } })),
    ...nearDuplicates.map((x) => ({ at: x.at, event: { type: 'NearDuplicatesFound', leafIndex: x.leafIndex } })),
    ...(withdrawn ? [{ at: withdrawn.at, event: { type: 'FilingWithdrawn', leafIndex: withdrawn.leafIndex } }] : []),
  ];
  for (const d of disputes) {
    const ev = (type: string, x: Fact | null) => { if (visible(x)) triggers.push({ at: x.at, event: { type, leafIndex: x.leafIndex, disputeId: d.disputeId } }); };
    ev('ComplaintFiled', d.filed); ev('ComplaintReturned', d.returned); ev('ComplaintWithdrawn', d.withdrawn);
    ev('DisputeDecided', d.decision); ev('AppealFiled', d.appeal); ev('AppealDecided', d.appealDecision);
    if (visible(d.decision)) triggers.push({ at: d.decision.appealUntil, deadline: { name: 'appealUntil', disputeId: d.disputeId } });
  }
  const timeline = triggers.filter((t) => t.at >= f.filed.at && t.at <= asOf).sort((a, b) =>
    a.at - b.at || (a.event ? 0 : 1) - (b.event ? 0 : 1) || (a.event?.leafIndex ?? 0) - (b.event?.leafIndex ?? 0));

  let status: RightStatus = 'provisional';
  let holder = f.creator;
  let rule: RuleId = 'filing-accepted';
  let cause: Cause = factCause('WorkFiled', f.filed);
  let since = f.filed.at;
  let confirmedAt: number | null = null;
  let expiresAt: number | null = null;
  let suspendedSince: number | null = null; // a final `suspend` remedy, until relabelled
  const applied = new Set<string>();
  const change = (to: RightStatus, why: RuleId, because: Cause, t: number, newHolder = holder) => {
    if (to === status && newHolder === holder) return;
    status = to; rule = why; cause = because; since = t; holder = newHolder;
  };

  const step = (t: number, at: Trigger[]) => {
    if (withdrawn && withdrawn.at <= t) return change('withdrawn', 'filing-withdrawn', factCause('FilingWithdrawn', withdrawn), t);
    for (const d of disputes) {
      if (applied.has(d.disputeId)) continue;
      const s = disputeAt(d, t, before);
      if (s.state !== 'final') continue;
      applied.add(d.disputeId);
      if (s.outcome !== 'upheld') continue;
      if (s.remedy === 'revoke') return change('revoked', 'dispute-upheld-revoke', s.cause, t);
      if (s.remedy === 'transfer') return change('transferred', 'dispute-upheld-transfer', s.cause, t, d.complainant);
      if (s.remedy === 'suspend') { suspendedSince = s.at; change('suspended', 'dispute-upheld-suspend', s.cause, t); }
    }
    if (openAt(t).length > 0) return; // an open dispute freezes settlement
    if (suspendedSince !== null) {
      const relabel = labels.find((x) => x.at > suspendedSince! && x.at <= t);
      if (!relabel) return;
      suspendedSince = null;
      if (confirmedAt === null) return change('provisional', 'relabelled', factCause('LabelsDeclared', relabel), t);
      change('confirmed', 'relabelled', factCause('LabelsDeclared', relabel), t);
    }
    if (confirmedAt !== null) {
      if (t >= expiresAt!) change('expired', 'term-ended', { deadline: 'expiresAt', at: iso(expiresAt!) }, t);
      return;
    }
    const declared = labels.find((x) => x.at <= t) ?? null;
    if (!declared) {
      if (t >= labelDueAt) change('suspended', 'labels-overdue', { deadline: 'labelDueAt', at: iso(labelDueAt) }, t);
      return;
    }
    if (t >= quietUntil && !similarityOpen(t) && !probationOpen(t)) {
      confirmedAt = t;
      expiresAt = addDaysMs(t, policy.termDays);
      const last = [...at].reverse().find((x) => x.event) ?? at[0];
      return change('confirmed', 'quiet-period-over', t === quietUntil ? { deadline: 'quietUntil', at: iso(quietUntil) } : causeOf(last), t);
    }
    if (status === 'suspended') change('provisional', 'labels-declared-late', factCause('LabelsDeclared', declared), t);
  };

  // The expiry instant is known only once the right is confirmed, so it joins the timeline then.
  let i = 0;
  let expiryStepped = false;
  while (!TERMINAL.has(status)) {
    const next = i < timeline.length ? timeline[i].at : Infinity;
    const expiry = expiresAt !== null && !expiryStepped && expiresAt <= asOf ? expiresAt : Infinity;
    if (next === Infinity && expiry === Infinity) break;
    const expiryTrigger: Trigger = { at: expiry, deadline: { name: 'expiresAt' } };
    if (expiry < next) {
      expiryStepped = true;
      step(expiry, [expiryTrigger]);
      continue;
    }
    const at = [timeline[i++]];
    while (i < timeline.length && timeline[i].at === next) at.push(timeline[i++]);
    if (expiry === next) { expiryStepped = true; at.push(expiryTrigger); }
    step(next, at);
  }

  const terminal = TERMINAL.has(status);
  const open = terminal ? [] : openAt(asOf);
  const flags: RightFlag[] = terminal ? [] : RIGHT_FLAGS.filter((flag) => {
    switch (flag) {
      case 'disputed': return open.length > 0;
      case 'labelOverdue': return asOf >= labelDueAt && !labels.some((x) => x.at <= asOf) && confirmedAt === null;
      case 'similarityReview': return similarityOpen(asOf);
      case 'probation': return probationOpen(asOf);
    }
  });
  const similarityReview = reviewOf('similarityReview', asOf);
  const probationReview = reviewOf('probation', asOf);

  // The next instant at which this right can change with the facts it has: a later fact or a deadline.
  let until = Infinity;
  if (!terminal) {
    const later = (t: number) => { if (t > asOf && t < until) until = t; };
    const known = (x: Fact | null): x is Fact => x !== null && x.leafIndex < before;
    later(labelDueAt); later(quietUntil);
    if (expiresAt !== null) later(expiresAt);
    for (const x of [...f.labels, ...f.reviews, ...f.nearDuplicates, f.withdrawn]) if (known(x)) later(x.at);
    for (const d of against) {
      for (const x of [d.filed, d.returned, d.withdrawn, d.decision, d.appeal, d.appealDecision]) if (known(x)) later(x.at);
      if (known(d.decision)) later(d.decision.appealUntil);
    }
  }
  const right: Right = {
    filingId: f.filingId, creator: f.creator, holder, status, rule, cause, since: iso(since), flags, policyVersion: policy.version,
    filedAt: iso(f.filed.at), labelDueAt: iso(labelDueAt), quietUntil: iso(quietUntil), labelsDeclaredAt: labels.length ? iso(labels[0].at) : null,
    confirmedAt: confirmedAt === null ? null : iso(confirmedAt), expiresAt: expiresAt === null ? null : iso(expiresAt),
    openDisputes: open.map((d) => d.disputeId),
    similarity: nearDuplicates.length === 0 ? null : {
      candidates,
      review: similarityReview?.decision === 'cleared' ? 'cleared' : similarityDecidedByDispute(asOf) ? 'decided-by-dispute' : similarityReview?.decision ?? 'pending',
    },
    probation: onProbation ? { upheld, windowDays: policy.repeatInfringer.windowDays, review: probationReview?.decision ?? 'pending' } : null,
    asOf: iso(asOf),
  };
  return { right, until };
}

/** The right of one filing as of `asOf`, from any set of events that includes its filing, disputes, its creator's disputes and the policy stream. */
export function rightOf(events: Iterable<RuleEvent>, filingId: string, asOf: Date | string): Right | null {
  return RightsBook.of(events).rightAt(filingId, typeof asOf === 'string' ? Date.parse(asOf) : asOf.getTime());
}

/** The domain instant of an event the rules read (what `asOf` is compared with), or null for other events. */
export function eventInstant(e: RuleEvent): string | null {
  const field: Record<string, string> = {
    WorkFiled: 'filedAt', FilingWithdrawn: 'withdrawnAt', LabelsDeclared: 'declaredAt', NearDuplicatesFound: 'foundAt', FlagReviewed: 'reviewedAt',
    ComplaintFiled: 'filedAt', ComplaintReturned: 'returnedAt', ComplaintWithdrawn: 'withdrawnAt', DisputeDecided: 'decidedAt', AppealFiled: 'appealedAt',
    AppealDecided: 'decidedAt', PolicyPublished: 'publishedAt', RightsSettled: 'asOf',
  };
  const value = field[e.type] ? e.data[field[e.type]] : undefined;
  return typeof value === 'string' ? value : null;
}

/** Every data field RightsBook.apply and eventInstant read: what a cache of rule events must keep (keep in step with them). */
const RULE_DATA_FIELDS = [
  'filingId', 'creator', 'filedAt', 'withdrawnAt', 'declaredAt', 'foundAt', 'candidates', 'reviewedAt', 'flag', 'decision', 'disputeId', 'type',
  'complainant', 'respondent', 'returnedAt', 'decidedAt', 'appealUntil', 'outcome', 'remedy', 'appealedAt', 'version', 'effectiveFrom', 'parameters',
  'publishedAt', 'asOf', 'changes',
] as const;

/** The event with only the data the rules read: the rules give the same rights from it as from the whole event. */
export function ruleEvent(e: RuleEvent): RuleEvent {
  const data: { [key: string]: unknown } = {};
  for (const k of RULE_DATA_FIELDS) if (k in e.data) data[k] = e.data[k];
  return { type: e.type, data, leafIndex: e.leafIndex, stream: e.stream };
}

/** Event types that can change a right. */
export const RIGHTS_EVENT_TYPES: ReadonlySet<string> = new Set([
  'WorkFiled', 'FilingWithdrawn', 'LabelsDeclared', 'NearDuplicatesFound', 'FlagReviewed', 'ComplaintFiled', 'ComplaintReturned', 'ComplaintWithdrawn',
  'DisputeDecided', 'AppealFiled', 'AppealDecided', 'PolicyPublished', 'RightsSettled',
]);
