// Rule-conformance audit: every RightsSettled in an export must be what the sandbox rules give at its asOf over the
// log prefix it names (logSize), given the settlements before it; no filing may be withdrawn while a complaint against
// it is open, nor after a final decision transferred or revoked its right. Framework-free, like the rest of the verifier.
import { canonicalJson } from './envelope.js';
import type { SettlementEvent } from './export-chunk.js';
import type { SettlementFault, ShownChange } from './export-failure.js';
import { RightsBook, type FilingStore } from './rights-book.js';
import { CURRENT_RULESET, rulesetOf } from './sandbox-policy.js';
import { type PolicyPublishedData, RIGHTS_EVENT_TYPES, type RightChange, type RightsSettledData } from './rights-events.js';

/** A change as the fault names it (one recorded is shown as it stands: any value that is not falsy, unchecked). */
const shown = (c: RightChange | undefined): ShownChange | null =>
  c ? { from: c.from, to: c.to, rule: c.rule, holder: c.holder, since: c.since } : null;

export class SettlementAuditor {
  // The rules need every right's facts: O(filings + disputes) in memory, or O(disputes) with the filings in a store on disk.
  private readonly book: RightsBook;
  private audited = 0;

  constructor(filings?: FilingStore) {
    this.book = new RightsBook(filings);
  }

  /** Settlements checked so far. */
  get count(): number {
    return this.audited;
  }

  /**
   * Feeds one envelope (already hash- and chain-checked, and as the event catalogue has it: the chunk checker holds back
   * any other), in log order; returns why a settlement is wrong, if it is.
   */
  push(e: SettlementEvent): SettlementFault | undefined {
    if (!RIGHTS_EVENT_TYPES.has(e.type)) return undefined;
    const problem =
      e.type === 'RightsSettled'
        ? this.check(e)
        : e.type === 'FilingWithdrawn'
          ? this.checkWithdrawal(e)
          : e.type === 'PolicyPublished'
            ? (this.checkRuleset(e) ?? this.checkEffective(e))
            : e.type === 'DisputeDecided'
              ? this.book.appealWindowProblem(e)
              : undefined;
    this.book.apply(e);
    return problem;
  }

  /**
   * A policy version must settle by rules this verifier knows: a ruleset newer than these would be replayed by the wrong
   * rules, and every settlement after it would fail as if it broke them.
   */
  private checkRuleset(e: SettlementEvent): SettlementFault | undefined {
    const d = e.data as PolicyPublishedData;
    const ruleset = rulesetOf(d.parameters);
    return ruleset <= CURRENT_RULESET ? undefined : { rule: 'ruleset', version: d.version, ruleset, known: CURRENT_RULESET };
  }

  /** A policy version takes effect after it is published, never at or before: changes are never retroactive. */
  private checkEffective(e: SettlementEvent): SettlementFault | undefined {
    const d = e.data as PolicyPublishedData;
    if (Date.parse(d.effectiveFrom) > Date.parse(d.publishedAt)) return undefined;
    return { rule: 'policy-retroactive', version: d.version, effectiveFrom: d.effectiveFrom, publishedAt: d.publishedAt };
  }

  /** A withdrawal must not escape a complaint, nor take back a right a final decision transferred, nor undo a revocation. */
  private checkWithdrawal(e: SettlementEvent): SettlementFault | undefined {
    const d = e.data as { filingId: string; withdrawnAt: string };
    return this.book.withdrawalProblem(d.filingId, Date.parse(d.withdrawnAt), e.leafIndex);
  }

  /** A settlement's data is as the event catalogue has it (the chunk checker holds back any other from the audit). */
  private check(e: SettlementEvent): SettlementFault | undefined {
    const d = e.data as RightsSettledData;
    const asOf = Date.parse(d.asOf);
    const at = d.asOf;
    if (d.logSize > e.leafIndex) return { rule: 'coverage', asOf: at, logSize: d.logSize, leaf: e.leafIndex };
    if (asOf > Date.parse(e.recordedAt)) return { rule: 'recorded-before', asOf: at, recordedAt: e.recordedAt };
    const previous = this.book.lastSettlement;
    if (previous && asOf < previous.asOf) return { rule: 'order', asOf: at, previousLeaf: previous.leafIndex };
    this.audited++;

    const expected = this.book.settlementAt(asOf, d.logSize);
    const recorded = new Map(d.changes.map((c) => [c?.filingId, c]));
    const rules = new Map(expected.changes.map((c) => [c.filingId, c]));
    for (const filingId of [...rules.keys(), ...[...recorded.keys()].filter((id) => !rules.has(id))]) {
      const r = recorded.get(filingId);
      const x = rules.get(filingId);
      if (r === undefined || x === undefined || canonicalJson(r) !== canonicalJson(x)) {
        return { rule: 'right', asOf: at, filingId: String(filingId), recorded: shown(r), expected: shown(x) };
      }
    }
    if (canonicalJson(d.changes) !== canonicalJson(expected.changes)) return { rule: 'changes-order', asOf: at };
    if (d.policyVersion !== expected.policyVersion)
      return { rule: 'policy-version', asOf: at, recorded: d.policyVersion, inForce: expected.policyVersion };
    if (canonicalJson(d.policyVersions) !== canonicalJson(expected.policyVersions)) {
      return {
        rule: 'policy-versions',
        asOf: at,
        recorded: canonicalJson(d.policyVersions),
        expected: canonicalJson(expected.policyVersions),
      };
    }
    return undefined;
  }
}
