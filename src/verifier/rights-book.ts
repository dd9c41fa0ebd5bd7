// The book of facts the sandbox rules read, folded from the events in log order: filings, disputes, policy versions and
// settlements. It settles rights with the rules and remembers each right until a fact it depends on changes.
import type { SettlementFault } from './export-failure.js';
import type { NearDuplicateCandidate, RightChange, RightsSettledData, RuleEvent } from './rights-events.js';
import { POLICY_STREAM, SETTLEMENTS_STREAM } from './rights-events.js';
import {
  disputeAt,
  REVIEW_DECISIONS,
  REVIEWABLE_FLAGS,
  rightIn,
  settleRight,
  type ReviewableFlag,
  type ReviewDecision,
  type Right,
  type RightStatus,
} from './rights-rules.js';
import { addDays, POLICY_V1, rulesetOf, type PolicyParameters, type PolicyVersion } from './sandbox-policy.js';

/** When something happened (domain time, ms) and where it is in the log. */
export type Fact = { at: number; leafIndex: number };
export type Decision = Fact & { outcome: 'upheld' | 'rejected'; remedy: 'revoke' | 'suspend' | 'transfer' | null };

export interface DisputeFacts {
  disputeId: string;
  /** The filing complained about. */
  filingId: string;
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
  get(filingId: string): FilingRecord | undefined {
    return this.records.get(filingId);
  }
  set(record: FilingRecord): void {
    this.records.set(record.filingId, record);
  }
  values(): Iterable<FilingRecord> {
    return this.records.values();
  }
}

type PublishedVersion = PolicyVersion & { from: number; leafIndex: number };

/** Most filings never get a second label, a review or a dispute: they share one empty list until they do. */
const NONE: never[] = Object.freeze([]) as never[];
const add = <T>(list: T[], x: T): T[] => (list === NONE ? [x] : (list.push(x), list));

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0;
const ms = (x: unknown): number => (typeof x === 'string' ? Date.parse(x) : NaN);

/** The work a WorkFiled event files and when (ms), as the book reads it; null for one it skips as malformed. */
export function filedWork(e: RuleEvent): { filingId: string; creator: string; at: number } | null {
  const { filingId, creator, filedAt } = e.data;
  const at = ms(filedAt);
  return e.type === 'WorkFiled' && str(filingId) && str(creator) && Number.isFinite(at) ? { filingId, creator, at } : null;
}

const remedyOf = (r: unknown) => (r === 'revoke' || r === 'suspend' || r === 'transfer' ? r : null);

function isParameters(p: unknown): p is PolicyParameters {
  const o = p as PolicyParameters;
  const n = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  return (
    typeof p === 'object' &&
    p !== null &&
    n(o.labelGraceDays) &&
    n(o.objectionWindowDays) &&
    n(o.responseDays) &&
    n(o.decisionSlaDays) &&
    n(o.appealDays) &&
    n(o.termDays) &&
    typeof o.similarity === 'object' &&
    o.similarity !== null &&
    n(o.similarity.phash64) &&
    n(o.similarity.pdq256) &&
    n(o.similarity.simhash64) &&
    typeof o.repeatInfringer === 'object' &&
    o.repeatInfringer !== null &&
    n(o.repeatInfringer.upheld) &&
    n(o.repeatInfringer.windowDays) &&
    (o.ruleset === undefined || (n(o.ruleset) && o.ruleset >= 1))
  );
}

/**
 * Everything the rules need, folded from the events in log order. Memory O(filings + disputes) with the default store:
 * the settlement audit needs every right's facts; with a store on disk, O(disputes) stays in memory.
 */
export class RightsBook {
  private readonly disputes = new Map<string, DisputeFacts>();
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
    const fact = (field: string): Fact | null => {
      const at = ms(d[field]);
      return Number.isFinite(at) ? { at, leafIndex: e.leafIndex } : null;
    };
    const filing = str(d.filingId) ? this.filings.get(d.filingId) : undefined;
    const dispute = str(d.disputeId) ? this.disputes.get(d.disputeId) : undefined;
    switch (e.type) {
      case 'WorkFiled': {
        const work = filedWork(e);
        if (!work || filing) return;
        let creator = this.creators.get(work.creator);
        if (creator === undefined) this.creators.set(work.creator, (creator = work.creator));
        this.filings.set({
          filingId: work.filingId,
          creator,
          filed: { at: work.at, leafIndex: e.leafIndex },
          labels: NONE,
          withdrawn: null,
          nearDuplicates: NONE,
          reviews: NONE,
          disputes: NONE,
          touched: e.leafIndex,
          settled: this.settledBeforeFiling.get(work.filingId) ?? null,
          cached: null,
        });
        this.settledBeforeFiling.delete(work.filingId);
        return;
      }
      case 'FilingWithdrawn': {
        const f = fact('withdrawnAt');
        if (filing && f && !filing.withdrawn) {
          filing.withdrawn = f;
          this.touch(filing, f);
        }
        return;
      }
      case 'LabelsDeclared': {
        const f = fact('declaredAt');
        if (filing && f) {
          filing.labels = add(filing.labels, f);
          this.touch(filing, f);
        }
        return;
      }
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
        if (
          filing &&
          f &&
          (REVIEWABLE_FLAGS as readonly unknown[]).includes(d.flag) &&
          (REVIEW_DECISIONS as readonly unknown[]).includes(d.decision)
        ) {
          filing.reviews = add(filing.reviews, { ...f, flag: d.flag as ReviewableFlag, decision: d.decision as ReviewDecision });
          this.touch(filing, f);
        }
        return;
      }
      case 'ComplaintFiled': {
        const filed = fact('filedAt');
        if (!filed || !str(d.disputeId) || !str(d.filingId) || !str(d.complainant) || !str(d.respondent) || this.disputes.has(d.disputeId))
          return;
        const facts = {
          disputeId: d.disputeId,
          filingId: d.filingId,
          type: String(d.type),
          complainant: d.complainant,
          respondent: d.respondent,
          filed,
          returned: null,
          withdrawn: null,
          decision: null,
          appeal: null,
          appealDecision: null,
        };
        this.disputes.set(d.disputeId, facts);
        if (filing) filing.disputes = add(filing.disputes, d.disputeId);
        this.againstCreator.set(d.respondent, add(this.againstCreator.get(d.respondent) ?? NONE, facts));
        this.touchDispute(facts, filed, filing);
        return;
      }
      case 'ComplaintReturned': {
        const f = fact('returnedAt');
        if (dispute && f && !dispute.returned) {
          dispute.returned = f;
          this.touchDispute(dispute, f);
        }
        return;
      }
      case 'ComplaintWithdrawn': {
        const f = fact('withdrawnAt');
        if (dispute && f && !dispute.withdrawn) {
          dispute.withdrawn = f;
          this.touchDispute(dispute, f);
        }
        return;
      }
      case 'DisputeDecided': {
        const f = fact('decidedAt');
        const appealUntil = ms(d.appealUntil);
        if (dispute && f && Number.isFinite(appealUntil) && !dispute.decision && (d.outcome === 'upheld' || d.outcome === 'rejected')) {
          dispute.decision = { ...f, outcome: d.outcome, remedy: remedyOf(d.remedy), appealUntil };
          this.touchDispute(dispute, f);
        }
        return;
      }
      case 'AppealFiled': {
        const f = fact('appealedAt');
        if (dispute && f && !dispute.appeal) {
          dispute.appeal = f;
          this.touchDispute(dispute, f);
        }
        return;
      }
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
        this.versions.push({
          ...d.parameters,
          ruleset: rulesetOf(d.parameters),
          version: expected,
          effectiveFrom: new Date(from).toISOString(),
          from,
          leafIndex: e.leafIndex,
        });
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
          if (record) {
            record.settled = settled;
            this.filings.set(record);
          } else this.settledBeforeFiling.set(c.filingId, settled);
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
  private touchDispute(d: DisputeFacts, f: Fact, filing = this.filings.get(d.filingId)): void {
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
    for (let hi = facts.length; lo < hi;) {
      const mid = (lo + hi) >> 1;
      if (facts[mid].leafIndex < c.before) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < facts.length; i++) if (facts[i].at <= f.filed.at) return false;
    return true;
  }

  /**
   * Why withdrawing `filingId` at instant `at` (ms), as leaf `leafIndex`, breaks the rules: a complaint against it is still
   * open, a final decision transferred its right, or one revoked it. Undefined when the withdrawal is allowed (or the filing unknown).
   */
  withdrawalProblem(filingId: string, at: number, leafIndex: number): SettlementFault | undefined {
    const filing = this.filings.get(filingId);
    if (!filing) return undefined;
    for (const d of this.disputesOf(filing)) {
      const s = disputeAt(d, at, leafIndex);
      if (s.state === 'open') return { rule: 'withdrawn-open', filingId, disputeId: d.disputeId };
      if (s.state === 'final' && s.outcome === 'upheld' && s.remedy === 'transfer') {
        return { rule: 'withdrawn-transferred', filingId, disputeId: d.disputeId, complainant: d.complainant };
      }
    }
    // Withdrawn, a revoked filing would release its content, and filing it again would undo the revocation.
    const right = this.rightAt(filingId, at, leafIndex);
    if (right?.status === 'revoked') {
      return { rule: 'withdrawn-revoked', filingId, rightRule: right.rule, since: right.since };
    }
    return undefined;
  }

  /**
   * Why a DisputeDecided (not applied yet) gives another appeal window than the policy in force when its complaint was
   * filed: the decider gives its `appealDays` from the decision, and a shorter window would make a decision final before
   * a party could appeal. Undefined when it gives that one, or when the event or its complaint cannot be read.
   */
  appealWindowProblem(e: RuleEvent): SettlementFault | undefined {
    const d = e.data;
    const dispute = typeof d.disputeId === 'string' ? this.disputes.get(d.disputeId) : undefined;
    const appealUntil = ms(d.appealUntil);
    if (!dispute || dispute.decision || !Number.isFinite(ms(d.decidedAt)) || !Number.isFinite(appealUntil)) return undefined;
    const { appealDays } = this.policyAt(dispute.filed.at, dispute.filed.leafIndex);
    // As the decider gives it.
    const expected = addDays(d.decidedAt as string, appealDays);
    if (appealUntil === ms(expected)) return undefined;
    return {
      rule: 'appeal-window',
      disputeId: dispute.disputeId,
      decidedAt: String(d.decidedAt),
      appealUntil: String(d.appealUntil),
      appealDays,
      expected,
    };
  }

  /** The facts of the disputes against a filing. */
  disputesOf(f: FilingRecord): DisputeFacts[] {
    return f.disputes.length === 0 ? NONE : f.disputes.map((id) => this.disputes.get(id)!);
  }

  /** The policy versions visible in the first `before` events, v1 first. */
  policyVersions(before = Infinity): PolicyVersion[] {
    return [
      { ...POLICY_V1, effectiveFrom: null },
      ...this.versions.filter((v) => v.leafIndex < before).map(({ from: _f, leafIndex: _l, ...v }) => v),
    ];
  }

  /** The version in force at instant `t` (ms), among those visible in the first `before` events. */
  policyAt(t: number, before = Infinity): PolicyVersion {
    let inForce: PolicyVersion = { ...POLICY_V1, effectiveFrom: null };
    for (const v of this.versions)
      if (v.leafIndex < before && v.from <= t) {
        const { from: _f, leafIndex: _l, ...rest } = v;
        inForce = rest;
      }
    return inForce;
  }

  /** The right of one filing as of `asOf` (ms), reading only the first `before` events; null if not filed by then. */
  rightAt(filingId: string, asOf: number, before = Infinity): Right | null {
    const filing = this.filings.get(filingId);
    if (!filing || filing.filed.leafIndex >= before || filing.filed.at > asOf) return null;
    return rightIn(this, filing, { asOf, before });
  }

  /** `rightAt`, with the next instant (ms) at which the right can change by time alone, given these events (Infinity: never). */
  settledAt(filingId: string, asOf: number, before = Infinity): { right: Right; until: number } | null {
    const filing = this.filings.get(filingId);
    if (!filing || filing.filed.leafIndex >= before || filing.filed.at > asOf) return null;
    return settleRight(this, filing, { asOf, before });
  }

  /** Every right filed by `asOf`, in log order. */
  rightsAt(asOf: number, before = Infinity): Right[] {
    const rights: Right[] = [];
    for (const filing of this.filings.values()) {
      if (filing.filed.leafIndex < before && filing.filed.at <= asOf) rights.push(rightIn(this, filing, { asOf, before }));
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
        cached = {
          right: { status: r.status, holder: r.holder, rule: r.rule, cause: r.cause, since: r.since, policyVersion: r.policyVersion },
          asOf,
          before,
          until,
        };
        filing.cached = cached;
        this.filings.set(filing);
      }
      const id = filing.filingId;
      const right = cached.right;
      const prior = filing.settled ?? { status: 'provisional' as const, holder: filing.creator };
      if (prior.status === right.status && prior.holder === right.holder) continue;
      changes.push({
        filingId: id,
        from: prior.status,
        to: right.status,
        holder: right.holder,
        rule: right.rule,
        cause: right.cause,
        since: right.since,
      });
      versions.add(right.policyVersion);
    }
    return { policyVersion: this.policyAt(asOf, before).version, policyVersions: [...versions].sort((a, b) => a - b), changes };
  }
}

/** The right of one filing as of `asOf`, from any set of events that includes its filing, disputes, its creator's disputes and the policy stream. */
export function rightOf(events: Iterable<RuleEvent>, filingId: string, asOf: Date | string): Right | null {
  return RightsBook.of(events).rightAt(filingId, typeof asOf === 'string' ? Date.parse(asOf) : asOf.getTime());
}

/** `rightOf`, with the next instant (ms) at which the right can change by time alone, no event coming (Infinity: never). */
export function settledRightOf(events: Iterable<RuleEvent>, filingId: string, asOf: Date | string): { right: Right; until: number } | null {
  return RightsBook.of(events).settledAt(filingId, typeof asOf === 'string' ? Date.parse(asOf) : asOf.getTime());
}
